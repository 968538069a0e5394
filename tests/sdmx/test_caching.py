"""SDMX answers are cached as /api/v1's are: a strong ETag from what the message is made of
(published versions, the normalised request, the format), `Cache-Control`, 304 before anything
is read or rendered, and a HEAD that renders nothing. An equal ETag means equal bytes."""

from __future__ import annotations

import httpx
import pytest

from catalog.sdmx import SPECIFIC_TYPE

pytestmark = pytest.mark.anyio

FLOW = "national-hrss-bulletin"
DATA = f"/sdmx/data/{FLOW}"
PATHS = (
    "/sdmx/dataflow/all/all/latest",
    f"/sdmx/datastructure/GZHRSS/{FLOW}/latest?references=children",
    "/sdmx/codelist/GZHRSS/CL_REGION/latest",
    f"{DATA}/urban_new_jobs+urban_registered_unemployment_rate.000000.?startPeriod=2015",
)


@pytest.mark.parametrize("path", PATHS)
async def test_an_answer_has_a_strong_etag_and_cache_control(
    web: httpx.AsyncClient, path: str
) -> None:
    plain = {"Accept-Encoding": "identity"}
    first, second = await web.get(path, headers=plain), await web.get(path, headers=plain)
    assert first.status_code == 200
    assert first.headers["cache-control"] == "public, max-age=60"
    etag = first.headers["etag"]
    assert etag.startswith('"') and etag == second.headers["etag"]
    assert first.content == second.content  # the header's ID and Prepared included
    assert "Accept" in first.headers["vary"]


@pytest.mark.parametrize("path", PATHS)
async def test_a_matching_if_none_match_is_304(web: httpx.AsyncClient, path: str) -> None:
    etag = (await web.get(path, headers={"Accept-Encoding": "identity"})).headers["etag"]
    gzipped = (await web.get(path, headers={"Accept-Encoding": "gzip"})).headers["etag"]
    assert gzipped == f'W/{etag[:-1]}-gzip"'
    for header, named in ((etag, etag), (f'"other", {etag}', etag), (gzipped, gzipped)):
        answer = await web.get(path, headers={"If-None-Match": header})
        assert answer.status_code == 304
        assert answer.content == b""
        assert answer.headers["etag"] == named
    stale = await web.get(path, headers={"If-None-Match": '"stale"'})
    assert stale.status_code == 200


async def test_the_etag_names_the_format_and_the_request_not_its_spelling(
    web: httpx.AsyncClient,
) -> None:
    generic = await web.get(f"{DATA}/urban_new_jobs+urban_registered_unemployment_rate..")
    swapped = await web.get(f"{DATA}/urban_registered_unemployment_rate+urban_new_jobs..")
    assert generic.headers["etag"] == swapped.headers["etag"]
    assert generic.content == swapped.content
    specific = await web.get(
        f"{DATA}/urban_new_jobs+urban_registered_unemployment_rate..",
        headers={"Accept": SPECIFIC_TYPE},
    )
    assert specific.headers["etag"] != generic.headers["etag"]
    later = await web.get(f"{DATA}/urban_new_jobs..?startPeriod=2016")
    assert later.headers["etag"] != (await web.get(f"{DATA}/urban_new_jobs..")).headers["etag"]


async def test_304_is_answered_before_anything_is_read(
    web: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = f"{DATA}/urban_new_jobs.000000.annual"
    etag = (await web.get(path)).headers["etag"]

    def unreadable(*args: object) -> None:
        raise AssertionError("read for a 304")

    monkeypatch.setattr("catalog.sdmx.service.read_observations", unreadable)
    answer = await web.get(path, headers={"If-None-Match": etag})
    assert answer.status_code == 304


async def test_head_is_get_without_the_body(web: httpx.AsyncClient) -> None:
    """HEAD makes the body GET makes (so that gzip sets the same headers on both: see
    `test_attack_review`) and drops it."""
    got = await web.get("/sdmx/dataflow/all/all/latest", headers={"Accept-Encoding": "identity"})
    head = await web.head("/sdmx/dataflow/all/all/latest", headers={"Accept-Encoding": "identity"})
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == got.headers["etag"]
    assert head.headers["content-type"] == got.headers["content-type"]
    data = await web.head(f"{DATA}/urban_new_jobs.000000.annual")
    assert data.status_code == 200 and data.headers["etag"]
    missing = await web.head(f"{DATA}/urban_new_jobs.520000.annual")
    assert missing.status_code == 404  # the read says so; the message is not made
