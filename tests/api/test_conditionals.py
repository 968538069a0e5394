"""Findings of the attack review on every path: preconditions only for what exists (RFC 9110
13.2.1), `If-Match` on /api/v1, `Accept-Encoding` read by the RFC's rules, and the links of an
error page. The data is SYNTHETIC (`tests.querydata`)."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from api.perimeter import accepts_gzip
from tests.api.conftest import AppFactory
from tests.servers import open_test_store

pytestmark = pytest.mark.anyio

ROWS = "/api/v1/datasets/wages-test/resources/wages/rows"
FUTURE = {"If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"}
IDENTITY = {"Accept-Encoding": "identity"}
MISSING = [
    ("/api/v1/series?indicator=nonexist&region=520000", 404),
    ("/api/v1/datasets/wages-test/resources/nothing.csv", 404),
    ("/api/v1/datasets/wages-test/resources/nothing/rows", 404),
    (ROWS + "?sort=nothing", 400),
]


@pytest.mark.parametrize(("url", "status"), MISSING)
@pytest.mark.parametrize("method", ["GET", "HEAD"])
async def test_a_conditional_never_turns_an_error_into_a_304(
    api: httpx.AsyncClient, url: str, status: int, method: str
) -> None:
    for headers in (FUTURE, {"If-None-Match": "*"}, {"If-Match": "*"}, {"If-Match": '"nope"'}):
        assert (await api.request(method, url, headers=headers)).status_code == status, headers


@pytest.mark.parametrize("url", ["/api/v1/datasets", ROWS, "/api/v1/datasets/wages-test"])
async def test_if_match_is_412_unless_it_names_the_current_tag(
    api: httpx.AsyncClient, url: str
) -> None:
    current = await api.get(url, headers=IDENTITY)
    assert current.status_code == 200
    refused = await api.get(url, headers={"If-Match": '"nope"'})
    assert refused.status_code == 412
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert (await api.head(url, headers={"If-Match": '"nope"'})).status_code == 412
    assert (await api.get(url, headers={"If-Match": "*"})).status_code == 200
    kept = await api.get(url, headers={"If-Match": current.headers["etag"], **IDENTITY})
    assert kept.status_code == 200 and kept.content == current.content
    # Strong comparison: the weak form of the tag never matches.
    weak = await api.get(url, headers={"If-Match": "W/" + current.headers["etag"]})
    assert weak.status_code == 412


async def test_if_modified_since_still_revalidates_what_exists(api: httpx.AsyncClient) -> None:
    first = await api.get(ROWS)
    since = {"If-Modified-Since": first.headers["last-modified"]}
    again = await api.get(ROWS, headers=since)
    assert (again.status_code, again.content) == (304, b"")
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["vary"] == first.headers["vary"]


async def test_a_withdrawn_dataset_is_410_whatever_the_conditions(
    make_app: AppFactory, query_store: Path
) -> None:
    # refresh 0: the withdrawal comes through another store object, which a server over an
    # object store notices only after its refresh delay (docs/s3.md); here it must at once.
    transport = httpx.ASGITransport(app=make_app(refresh_seconds=0))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as api:
        assert (await api.get(ROWS)).status_code == 200
        open_test_store(query_store).withdraw("wages-test", "synthetic withdrawal")
        for headers in (FUTURE, {"If-None-Match": "*"}, {"If-Match": "*"}):
            assert (await api.get(ROWS, headers=headers)).status_code == 410


@pytest.mark.parametrize(
    ("header", "gzip"),
    [
        ("gzip", True),
        ("GZIP", True),
        ("Gzip;Q=0.8", True),
        ("x-gzip", True),
        ("*", True),
        ("deflate, gzip;q=1.0, br", True),
        ("gzip;q=0", False),
        ("gzip;q=0.000", False),
        ("gzip;q=0.5, identity;q=1", False),
        ("gzip;q=0.5, *;q=1", False),
        ("*;q=0, identity", False),
        ("gzip;q=2", False),  # no qvalue: what it meant cannot be told
        ("identity;q=0", False),  # identity is served all the same
        ("br", False),
        ("", False),
    ],
)
def test_accept_encoding_is_read_by_the_rfc(header: str, gzip: bool) -> None:
    assert accepts_gzip(header) is gzip


@pytest.mark.parametrize(("header", "gzip"), [("gzip;q=0", False), ("GZIP", True)])
async def test_gzip_follows_accept_encoding_on_every_path(
    api: httpx.AsyncClient, header: str, gzip: bool
) -> None:
    for url in (ROWS, "/openapi.json", "/dataset"):
        answer = await api.get(url, headers={"Accept-Encoding": header})
        assert answer.status_code == 200
        assert (answer.headers.get("content-encoding") == "gzip") is gzip, url


@pytest.mark.parametrize("path", ["/series/a/b%00", "/series/a%1B%5B31m/b", "/dataset/a%01%7Fb"])
async def test_an_error_page_links_only_percent_encoded_urls(
    api: httpx.AsyncClient, path: str
) -> None:
    answer = await api.get(path)
    assert answer.status_code == 404
    links = re.findall(r'(?:href|property="og:url" content)="([^"]*)"', answer.text)
    assert sum(path.split("/")[1] in link for link in links) >= 4  # canonical, 2 hreflang, og
    for link in links:
        assert not re.search(r"[\x00-\x20\x7f]", link), link
    assert re.search(r'rel="canonical" href="[^"]*%(?:00|1B|01)', answer.text)
