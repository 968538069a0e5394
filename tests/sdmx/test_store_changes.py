"""What a change in the store does to SDMX: a publish that changes a code list gives it, and
the structures that use it, a new version (`latest` follows; the old one is no result); a
damaged published file is an SDMX server error, never a problem body or engine text."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from xml.etree import ElementTree as ET

import httpx
import pytest

from api import create_app
from catalog.series import FIGURE_COLUMNS
from catalog.settings import Settings
from catalog.store import Publisher
from tests.conftest import REPO, descriptor, write_dataset
from tests.servers import copy_test_store, open_test_store, store_location

pytestmark = pytest.mark.anyio
STR = "{http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure}"
COM = "{http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common}"
MES = "{http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message}"
FLOW = "national-hrss-bulletin"


@pytest.fixture
def store(real_store: Path, tmp_path: Path) -> Path:
    root = tmp_path / "store"
    return copy_test_store(real_store, root)


@pytest.fixture
async def web(store: Path) -> AsyncIterator[httpx.AsyncClient]:
    # refresh 0: the publish comes through another store object, which a server over an
    # object store notices only after its refresh delay (docs/s3.md); here it must at once.
    settings = Settings(store=store_location(store), datasets=store / "none", refresh_seconds=0)
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


def versions(answer: httpx.Response, kind: str) -> dict[str, str]:
    assert answer.status_code == 200, answer.text
    root = ET.fromstring(answer.content)
    return {e.get("id", ""): e.get("version", "") for e in root.iter(f"{STR}{kind}")}


def republish_renamed_indicator(store: Path, tmp_path: Path) -> None:
    """Publish indicator-codes again with one indicator's English name changed."""
    datasets = tmp_path / "datasets"
    shutil.copytree(REPO / "datasets" / "indicator-codes", datasets / "indicator-codes")
    table = datasets / "indicator-codes" / "data" / "indicators.csv"
    text = table.read_text(encoding="utf-8")
    renamed = text.replace("Items in the active-disclosure catalogue,", "Catalogue items,", 1)
    assert renamed != text
    table.write_text(renamed, encoding="utf-8")
    publisher = Publisher(open_test_store(store), datasets)
    for source in publisher.plan(list(publisher.sources().values())):
        publisher.build(source)
    assert publisher.broken == {}


async def test_a_publish_that_changes_a_code_list_versions_it_anew(
    web: httpx.AsyncClient, store: Path, tmp_path: Path
) -> None:
    lists = versions(await web.get("/sdmx/codelist"), "Codelist")
    flow = versions(await web.get(f"/sdmx/dataflow/GZHRSS/{FLOW}"), "Dataflow")[FLOW]
    dsd = versions(await web.get(f"/sdmx/datastructure/GZHRSS/{FLOW}"), "DataStructure")[FLOW]
    old = lists["CL_INDICATOR"]
    assert (await web.get(f"/sdmx/codelist/GZHRSS/CL_INDICATOR/{old}")).status_code == 200
    assert (await web.get(f"/sdmx/data/GZHRSS,{FLOW},{flow}/all")).status_code == 200

    republish_renamed_indicator(store, tmp_path)

    now = versions(await web.get("/sdmx/codelist/GZHRSS/all/latest"), "Codelist")
    assert now["CL_INDICATOR"] != old
    assert now["CL_REGION"] == lists["CL_REGION"]  # unchanged content, unchanged version
    latest = await web.get(f"/sdmx/codelist/GZHRSS/CL_INDICATOR/{now['CL_INDICATOR']}")
    assert "Catalogue items" in latest.text
    gone = await web.get(f"/sdmx/codelist/GZHRSS/CL_INDICATOR/{old}")
    assert gone.status_code == 404 and 'code="100"' in gone.text
    structures = versions(await web.get(f"/sdmx/datastructure/GZHRSS/{FLOW}"), "DataStructure")
    assert structures[FLOW] != dsd  # its code list's version changed
    stale = await web.get(f"/sdmx/data/GZHRSS,{FLOW},{flow}/all")
    assert stale.status_code == 404 and 'code="100"' in stale.text


async def test_the_published_version_is_an_annotation_title_in_no_language(
    web: httpx.AsyncClient, store: Path
) -> None:
    answer = await web.get(f"/sdmx/dataflow/GZHRSS/{FLOW}/latest")
    annotation = next(ET.fromstring(answer.content).iter(f"{COM}Annotation"))
    title, kind = list(annotation)
    assert (title.tag, kind.tag, kind.text) == (
        f"{COM}AnnotationTitle",
        f"{COM}AnnotationType",
        "PUBLISHED_VERSION",
    )
    assert title.text == open_test_store(store).current(FLOW)
    assert not [e for e in annotation.iter() if e.attrib]  # no xml:lang in it


@pytest.mark.folder_store("damages a published Parquet file in the folder, on disk")
async def test_a_damaged_parquet_is_an_sdmx_server_error(
    web: httpx.AsyncClient, store: Path
) -> None:
    version = open_test_store(store).current(FLOW)
    assert version is not None
    damaged = store / FLOW / version / "observations.parquet"
    damaged.write_bytes(damaged.read_bytes()[: damaged.stat().st_size // 2])
    answer = await web.get(f"/sdmx/data/{FLOW}/all")
    assert answer.status_code == 500
    assert answer.headers["content-type"].startswith("application/xml")
    root = ET.fromstring(answer.content)
    assert root.tag == f"{MES}Error"
    assert root.find(f"{MES}ErrorMessage").get("code") == "500"  # type: ignore[union-attr]
    for secret in (str(store), "parquet", "duckdb", "Invalid", "Traceback"):
        assert secret not in answer.text
    assert (await web.get("/sdmx/dataflow/all/all/latest")).status_code == 200


def publish_observations(store: Path, tmp_path: Path, slug: str, fields: list[str]) -> None:
    """Publish a synthetic dataset whose `observations` table has `fields`."""
    types = {"year": "integer", "value": "number"}
    values = {"indicator_code": "urban_new_jobs", "region_code": "520000", "year": "2021",
              "period_type": "annual", "period": "2021", "value": "1.5", "unit": "人",
              "source_id": "s1"}  # fmt: skip
    csv = ",".join(fields) + "\n" + ",".join(values[f] for f in fields) + "\n"
    resource = {
        "name": "observations",
        "path": "data/observations.csv",
        "format": "csv",
        "schema": {"fields": [{"name": f, "type": types.get(f, "string")} for f in fields]},
    }
    write_dataset(
        tmp_path / "datasets", slug, {"observations.csv": csv}, descriptor(slug, [resource])
    )
    publisher = Publisher(open_test_store(store), tmp_path / "datasets")
    for source in publisher.plan(list(publisher.sources().values())):
        publisher.build(source)
    assert publisher.broken == {}


async def test_a_dataflow_is_an_indicator_table_as_the_series_define_it(
    web: httpx.AsyncClient, store: Path, tmp_path: Path
) -> None:
    """The SDMX dataflows and the series are made of the same tables (`FIGURE_COLUMNS`)."""
    publish_observations(store, tmp_path, "sdmx-figures-test", list(FIGURE_COLUMNS))
    lacking = [f for f in FIGURE_COLUMNS if f not in ("year", "source_id")]
    publish_observations(store, tmp_path, "sdmx-lacking-test", lacking)
    flows = versions(await web.get("/sdmx/dataflow"), "Dataflow")
    assert "sdmx-figures-test" in flows
    assert "sdmx-lacking-test" not in flows
