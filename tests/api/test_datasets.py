"""Catalogue endpoints of /api/v1, in process through httpx's ASGI transport."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from api import create_app
from catalog.settings import Settings
from catalog.store import Publisher
from tests.servers import open_test_store, store_location

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def client(datasets_dir: Path, store_dir: Path) -> AsyncIterator[httpx.AsyncClient]:
    publisher = Publisher(open_test_store(store_dir), datasets_dir)
    for source in publisher.plan(list(publisher.sources().values())):
        publisher.build(source)
    app = create_app(Settings(store=store_location(store_dir), datasets=datasets_dir))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


async def test_search_finds_chinese_without_spaces(client: httpx.AsyncClient) -> None:
    body = (await client.get("/api/v1/datasets", params={"q": "数据 wages"})).json()
    assert [d["name"] for d in body["results"]] == ["wages-test"]
    assert body["count"] == 1
    assert (await client.get("/api/v1/datasets", params={"q": "测试数"})).json()["count"] == 2
    assert (await client.get("/api/v1/datasets", params={"q": "养老"})).json()["count"] == 0


async def test_search_facets_count_and_filter(client: httpx.AsyncClient) -> None:
    body = (await client.get("/api/v1/datasets")).json()
    assert {"name": "employment", "count": 2} in body["facets"]["theme"]
    assert {"name": "CSV", "count": 2} in body["facets"]["format"]
    filtered = (await client.get("/api/v1/datasets", params={"theme": "wages"})).json()
    assert filtered["count"] == 0
    unknown = await client.get("/api/v1/datasets", params={"sort": "nonsense"})
    assert unknown.status_code == 400


async def test_search_pages_with_limit_and_offset(client: httpx.AsyncClient) -> None:
    first = (await client.get("/api/v1/datasets", params={"limit": 1, "sort": "name"})).json()
    second = (
        await client.get("/api/v1/datasets", params={"limit": 1, "offset": 1, "sort": "name"})
    ).json()
    assert [d["name"] for d in first["results"] + second["results"]] == [
        "regions-test",
        "wages-test",
    ]


async def test_search_offset_past_any_engine_integer_is_an_empty_page(
    client: httpx.AsyncClient,
) -> None:
    answer = await client.get("/api/v1/datasets", params={"offset": 10**30})
    assert answer.status_code == 200, answer.text
    assert answer.json()["results"] == []
    assert answer.json()["count"] == 2


async def test_dataset_versions_schema_and_report(
    client: httpx.AsyncClient, store_dir: Path
) -> None:
    current = open_test_store(store_dir).current("wages-test")
    shown = (await client.get("/api/v1/datasets/wages-test")).json()
    assert shown["version"] == current
    versions = (await client.get("/api/v1/datasets/wages-test/versions")).json()
    assert versions["current"] == current and versions["versions"][0]["current"]
    pinned = await client.get(f"/api/v1/datasets/wages-test/versions/{current}")
    assert pinned.json()["version"] == current
    schema = (await client.get("/api/v1/datasets/wages-test/resources/wages/schema")).json()
    assert schema["primaryKey"] == ["region_code", "year"]
    report = (await client.get("/api/v1/datasets/wages-test/validation")).json()
    assert report["valid"] is True


async def test_unknown_dataset_version_and_resource_are_404(client: httpx.AsyncClient) -> None:
    for path in (
        "/api/v1/datasets/nope",
        "/api/v1/datasets/wages-test/versions/nope",
        "/api/v1/datasets/wages-test/resources/nope/schema",
        "/api/v1/datasets/wages-test/versions/..%2F..%2Fetc",
    ):
        assert (await client.get(path)).status_code == 404, path
