"""HEAD is answered wherever GET is, with GET's headers and no body.

Crawlers and link checkers send HEAD; it once met 405 everywhere outside /api/v1, and the
streamed downloads claimed `Content-Length: 0` for bodies that are not empty.
"""

from __future__ import annotations

import httpx
import pytest

from catalog.search import catalogue_uuid
from tests.attacks.conftest import assert_healthy
from tests.servers import Server

pytestmark = pytest.mark.slow

RESOURCE = catalogue_uuid("resource", "wages-test/wages")
PAGES = [
    "/",
    "/dataset/wages-test",
    "/api/3/action/package_list",
    "/api/3/action/package_show?id=wages-test",
    "/healthz",
    "/sitemap.xml",
    "/robots.txt",
    "/docs",
    "/api/v1/datasets/wages-test",
]
STREAMED = [
    f"/datastore/dump/{RESOURCE}",
    "/api/v1/datasets/wages-test/resources/wages.csv",
    "/api/v1/datasets/wages-test/resources/wages.json",
    "/api/v1/datasets/wages-test.zip",
]


@pytest.mark.parametrize("path", PAGES)
def test_head_answers_as_get_without_the_body(
    client: httpx.Client, server: Server, path: str
) -> None:
    got = client.get(path)
    head = client.head(path)
    assert head.status_code == got.status_code == 200, (head.status_code, got.status_code)
    assert head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]
    assert head.headers.get("content-length") == got.headers.get("content-length")
    assert_healthy(server)


def test_head_of_metrics_is_answered(client: httpx.Client) -> None:
    head = client.head("/metrics")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"].startswith("text/plain")


@pytest.mark.parametrize("path", STREAMED)
def test_head_of_a_streamed_download_claims_no_false_length(
    client: httpx.Client, server: Server, path: str
) -> None:
    got = client.get(path)
    head = client.head(path)
    assert head.status_code == got.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]
    assert head.headers.get("content-length") in (None, str(len(got.content)))
    assert_healthy(server)


def test_head_of_a_refused_dump_is_refused_as_get(client: httpx.Client) -> None:
    got = client.get(f"/datastore/dump/{RESOURCE}", params={"format": "nope"})
    head = client.head(f"/datastore/dump/{RESOURCE}", params={"format": "nope"})
    assert head.status_code == got.status_code == 400
    assert head.content == b""
