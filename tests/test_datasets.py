"""The real datasets under datasets/: they build, validate with stock tools and keep the figures."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import anyio
import duckdb
import httpx
import openpyxl
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
    """A row's source is in `hrss-sources` or, for a table a steward published through
    `opendata init` before the register lists it, in its own dataset's `sources` with a URL;
    either way one id names one URL across the catalogue."""
    rows = query(store, "hrss-sources", "sources", "SELECT source_id, url FROM t")
    registered = {source_id: url or "" for source_id, url in rows}
    for slug in SLUGS:
        declared = store.descriptor(slug).get("sources", [])
        own = {s["id"]: s.get("path", "") for s in declared if "id" in s}
        for source_id, url in own.items():
            known = registered.setdefault(source_id, url)
            assert not (known and url) or known == url, (slug, source_id, known, url)
        for resource in store.descriptor(slug)["resources"]:
            names = [f["name"] for f in resource["schema"]["fields"]]
            if "source_id" in names and "embedded_from" not in resource:
                used = query(store, slug, resource["name"], "SELECT DISTINCT source_id FROM t")
                assert {u for (u,) in used} <= set(registered) | set(own), (slug, resource["name"])


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


# Real printed tables published through `opendata init` + review + `build`: the file as it was
# transcribed (its sha256), the rows each table gives, and whether the table is complete.
PRINTED_TABLES = {
    "maternity-insurance-by-province-2010": (
        "data/table.xlsx",
        "3e6a9b1738d70a00eb7452b6ae56d24d04a40123163d97eced879f502cb6db8a",
        128,  # national + 31 provinces × 4 columns
    ),
    "soe-employment-and-wages-by-province-2008": (
        "data/table.xlsx",
        "4f4cfda6e99af55dd95b9a714940681b5a0c77f6f76f4bfa8dfd470714bfa35f",
        150,  # national + 24 provinces (the page is cut off after Guizhou) × 6
    ),
    "guizhou-prefecture-average-wage-2016": (
        "data/table.csv",
        "5589715ef32d99ff6d9c206097b7c5dc6307df1ba41bd52c4ca10131af0078b6",
        18,  # 9 prefectures × 2
    ),
    "average-wage-by-province-and-ownership-2002": (
        "data/table.xlsx",
        "79b00d4f25bfa8353f9de5826b5c1401bf486da16f51ab1719515cb841967f10",
        189,  # national + 20 provinces (the page is cut off inside Hainan) × 9
    ),
}
FACTORS = {"万人": Decimal(10000), "亿元": Decimal(10**8), "億元": Decimal(10**8), "元": 1, "%": 1}
NUMBER = re.compile(r"-?\d+(\.\d+)?")


def printed_cells(path: Path) -> dict[tuple[int, int], str]:
    """Every non-empty cell by (line, column), 1-based, as printed: read here with csv and
    openpyxl, not with the layout reader (an XLSX number shows its format's decimals)."""
    if path.suffix == ".csv":
        text = path.read_bytes().decode("gb18030")
        rows = list(csv.reader(io.StringIO(text)))
        return {
            (line, column): cell.strip()
            for line, row in enumerate(rows, start=1)
            for column, cell in enumerate(row, start=1)
            if cell.strip()
        }
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    cells: dict[tuple[int, int], str] = {}
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value is None or str(cell.value).strip() == "":
                continue
            if isinstance(cell.value, int | float):
                decimals = len(cell.number_format.partition(".")[2])
                cells[(cell.row, cell.column)] = f"{cell.value:.{decimals}f}"
            else:
                cells[(cell.row, cell.column)] = str(cell.value).strip()
    return cells


@pytest.mark.parametrize("slug", sorted(PRINTED_TABLES))
def test_printed_table_is_kept_as_transcribed(slug: str) -> None:
    path, sha256, _ = PRINTED_TABLES[slug]
    digest = hashlib.sha256((REPO / "datasets" / slug / path).read_bytes()).hexdigest()
    assert digest == sha256


@pytest.mark.parametrize("slug", sorted(PRINTED_TABLES))
def test_printed_table_every_value_is_the_printed_cell(store: Store, slug: str) -> None:
    path, _, count = PRINTED_TABLES[slug]
    cells = printed_cells(REPO / "datasets" / slug / path)
    rows = query(
        store,
        slug,
        "observations",
        "SELECT source_line, source_column, value_as_printed, unit_as_printed, value, flags FROM t",
    )
    assert len(rows) == count
    for line, column, printed, unit, value, flags in rows:
        assert cells[(line, column)] == printed, (line, column)
        assert Decimal(str(value)) == Decimal(printed) * FACTORS[unit], (line, column)
        assert not flags  # no contradiction beyond the printed rounding in these tables
    first = min(row[0] for row in rows)
    columns = {row[1] for row in rows}
    numbers = {
        at
        for at, cell in cells.items()
        if at[0] >= first and at[1] in columns and NUMBER.fullmatch(cell)
    }
    assert numbers == {(row[0], row[1]) for row in rows}  # every printed figure, nothing else


@pytest.mark.parametrize(
    ("slug", "regions"),
    [
        ("soe-employment-and-wages-by-province-2008", 25),
        ("average-wage-by-province-and-ownership-2002", 21),
    ],
)
def test_cut_off_tables_say_so_and_are_not_checked_as_complete(
    store: Store, slug: str, regions: int
) -> None:
    descriptor = store.descriptor(slug)
    assert "Partial table" in descriptor["description_en"] and "不完整" in descriptor["description"]
    found = query(store, slug, "observations", "SELECT count(DISTINCT region_code) FROM t")
    assert found == [(regions,)]
    for check in descriptor.get("checks", []):
        if check["type"] == "sum_of_parts":
            assert check["complete"] == 31 > regions - 1  # the national check cannot run
