"""Equal `ETag` means equal bytes, checked by hashing bodies from real servers.

Every URL below (formats × filters × sort × fields × gzip on and off) is fetched twice from
one `opendata serve` and once from a second, fresh server process over the same store; the
events file is in small row groups and DuckDB runs four threads, which is what made an
unsorted export come back in a different order each time. A strong tag must always name
the same bytes; a weak one (gzip) the same decoded bytes; and two different bodies never
share a tag. The data is SYNTHETIC (`tests.querydata`, `tests.api.downloaddata`).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.api.downloaddata import add_events, add_formulas
from tests.querydata import build_store
from tests.servers import Server, serving

pytestmark = pytest.mark.slow

EVENTS = "/api/v1/datasets/big-test/resources/events"
WAGES = "/api/v1/datasets/wages-test/resources/wages"
CELLS = "/api/v1/datasets/formulas-test/resources/cells"
URLS = [
    EVENTS + ".csv",
    EVENTS + ".csv?bom=true",
    EVENTS + ".csv?sort=-wait_seconds",
    EVENTS + ".csv?sort=topic&fields=topic,day",
    EVENTS + ".ndjson?region=遵义市",
    EVENTS + ".json?fields=id,region&id__lt=20000",
    EVENTS + ".parquet?day__gte=1975-01-01",
    EVENTS + ".parquet",
    WAGES + ".xlsx",
    WAGES + ".xlsx?sort=-avg_wage",
    WAGES + ".csv?fields=year&fields=workers",
    WAGES + ".csv?fields=workers&fields=year",
    WAGES + "/rows?sort=-year&limit=20",
    CELLS + ".csv",
    "/api/v1/datasets/wages-test.zip",
    "/api/v1/datasets/big-test.zip",
]
ENCODINGS = ("gzip", "identity")
# One public base URL for both servers (by default it names the port, which differs).
ENV = {"OPENDATA_DUCKDB_THREADS": "4", "OPENDATA_BASE_URL": "https://data.example.org"}


@dataclass(frozen=True)
class Fetched:
    url: str
    encoding: str
    etag: str
    raw: str  # sha256 of the bytes on the wire
    decoded: str  # sha256 of the body once any Content-Encoding is undone


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = build_store(tmp_path_factory.mktemp("etag") / "store")
    add_formulas(store)
    add_events(store, 60_000, group_rows=2_000)
    return store


@pytest.fixture(scope="module")
def first(store: Path) -> Iterator[Server]:
    with serving(store, env=ENV) as server:
        yield server


def fetch(server: Server, url: str, encoding: str) -> Fetched:
    raw, decoded = hashlib.sha256(), hashlib.sha256()
    headers = {"Accept-Encoding": encoding}
    with httpx.stream("GET", server.url + url, headers=headers, timeout=120) as response:
        assert response.status_code == 200, (url, response.status_code)
        for chunk in response.iter_raw():
            raw.update(chunk)
    with httpx.stream("GET", server.url + url, headers=headers, timeout=120) as again:
        for chunk in again.iter_bytes():
            decoded.update(chunk)
        assert again.headers["etag"] == response.headers["etag"]
    return Fetched(url, encoding, response.headers["etag"], raw.hexdigest(), decoded.hexdigest())


def test_equal_etags_name_equal_bytes_across_requests_and_processes(
    store: Path, first: Server
) -> None:
    fetched = [fetch(first, url, encoding) for url in URLS for encoding in ENCODINGS]
    fetched += [fetch(first, url, encoding) for url in URLS for encoding in ENCODINGS]
    with serving(store, env=ENV) as fresh:
        fetched += [fetch(fresh, url, encoding) for url in URLS for encoding in ENCODINGS]
    by_tag: dict[str, set[str]] = defaultdict(set)
    for one in fetched:
        by_tag[one.etag].add(one.decoded if one.etag.startswith("W/") else one.raw)
    assert {tag: bodies for tag, bodies in by_tag.items() if len(bodies) > 1} == {}
    # Different bodies, different tags: as many tags as distinct (URL, encoding) bodies.
    identity = {(one.url, one.raw) for one in fetched if one.encoding == "identity"}
    assert len(identity) == len(URLS)
    assert len({one.etag for one in fetched if one.encoding == "identity"}) == len(URLS)
    # A gzip body is weak-tagged unless it was not compressed (Parquet, XLSX, zip).
    for one in fetched:
        if one.encoding == "gzip" and one.etag.startswith("W/"):
            assert one.etag.endswith('-gzip"')


def test_if_range_serves_a_range_only_for_the_strong_tag(first: Server) -> None:
    url = first.url + EVENTS + ".parquet"
    whole = httpx.get(url)
    tag = whole.headers["etag"]
    assert not tag.startswith("W/")
    ranged = httpx.get(url, headers={"Range": "bytes=0-3", "If-Range": tag})
    assert (ranged.status_code, ranged.content) == (206, b"PAR1")
    assert ranged.headers["etag"] == tag
    # A weak tag, or the gzip form of the tag, never validates a range: the whole file comes.
    for stale in ("W/" + tag, "W/" + tag[:-1] + '-gzip"', '"other"'):
        full = httpx.get(url, headers={"Range": "bytes=0-3", "If-Range": stale})
        assert (full.status_code, full.content) == (200, whole.content)
    # gzip asked or not, the stored Parquet is sent as it is, ranges and all.
    zipped = httpx.get(url, headers={"Range": "bytes=-4", "Accept-Encoding": "gzip"})
    assert zipped.status_code == 206 and zipped.content == b"PAR1"
    assert "content-encoding" not in zipped.headers


def test_a_range_on_an_encoded_download_is_the_whole_body(first: Server) -> None:
    url = first.url + WAGES + ".csv"
    whole = httpx.get(url, headers={"Accept-Encoding": "identity"})
    ranged = httpx.get(url, headers={"Range": "bytes=0-9", "Accept-Encoding": "identity"})
    assert ranged.status_code == 200
    assert ranged.content == whole.content
    assert ranged.headers["etag"] == whole.headers["etag"]
