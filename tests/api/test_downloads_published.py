"""Downloads fixed at publish: each version's whole-resource CSV, JSON and XLSX rendered once
into `<version>/downloads/`, recorded with bytes and sha256, served as the file; a version
published before (no files recorded) renders them on request, byte for byte the same."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import rdflib
from rdflib.namespace import DCAT

from api import create_app
from catalog.query import PublishedDownloads, QueryEngine
from catalog.settings import Settings
from catalog.store import REPORT, Publisher, load_dataset
from tests.conftest import build_all, descriptor, write_dataset, write_regions, write_wages
from tests.querydata import new_version, write_descriptor
from tests.servers import open_test_store, store_location

pytestmark = pytest.mark.anyio

SPDX = rdflib.Namespace("http://spdx.org/rdf/terms#")
CELLS = "/api/v1/datasets/cells-test/resources/cells"
CELL_FIELDS = [
    {"name": "name", "type": "string"},
    {"name": "value", "type": "number", "decimalsField": "value_decimals"},
    {"name": "value_decimals", "type": "integer"},
]
# Synthetic: text that needs quotes and text a spreadsheet would run, figures printed with
# their own decimals (40147.0 keeps its one, 68380 none, in a decimal(38, 2) column).
CELLS_CSV = (
    'name,value,value_decimals\n"Guiyang, city",40147.0,1\n"say ""hi""",68380,0\n=1+1,802.15,2\n'
)
EXPECTED_CSV = (
    'name,value,value_decimals\n"Guiyang, city",40147.0,1\n"say ""hi""",68380,0\n\'=1+1,802.15,2\n'
)


def write_cells(root: Path) -> None:
    resource = {
        "name": "cells",
        "path": "data/cells.csv",
        "format": "csv",
        "schema": {"fields": CELL_FIELDS},
    }
    write_dataset(
        root, "cells-test", {"cells.csv": CELLS_CSV}, descriptor("cells-test", [resource])
    )


@pytest.fixture
def published(tmp_path: Path) -> Path:
    """Three datasets published as `opendata build` publishes them."""
    datasets = tmp_path / "datasets"
    write_regions(datasets)
    write_wages(datasets)
    write_cells(datasets)
    build_all(tmp_path / "store", datasets)
    return tmp_path / "store"


def without_downloads(store: Path, copy: Path) -> Path:
    """The test store named `copy`: each current version of `store` as a version published
    before downloads were rendered at publish holds it (the same name, the same tables and
    report, no `downloads/` and none recorded), committed through the store."""
    source, target = open_test_store(store), open_test_store(copy)
    for slug in source.slugs():
        version = source.served_version(slug)
        document = source.descriptor(slug, version)
        with new_version(target, slug, version) as staging:
            for resource in document["resources"]:
                del resource["downloads"]
            for name in [REPORT, *(resource["path"] for resource in document["resources"])]:
                shutil.copyfile(source.local_path(slug, version, name), staging / name)
            write_descriptor(staging, document)
    return copy


def client(store: Path) -> httpx.AsyncClient:
    app = create_app(Settings(store=store_location(store), datasets=store / "none"))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


@pytest.fixture
async def both(published: Path, tmp_path: Path) -> AsyncIterator[list[httpx.AsyncClient]]:
    old = without_downloads(published, tmp_path / "old")
    async with client(published) as new, client(old) as before:
        yield [new, before]


def recorded(store: Path, slug: str, resource: str) -> dict[str, Any]:
    package = open_test_store(store).package(slug)
    return {d.format: d for d in package.resource(resource).downloads or []}


def test_publish_writes_each_whole_download_once_with_its_bytes_and_sha256(
    published: Path, tmp_path: Path
) -> None:
    store = open_test_store(published)
    version = store.served_version("cells-test")
    files = recorded(published, "cells-test", "cells")
    assert sorted(files) == ["csv", "json", "xlsx"]
    for extension, stored in files.items():
        assert stored.path == f"downloads/cells.{extension}"
        body = store.local_path("cells-test", version, stored.path).read_bytes()
        assert (stored.bytes, stored.sha256) == (len(body), hashlib.sha256(body).hexdigest())
    csv = store.local_path("cells-test", version, files["csv"].path)
    assert csv.read_text(encoding="utf-8") == EXPECTED_CSV
    # An embedded code list is a resource of the version too: its files are this version's.
    assert recorded(published, "wages-test", "regions")["csv"].path == "downloads/regions.csv"
    # Building the unchanged sources again publishes nothing.
    again = build_all(published, tmp_path / "datasets")
    assert [len(store.versions(s)) for s in ("cells-test", "wages-test")] == [1, 1]
    assert again.broken == {}


async def test_a_published_download_is_the_bytes_rendered_on_request(
    both: list[httpx.AsyncClient],
) -> None:
    for extension in ("csv", "json", "xlsx"):
        for query in ({}, {"bom": "true"}) if extension == "csv" else ({},):
            plain = {"Accept-Encoding": "identity"}  # gzip is left out of a small body
            new, before = [
                await c.get(f"{CELLS}.{extension}", params=query, headers=plain) for c in both
            ]
            assert new.status_code == before.status_code == 200
            assert new.content == before.content, (extension, query)
            assert new.headers["etag"] == before.headers["etag"]
    csv = await both[0].get(f"{CELLS}.csv")
    assert csv.text == EXPECTED_CSV
    rows = (await both[0].get(f"{CELLS}.json")).content
    assert json.loads(rows) == [
        {"name": "Guiyang, city", "value": 40147.0, "value_decimals": 1},
        {"name": 'say "hi"', "value": 68380, "value_decimals": 0},
        {"name": "=1+1", "value": 802.15, "value_decimals": 2},
    ]
    assert b'"value":40147.0,' in rows and b'"value":68380,' in rows


async def test_a_published_download_answers_ranges_and_revalidation(
    both: list[httpx.AsyncClient],
) -> None:
    new = both[0]
    whole = await new.get(f"{CELLS}.csv", headers={"Accept-Encoding": "identity"})
    assert whole.headers["accept-ranges"] == "bytes"
    part = await new.get(f"{CELLS}.csv", headers={"Range": "bytes=5-20"})
    assert part.status_code == 206 and part.content == whole.content[5:21]
    again = await new.get(f"{CELLS}.csv", headers={"If-None-Match": whole.headers["etag"]})
    assert again.status_code == 304
    head = await new.head(f"{CELLS}.csv", params={"bom": "true"})
    assert int(head.headers["content-length"]) == len(whole.content) + 3


async def test_a_filtered_or_sorted_download_is_rendered_on_request(
    both: list[httpx.AsyncClient],
) -> None:
    new = both[0]
    sorted_ = await new.get(f"{CELLS}.csv", params={"sort": "-value"})
    assert "accept-ranges" not in sorted_.headers
    assert sorted_.text.split("\n")[1:4] == [
        '"say ""hi""",68380,0',
        '"Guiyang, city",40147.0,1',
        "'=1+1,802.15,2",
    ]
    filtered = await new.get(f"{CELLS}.csv", params={"value_decimals": "0"})
    assert filtered.text == 'name,value,value_decimals\n"say ""hi""",68380,0\n'


async def test_the_zip_copies_the_published_csv(both: list[httpx.AsyncClient]) -> None:
    body = (await both[0].get("/api/v1/datasets/cells-test.zip")).content
    names = zipfile.ZipFile(io.BytesIO(body)).namelist()
    member = next(n for n in names if n.endswith("/cells.csv"))
    assert zipfile.ZipFile(io.BytesIO(body)).read(member).decode() == EXPECTED_CSV


async def test_ckan_and_dcat_give_the_size_and_sha256_of_each_published_file(
    both: list[httpx.AsyncClient], published: Path
) -> None:
    files = recorded(published, "cells-test", "cells")
    new, before = both
    shown = (await new.get("/api/3/action/package_show", params={"id": "cells-test"})).json()
    resource = shown["result"]["resources"][0]
    assert (resource["size"], resource["hash"]) == (files["csv"].bytes, files["csv"].sha256)
    old = (await before.get("/api/3/action/package_show", params={"id": "cells-test"})).json()
    assert (old["result"]["resources"][0]["size"], old["result"]["resources"][0]["hash"]) == (
        None,
        "",
    )
    graph = rdflib.Graph().parse(data=(await new.get("/dataset/cells-test.ttl")).text, format="ttl")
    for extension, stored in files.items():
        (node,) = [
            s for s, o in graph.subject_objects(DCAT.downloadURL) if str(o).endswith(extension)
        ]
        assert graph.value(node, DCAT.byteSize).toPython() == stored.bytes
        checksum = graph.value(node, SPDX.checksum)
        assert str(graph.value(checksum, SPDX.checksumValue)) == stored.sha256


def test_xlsx_past_the_size_cap_is_left_to_render_on_request(tmp_path: Path) -> None:
    write_cells(tmp_path / "datasets")
    store = open_test_store(tmp_path / "store")
    engine = QueryEngine(
        store, Settings(store=store_location(tmp_path / "store"), datasets=tmp_path)
    )
    try:
        renderer = PublishedDownloads(engine, xlsx_max_cells=8)  # the table has 9 cells
        publisher = Publisher(store, tmp_path / "datasets", downloads=renderer)
        publisher.build(load_dataset(tmp_path / "datasets" / "cells-test"))
    finally:
        engine.close()
    assert sorted(recorded(tmp_path / "store", "cells-test", "cells")) == ["csv", "json"]


def test_text_past_its_size_cap_is_left_to_render_on_request(tmp_path: Path) -> None:
    # CSV and JSON weigh many times the Parquet: a huge table keeps none of them per version.
    write_cells(tmp_path / "datasets")
    store = open_test_store(tmp_path / "store")
    engine = QueryEngine(
        store, Settings(store=store_location(tmp_path / "store"), datasets=tmp_path)
    )
    try:
        renderer = PublishedDownloads(engine, text_max_cells=8)  # the table has 9 cells
        publisher = Publisher(store, tmp_path / "datasets", downloads=renderer)
        publisher.build(load_dataset(tmp_path / "datasets" / "cells-test"))
    finally:
        engine.close()
    assert sorted(recorded(tmp_path / "store", "cells-test", "cells")) == ["xlsx"]


class Failing:
    revision = "test"

    def render(self, staging: Path, slug: str, resource: Any, created: Any) -> Any:
        raise OSError("disk full")


def test_a_render_that_fails_publishes_nothing(tmp_path: Path, published: Path) -> None:
    datasets = tmp_path / "datasets"
    (datasets / "cells-test" / "data" / "cells.csv").write_text(CELLS_CSV + "x,1,0\n", "utf-8")
    store = open_test_store(published)
    before = store.current("cells-test")
    with pytest.raises(OSError, match="disk full"):
        Publisher(store, datasets, downloads=Failing()).build(load_dataset(datasets / "cells-test"))
    assert store.current("cells-test") == before
    assert [v.version for v in store.versions("cells-test")] == [before]
