"""Conditional requests and byte ranges as RFC 9110 says, for every route of the shared
helpers: the tagged documents (`/schemas/datapackage.json`, DCAT, changes) and the stored
Parquet download. The data is SYNTHETIC (`tests.querydata`)."""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.anyio
SCHEMA = "/schemas/datapackage.json"
PARQUET = "/api/v1/datasets/wages-test/resources/wages.parquet"
GZIP = {"Accept-Encoding": "gzip"}
IDENTITY = {"Accept-Encoding": "identity"}


async def test_if_none_match_star_is_304_for_a_document_that_exists(
    api: httpx.AsyncClient,
) -> None:
    for method in ("GET", "HEAD"):
        answer = await api.request(method, SCHEMA, headers={"If-None-Match": "*"})
        assert (answer.status_code, answer.content) == (304, b"")


async def test_if_match_with_another_tag_is_412(api: httpx.AsyncClient) -> None:
    etag = (await api.get(SCHEMA, headers=IDENTITY)).headers["etag"]
    refused = await api.get(SCHEMA, headers={"If-Match": '"not-this-one"'})
    assert (refused.status_code, refused.content) == (412, b"")
    kept = await api.get(SCHEMA, headers={"If-Match": etag, **IDENTITY})
    assert kept.status_code == 200
    assert (await api.get(SCHEMA, headers={"If-Match": "*"})).status_code == 200
    # A weak tag never passes If-Match (strong comparison).
    weak = await api.get(SCHEMA, headers={"If-Match": "W/" + etag})
    assert weak.status_code == 412


async def test_the_gzip_body_has_its_own_tag_and_both_revalidate(
    api: httpx.AsyncClient,
) -> None:
    plain = await api.get(SCHEMA, headers=IDENTITY)
    zipped = await api.get(SCHEMA, headers=GZIP)
    assert zipped.headers["content-encoding"] == "gzip"
    assert plain.headers["etag"] != zipped.headers["etag"]
    assert zipped.headers["etag"].startswith("W/")  # a gzip body is not byte-stable
    for tag in (plain.headers["etag"], zipped.headers["etag"]):
        again = await api.get(SCHEMA, headers={"If-None-Match": tag, **GZIP})
        assert again.status_code == 304


async def test_vary_is_the_same_on_the_304_as_on_the_200(api: httpx.AsyncClient) -> None:
    for headers in (GZIP, IDENTITY):
        full = await api.get(SCHEMA, headers=headers)
        again = await api.get(SCHEMA, headers={"If-None-Match": full.headers["etag"], **headers})
        assert again.status_code == 304
        assert full.headers["vary"] == again.headers["vary"]
        assert full.headers["vary"].count("Accept-Encoding") == 1


@pytest.mark.parametrize("asked", ["bytes=abc", "bytes=9-2", "items=0-3", "bytes", "bytes=-"])
async def test_a_range_that_does_not_parse_is_ignored(api: httpx.AsyncClient, asked: str) -> None:
    whole = await api.get(PARQUET)
    answer = await api.get(PARQUET, headers={"Range": asked})
    assert (answer.status_code, answer.content) == (200, whole.content)


async def test_a_valid_range_past_the_end_is_still_416(api: httpx.AsyncClient) -> None:
    size = len((await api.get(PARQUET)).content)
    beyond = await api.get(PARQUET, headers={"Range": f"bytes={size + 10}-"})
    assert beyond.status_code == 416
    assert beyond.headers["content-range"] == f"bytes */{size}"
    tail = await api.get(PARQUET, headers={"Range": "bytes=-4"})
    assert (tail.status_code, tail.content) == (206, b"PAR1")
