"""Counting the platform's use: what each request is (kind, channel, dataset), which answers
count, and that no URL a client makes up costs memory. The counts reaching the database
through a real server are tested in tests/state/test_report_server.py."""

from __future__ import annotations

import httpx
import pytest

from api.usage import ckan_reference, classify, counted, from_own_page
from catalog.state import OTHER, UsageKey
from tests.api.conftest import AppFactory

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/api/v1/datasets/wages/resources/w.csv", ("download", "rest", "wages")),
        ("/api/v1/datasets/wages/resources/w.parquet", ("download", "rest", "wages")),
        ("/api/v1/datasets/wages.zip", ("download", "rest", "wages")),
        ("/datastore/dump/7fb980a1-3fcf-5d80", ("download", "ckan", "7fb980a1-3fcf-5d80")),
        ("/catalog/register.csv", ("download", "dcat", "")),
        ("/api/v1/datasets/wages/resources/w/rows", ("api_call", "rest", "wages")),
        ("/api/v1/datasets/wages", ("api_call", "rest", "wages")),
        ("/api/v1/sql", ("api_call", "rest", "")),
        ("/api/3/action/package_show", ("api_call", "ckan", "")),
        ("/api/action/datastore_search", ("api_call", "ckan", "")),
        ("/sdmx/data/GZHRSS,wages,1.0/all", ("api_call", "sdmx", "wages")),
        ("/sdmx/data/wages", ("api_call", "sdmx", "wages")),
        ("/sdmx/dataflow", ("api_call", "sdmx", "")),
        ("/dataset/wages.ttl", ("api_call", "dcat", "wages")),
        ("/catalog.jsonld", ("api_call", "dcat", "")),
        ("/data.json", ("api_call", "dcat", "")),
        ("/dataset/wages", ("page_view", "web", "wages")),
        # Not the data: data requests, pages, health, documentation.
        ("/api/v1/datasets/wages/requests", None),
        ("/api/v1/requests/abc", None),
        ("/dataset/wages/apply", None),
        ("/", None),
        ("/healthz", None),
        ("/docs", None),
    ],
)
def test_usage_classify_names_kind_channel_and_dataset(
    path: str, expected: tuple[str, str, str] | None
) -> None:
    found = classify(path)
    assert (None if found is None else (found[0].kind, found[0].channel, found[1])) == expected


@pytest.mark.parametrize(
    ("method", "status", "range_", "expected"),
    [
        ("GET", 200, "", True),
        ("POST", 200, "", True),
        ("GET", 304, "", True),
        ("HEAD", 200, "", False),
        ("GET", 404, "", False),
        ("GET", 403, "", False),
        ("GET", 429, "", False),
        ("GET", 206, "bytes=0-99", True),
        ("GET", 206, "bytes=100-", False),
    ],
)
def test_usage_counts_answers_that_delivered(
    method: str, status: int, range_: str, expected: bool
) -> None:
    headers = {b"range": range_.encode()} if range_ else {}
    assert counted(method, status, headers) is expected


def test_usage_web_channel_is_a_request_from_the_sites_own_pages() -> None:
    assert from_own_page({b"sec-fetch-site": b"same-origin"})
    assert from_own_page({b"referer": b"https://data.example/dataset/w", b"host": b"data.example"})
    assert not from_own_page({b"referer": b"https://elsewhere/x", b"host": b"data.example"})
    assert not from_own_page({b"sec-fetch-site": b"cross-site"})
    assert not from_own_page({})


def test_usage_ckan_dataset_is_read_from_the_query_or_the_body() -> None:
    assert ckan_reference(b"id=wages", b"") == "wages"
    assert ckan_reference(b"", b'{"resource_id": "r-1", "limit": 5}') == "r-1"
    assert ckan_reference(b"", b"name_or_id=wages&rows=1") == "wages"
    assert ckan_reference(b"", b'{"id": "wages", "q": "' + b"x" * 5000) == ""  # cut: none
    assert ckan_reference(b"", b'{"id": 5}') == ""


async def test_usage_made_up_slugs_cost_no_memory(make_app: AppFactory) -> None:
    app = make_app()
    app.state.usage.refresh()  # no lifespan in process: read the datasets' names now
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        for number in range(100):  # answered 404: not counted at all
            await http.get("/api/3/action/package_show", params={"id": f"made-up-{number}"})
            await http.get(f"/api/v1/datasets/made-up-{number}")
            await http.get(f"/dataset/made-up-{number}.ttl")
        for number in range(100):  # answered 200, about no one dataset
            await http.get("/api/3/action/package_search", params={"q": f"made-up-{number}"})
        assert (await http.get("/api/v1/datasets/wages-test")).status_code == 200
    for number in range(100):  # whatever a request names, a dataset that is not is OTHER
        app.state.usage.count(f"made-up-{number}", "download", "rest")
    counts = app.state.usage.counter.take()
    assert {(k.dataset, k.kind, k.channel): n for k, n in counts.items()} == {
        (OTHER, "api_call", "ckan"): 100,
        (OTHER, "download", "rest"): 100,
        ("wages-test", "api_call", "rest"): 1,
    }
    assert all(isinstance(k, UsageKey) for k in counts)
