"""A source that contradicts itself, published with a warning check: the figures are served
as printed, exactly the contradicting rows carry the flag in every format, and every surface
says the version has warnings (real figures, see tests/contradiction.py)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pyarrow.parquet as pq
import pytest

from api import create_app
from catalog.errors import ValidationFailed
from catalog.settings import Settings
from catalog.store import Publisher, load_dataset
from tests.conftest import write_dataset
from tests.contradiction import (
    CONTRADICTED_ROWS,
    FLAG,
    SLUG,
    package,
    write_contradiction,
)
from tests.servers import open_test_store, store_location
from tests.validation.test_unchecked_groups import SUM, national_and_four_provinces

pytestmark = pytest.mark.anyio
RESOURCE = f"/api/v1/datasets/{SLUG}/resources/pension"
# Each flagged total, by (region, indicator), and what its flags field must say.
FLAGGED = {
    ("110000", "participants"): "rounded;contradicted",
    ("440000", "participants"): "contradicted",
}
GIVEN = {("120000", "participants"): "revised"}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    datasets, store = tmp_path / "datasets", tmp_path / "store"
    write_contradiction(datasets)
    Publisher(open_test_store(store), datasets).build(load_dataset(datasets / SLUG))
    return datasets, store


@pytest.fixture
async def api(folders: tuple[Path, Path]) -> AsyncIterator[httpx.AsyncClient]:
    datasets, store = folders
    app = create_app(Settings(store=store_location(store), datasets=datasets))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


def expected_flags(key: tuple[str, str]) -> str | None:
    return FLAGGED.get(key) or GIVEN.get(key)


async def test_rows_csv_and_parquet_carry_the_flag_on_exactly_the_contradicting_rows(
    api: httpx.AsyncClient, folders: tuple[Path, Path]
) -> None:
    body = (await api.get(f"{RESOURCE}/rows", params={"limit": 100})).json()
    assert len(body["rows"]) == 12
    for row in body["rows"]:
        assert row["flags"] == expected_flags((row["region_code"], row["indicator"]))
    found = await api.get(f"{RESOURCE}/rows", params={"flags__contains": FLAG})
    assert [r["region_code"] for r in found.json()["rows"]] == ["110000", "440000"]
    values = {(r["region_code"], r["indicator"]): r["value"] for r in body["rows"]}
    assert values[("110000", "participants")] == 757.2  # as printed, not corrected
    text = (await api.get(f"{RESOURCE}.csv")).text
    for row in csv.DictReader(io.StringIO(text)):
        assert row["flags"] == (expected_flags((row["region_code"], row["indicator"])) or "")
    store = open_test_store(folders[1])
    version = store.current(SLUG)
    assert version is not None
    table = pq.read_table(store.local_path(SLUG, version, "pension.parquet")).to_pylist()
    for row in table:
        assert row["flags"] == expected_flags((row["region_code"], row["indicator"]))


async def test_the_report_the_descriptor_and_the_versions_say_there_are_warnings(
    api: httpx.AsyncClient,
) -> None:
    report = (await api.get(f"/api/v1/datasets/{SLUG}/validation")).json()
    assert report["valid"] is True and report["stats"]["warnings"] == 2
    located = report["tasks"][0]["flagged"]
    assert [(w["rowNumber"], w["fieldName"], w["flag"]) for w in located] == [
        (row, "value", FLAG) for row in CONTRADICTED_ROWS
    ]
    descriptor = (await api.get(f"/api/v1/datasets/{SLUG}")).json()
    assert descriptor["build"]["warnings"] == {"pension": {"rows": 2, "flags": [FLAG]}}
    versions = (await api.get(f"/api/v1/datasets/{SLUG}/versions")).json()["versions"]
    assert [v["warnings"] for v in versions] == [2]


async def test_ckan_package_show_says_which_resource_has_flagged_rows(
    api: httpx.AsyncClient,
) -> None:
    answer = (await api.get("/api/3/action/package_show", params={"id": SLUG})).json()
    package = answer["result"]
    extras = {extra["key"]: extra["value"] for extra in package["extras"]}
    assert extras["validation_warnings"] == "2"
    resource = package["resources"][0]
    assert resource["validation_status"] == "success"
    assert (resource["validation_warnings"], resource["validation_flags"]) == (2, FLAG)
    assert resource["validation_report"].endswith(f"/api/v1/datasets/{SLUG}/validation")


@pytest.mark.parametrize(
    ("lang", "status"), [("zh", "✓ 通过校验（2 条警告）"), ("en", "✓ Valid, 2 warnings")]
)
async def test_the_dataset_page_says_valid_with_warnings_and_lists_the_rows(
    api: httpx.AsyncClient, lang: str, status: str
) -> None:
    page = (await api.get(f"/dataset/{SLUG}", params={"lang": lang})).text
    assert status in " ".join(re.sub(r"<[^>]+>", "", page).split())
    for row, found in ((2, "757.2"), (11, "2444.3")):
        cells = f"<td>{row}</td><td><code>value</code></td><td><code>{FLAG}</code></td>"
        assert f"{cells}<td>{found}</td>" in page


def test_the_same_check_as_an_error_refuses_and_the_previous_version_keeps_serving(
    folders: tuple[Path, Path],
) -> None:
    datasets, store_dir = folders
    store = open_test_store(store_dir)
    served = store.current(SLUG)
    write_contradiction(datasets, severity="error")
    with pytest.raises(ValidationFailed) as refused:
        Publisher(store, datasets).build(load_dataset(datasets / SLUG))
    assert [e.row for e in refused.value.report.errors] == CONTRADICTED_ROWS
    assert store.current(SLUG) == served
    assert [info.version for info in store.versions(SLUG)] == [served]


def test_a_version_without_warnings_says_none(folders: tuple[Path, Path], tmp_path: Any) -> None:
    datasets, store_dir = folders
    write_contradiction(datasets, severity=None, flag=None)
    text = (datasets / SLUG / "datapackage.yaml").read_text(encoding="utf-8")
    (datasets / SLUG / "datapackage.yaml").write_text(
        text.replace("tolerance: 0.05", "tolerance: 0.15"), encoding="utf-8"
    )
    store = open_test_store(store_dir)
    Publisher(store, datasets).build(load_dataset(datasets / SLUG))
    assert [info.warnings for info in store.versions(SLUG)] == [2, 0]
    assert "warnings" not in store.descriptor(SLUG)["build"]


@pytest.mark.parametrize(("lang", "words"), [("zh", "未能核对的部分"), ("en", "Not checked")])
async def test_the_dataset_page_says_what_a_warning_check_could_not_check(
    tmp_path: Path, lang: str, words: str
) -> None:
    datasets, store = tmp_path / "datasets", tmp_path / "store"
    document = package()
    document["checks"].append(SUM)  # the national line over four provinces of 31
    write_dataset(datasets, SLUG, {"pension.csv": national_and_four_provinces()}, document)
    Publisher(open_test_store(store), datasets).build(load_dataset(datasets / SLUG))
    app = create_app(Settings(store=store_location(store), datasets=datasets))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        page = (await http.get(f"/dataset/{SLUG}", params={"lang": lang})).text
    text = " ".join(re.sub(r"<[^>]+>", "", page).split())
    assert words in text
    assert "did not check 1 group(s)" in text and "(4 of 31 parts)" in text
