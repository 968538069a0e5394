"""Downloads through a real uvicorn: byte ranges of the stored Parquet, a large CSV export
streamed in constant memory (the server's peak RSS is read from /proc), and downloads that
fail mid-stream cut off, never ended as if complete."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from catalog.search import catalogue_uuid
from tests.api.downloaddata import add_events
from tests.querydata import build_store, stored_file
from tests.servers import serving

pytestmark = pytest.mark.slow

EVENTS = "/api/v1/datasets/big-test/resources/events"
ROWS = 3_000_000
# The export below is ~145 MB of CSV: a server that held it, or its Arrow table, would grow
# by more than this.
RSS_GROWTH_BOUND = 64 * 1024 * 1024


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int, Path]]:
    store = build_store(tmp_path_factory.mktemp("download-server") / "store")
    add_events(store, ROWS)
    with serving(store) as server:
        yield server.url, server.pid, store


def memory(pid: int, key: str) -> int:
    """`VmHWM` (peak) or `VmRSS` of a process, in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"no {key} for process {pid}")


def test_server_serves_byte_ranges_of_the_stored_parquet(served: tuple[str, int, Path]) -> None:
    url, _, store = served
    stored = stored_file(store, "wages-test", "v2", "wages.parquet").read_bytes()
    parquet = url + "/api/v1/datasets/wages-test/resources/wages.parquet"
    whole = httpx.get(parquet)
    assert whole.headers["accept-ranges"] == "bytes"
    assert whole.content == stored
    # The footer, as a Parquet reader asks for it first.
    tail = httpx.get(parquet, headers={"Range": "bytes=-8"})
    assert tail.status_code == 206
    assert tail.content == stored[-8:] and tail.content.endswith(b"PAR1")
    assert (
        tail.headers["content-range"] == f"bytes {len(stored) - 8}-{len(stored) - 1}/{len(stored)}"
    )
    middle = httpx.get(parquet, headers={"Range": "bytes=4-99"})
    assert middle.status_code == 206
    assert middle.content == stored[4:100]
    beyond = httpx.get(parquet, headers={"Range": f"bytes={len(stored) + 10}-"})
    assert beyond.status_code == 416
    assert beyond.headers["content-range"] == f"bytes */{len(stored)}"
    # If-Range with the current ETag keeps the range; with a stale one the whole file comes.
    etag = whole.headers["etag"]
    kept = httpx.get(parquet, headers={"Range": "bytes=0-3", "If-Range": etag})
    assert kept.status_code == 206 and kept.content == b"PAR1"
    stale = httpx.get(parquet, headers={"Range": "bytes=0-3", "If-Range": '"old"'})
    assert stale.status_code == 200 and stale.content == stored


@pytest.mark.slow
def test_server_streams_a_large_csv_in_constant_memory(served: tuple[str, int, Path]) -> None:
    url, pid, _ = served
    warm = httpx.get(url + EVENTS + ".csv", params={"id__lt": "100000"})
    assert warm.status_code == 200
    before = memory(pid, "VmHWM")
    size = lines = 0
    started = time.monotonic()
    headers = {"Accept-Encoding": "identity"}
    with httpx.stream("GET", url + EVENTS + ".csv", headers=headers, timeout=120) as response:
        assert response.status_code == 200
        assert "content-length" not in response.headers  # streamed, not built first
        for chunk in response.iter_bytes():
            size += len(chunk)
            lines += chunk.count(b"\n")
    seconds = time.monotonic() - started
    growth = memory(pid, "VmHWM") - before
    print(
        f"\nCSV export: {ROWS:,} rows, {size / 1e6:.0f} MB in {seconds:.2f} s "
        f"({ROWS / seconds:,.0f} rows/s); server peak RSS grew {growth / 1e6:.1f} MB "
        f"to {memory(pid, 'VmHWM') / 1e6:.0f} MB"
    )
    assert lines == ROWS + 1
    assert size > 2 * RSS_GROWTH_BOUND
    assert growth < RSS_GROWTH_BOUND


# -- a failure mid-stream cuts the body: never a complete-looking answer short of its rows -----

BROKEN_ROWS = 600_000


@pytest.fixture(scope="module")
def breakable(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A server over a store whose events file the tests damage (and mend) while it serves
    (`damaged`); `lying-test` has a descriptor that counts one row more than its file holds."""
    store = build_store(tmp_path_factory.mktemp("breakable") / "store")
    # Row groups of 50,000 rows: the export reads most of them well after the first bytes.
    add_events(store, BROKEN_ROWS, group_rows=50_000)
    lying = {"slug": "lying-test", "described_rows": BROKEN_ROWS + 1}
    add_events(store, BROKEN_ROWS, group_rows=50_000, **lying)
    with serving(store) as server:
        yield server.url, store


def read_whole(
    url: str, headers: dict[str, str], cut: Callable[[], None] | None = None
) -> tuple[int, str]:
    """Read the body of `url` to its end (calling `cut` after the first 256 KB of it,
    decoded); its status and the sha256 of the decoded body."""
    received = hashlib.sha256()
    size = 0
    with httpx.stream("GET", url, headers=headers, timeout=120) as response:
        for chunk in response.iter_bytes():
            received.update(chunk)
            size += len(chunk)
            if cut is not None and size > 256 * 1024:
                cut()
                cut = None
        return response.status_code, received.hexdigest()


@contextmanager
def truncated_later(store: Path) -> Iterator[Callable[[], None]]:
    """A function that cuts the folder `store`'s events file to a third, and the file mended
    after the block."""
    path = stored_file(store, "big-test", "b1", "events.parquet")
    original = path.read_bytes()
    try:
        yield lambda: os.truncate(path, len(original) // 3)
    finally:
        path.write_bytes(original)


DAMAGED = [
    "/api/v1/datasets/big-test/resources/events.csv",
    "/api/v1/datasets/big-test/resources/events.ndjson?region=遵义市",
    "/api/v1/datasets/big-test/resources/events.json?wait_seconds__gt=1",
    "/api/v1/datasets/big-test/resources/events.parquet?fields=id,day",
    "/api/v1/datasets/big-test.zip",
]


# Damaging a stored file while it is read is possible only on disk: an object is replaced
# whole, never cut under a reader.
DAMAGES_A_FILE = "cuts the folder store's Parquet file on disk while the server reads it"


@pytest.mark.folder_store(DAMAGES_A_FILE)
@pytest.mark.parametrize("encoding", ["gzip", "identity"])
@pytest.mark.parametrize("path", DAMAGED)
def test_a_download_whose_file_breaks_mid_stream_is_cut_or_whole(
    breakable: tuple[str, Path], path: str, encoding: str
) -> None:
    url, store = breakable
    headers = {"Accept-Encoding": encoding}
    assert_cut_or_whole(url + path, headers, store)


def assert_cut_or_whole(url: str, headers: dict[str, str], store: Path) -> None:
    """Cut under the reader, the file gives a download that ends in an error, or the whole
    and exact body, read before the cut or from DuckDB's cache of the file: never a body
    that ends cleanly short of it."""
    with truncated_later(store) as cut:
        try:
            damaged: tuple[int, str] | None = read_whole(url, headers, cut)
        except httpx.RemoteProtocolError:
            damaged = None
    # Mended, the same download completes.
    whole = read_whole(url, headers)
    assert whole[0] == 200
    assert damaged in (None, whole)


@pytest.mark.folder_store(DAMAGES_A_FILE)
def test_a_datastore_dump_whose_file_breaks_mid_stream_is_cut_or_whole(
    breakable: tuple[str, Path],
) -> None:
    url, store = breakable
    dump = url + "/datastore/dump/" + catalogue_uuid("resource", "big-test/events")
    assert_cut_or_whole(dump, {}, store)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/datasets/lying-test/resources/events.csv",
        "/api/v1/datasets/lying-test/resources/events.ndjson",
        "/api/v1/datasets/lying-test.zip",
        "/datastore/dump/" + catalogue_uuid("resource", "lying-test/events"),
    ],
)
def test_server_cuts_a_download_with_fewer_rows_than_published(
    breakable: tuple[str, Path], path: str
) -> None:
    url, _ = breakable
    with pytest.raises(httpx.RemoteProtocolError):
        read_whole(url + path, {"Accept-Encoding": "identity"})
