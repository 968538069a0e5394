"""The real datasets under datasets/: they build, validate with stock tools and keep the figures."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import anyio
import duckdb
import httpx
import polars as pl
import pyarrow.parquet as pq
import pyshacl
import pytest
import rdflib

from api import create_app
from catalog.settings import Settings
from catalog.store import FolderStore, Publisher, Store
from tests.conftest import REPO

pytestmark = pytest.mark.slow

FRICTIONLESS = str(Path(sys.executable).with_name("frictionless"))
SLUGS = sorted(p.parent.name for p in (REPO / "datasets").glob("*/datapackage.yaml"))


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    store = FolderStore(tmp_path_factory.mktemp("real") / "store")
    publisher = Publisher(store, REPO / "datasets")
    for source in publisher.plan(list(publisher.sources().values())):
        publisher.build(source)
    return store


def query(store: Store, slug: str, resource: str, sql: str) -> list[tuple[object, ...]]:
    path = store.version_path(slug) / f"{resource}.parquet"
    con = duckdb.connect()
    con.execute(f"CREATE VIEW t AS SELECT * FROM read_parquet('{path}')")
    return con.execute(sql).fetchall()


def test_datasets_include_every_required_family() -> None:
    assert set(SLUGS) >= {
        "region-codes",
        "indicator-codes",
        "hrss-sources",
        "national-hrss-bulletin",
        "guizhou-hrss-indicators",
        "guizhou-prefecture-indicators",
        "minimum-wage-standards",
        "provincial-social-insurance-yearbook",
        "guizhou-hrss-disclosure-2018",
    }


@pytest.mark.parametrize("slug", SLUGS)
def test_dataset_published_package_passes_stock_frictionless(store: Store, slug: str) -> None:
    result = subprocess.run(
        [FRICTIONLESS, "validate", str(store.version_path(slug) / "datapackage.json")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:]


@pytest.mark.parametrize("slug", SLUGS)
def test_dataset_parquet_reads_with_declared_types_everywhere(store: Store, slug: str) -> None:
    descriptor = store.descriptor(slug)
    for resource in descriptor["resources"]:
        path = store.version_path(slug) / resource["path"]
        arrow = pq.read_table(path)
        assert arrow.num_rows == resource["rows"]
        frame = pl.read_parquet(path)
        assert frame.height == resource["rows"]
        described = duckdb.connect().execute(f"DESCRIBE SELECT * FROM read_parquet('{path}')")
        duck_types = {row[0]: row[1] for row in described.fetchall()}
        for field in resource["schema"]["fields"]:
            expected = {
                "integer": "BIGINT",
                "string": "VARCHAR",
                "boolean": "BOOLEAN",
                "date": "DATE",
                "year": "INTEGER",
            }.get(field["type"])
            if field["type"] == "number":
                expected = f"DECIMAL(18,{field['decimals']})" if "decimals" in field else "DOUBLE"
            if "decimalsField" in field:  # exact, at the largest scale of its values
                values = [v for v in arrow.column(field["name"]).to_pylist() if v is not None]
                scale = max((-int(v.normalize().as_tuple().exponent) for v in values), default=0)
                scale = max(scale, 0)
                expected = f"DECIMAL(38,{scale})"
            if expected:
                assert duck_types[field["name"]] == expected, (slug, resource["name"], field)


def test_national_bulletin_employed_persons_2017(store: Store) -> None:
    rows = query(
        store,
        "national-hrss-bulletin",
        "observations",
        "SELECT value, unit, value_as_printed, unit_as_printed FROM t"
        " WHERE indicator_code = 'employed_persons_total' AND year = 2017"
        " AND period_type = 'year_end'",
    )
    assert rows == [(Decimal("776400000"), "人", "77640", "万人")]


def test_yearbook_national_pension_participants_2008(store: Store) -> None:
    rows = query(
        store,
        "provincial-social-insurance-yearbook",
        "observations",
        "SELECT value FROM t WHERE indicator_code = 'urban_employee_pension_participants'"
        " AND year = 2008 AND region_code = '000000'",
    )
    assert rows == [(Decimal("218911000"),)]


def test_guizhou_new_urban_jobs_2020(store: Store) -> None:
    rows = query(
        store,
        "guizhou-hrss-indicators",
        "observations",
        "SELECT value FROM t WHERE indicator_code = 'urban_new_jobs' AND year = 2020"
        " AND region_code = '520000' AND period_type = 'annual'",
    )
    assert rows == [(Decimal("616400"),)]


def test_prefecture_guiyang_average_wage_2016(store: Store) -> None:
    rows = query(
        store,
        "guizhou-prefecture-indicators",
        "observations",
        "SELECT value, unit FROM t WHERE indicator_code = 'avg_wage_urban_nonprivate'"
        " AND year = 2016 AND region_code = '520100'",
    )
    assert rows == [(Decimal("68453"), "元")]


def test_disclosure_12333_calls_keep_more_than_qualifier(store: Store) -> None:
    rows = query(
        store,
        "guizhou-hrss-disclosure-2018",
        "observations",
        "SELECT value, unit, qualifier FROM t WHERE indicator_code = 'hotline_12333_calls'",
    )
    assert rows == [(Decimal("1600000"), "人次", "more_than")]


def test_guizhou_minimum_wage_tier_one_october_2023(store: Store) -> None:
    rows = query(
        store,
        "minimum-wage-standards",
        "provincial_snapshots",
        "SELECT DISTINCT value FROM t WHERE region_code = '520000' AND wage_type = 'monthly'"
        " AND tier = 1 AND as_of_date = DATE '2023-10-01' AND status = 'preferred'",
    )
    assert [float(v) for (v,) in rows] == [1890.0]


def test_every_observation_traces_to_a_registered_source(store: Store) -> None:
    sources = {row[0] for row in query(store, "hrss-sources", "sources", "SELECT source_id FROM t")}
    for slug in SLUGS:
        for resource in store.descriptor(slug)["resources"]:
            names = [f["name"] for f in resource["schema"]["fields"]]
            if "source_id" in names and "embedded_from" not in resource:
                used = query(store, slug, resource["name"], "SELECT DISTINCT source_id FROM t")
                assert {u for (u,) in used} <= sources, (slug, resource["name"])


def test_real_catalogue_conforms_to_dcat_ap_3_shapes(store: Store) -> None:
    app = create_app(Settings(store=store.root))

    async def fetch() -> str:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return (await client.get("/catalog.ttl")).text

    graph = rdflib.Graph().parse(data=anyio.run(fetch), format="turtle")
    shapes = rdflib.Graph().parse(REPO / "tests" / "dcat" / "data" / "dcat-ap-3.0.0-SHACL.ttl")
    conforms, _, text = pyshacl.validate(graph, shacl_graph=shapes, inference="rdfs")
    assert conforms, text[:3000]
