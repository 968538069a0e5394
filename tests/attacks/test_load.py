"""Load as a crowd of researchers makes it: concurrent downloads, SQL floods, stalled readers.

Against a real server with the default admission limits (4 queries, 4 downloads at once, a
queue of 256), a 2 s stall limit and a 30 s longest queue wait (so that a flood ends
sooner), and rate buckets raised: every request here comes from one address, which the rate
limit would otherwise rightly count as one client. The store adds `big-test` (200,000 rows,
a 22 MB CSV, synthetic) for the readers that stall, and `mid-test` (20,000 rows) for the
concurrent CSV downloads.

Asserted: no 5xx but the refusals that are meant (503 with Retry-After from the queue, 504
from the query time limit), every body byte-identical to a single download, `/healthz`
within 2 s while 200 slow queries wait, and slots that stalled readers held come back.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import socket
import threading
import time
import zipfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.attacks.conftest import MEMORY_BUDGET_MB, assert_healthy, rss_mb
from tests.querydata import WAGE_SCHEMA, build_store, wage_rows, write_version
from tests.servers import Server, serving

pytestmark = pytest.mark.slow

STALL_SECONDS = 2
SLOW_SQL = (
    "SELECT count(*) AS n FROM wages_test__wages a, wages_test__wages b, wages_test__wages c,"
    " wages_test__wages d WHERE a.workers + b.workers + c.workers + d.workers = 17"
)
FAST_SQL = "SELECT year, count(*) AS n FROM wages_test__wages GROUP BY year ORDER BY year"
DOWNLOADS = [
    "/api/v1/datasets/wages-test/resources/wages.csv",
    "/api/v1/datasets/wages-test/resources/wages.json",
    "/api/v1/datasets/wages-test/resources/wages.ndjson",
    "/api/v1/datasets/wages-test/resources/wages.parquet",
    "/api/v1/datasets/wages-test/resources/wages.parquet?sort=-year",
    "/api/v1/datasets/wages-test/resources/wages.xlsx",
    "/api/v1/datasets/wages-test.zip",
    "/api/v1/datasets/mid-test/resources/wages.csv",
]


@pytest.fixture(scope="module")
def load_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = build_store(tmp_path_factory.mktemp("load") / "store")
    for slug, rows in (("big-test", 200_000), ("mid-test", 20_000)):
        write_version(store, slug, "v1", {"wages": (WAGE_SCHEMA, wage_rows(rows))})
    return store


@pytest.fixture(scope="module")
def server(load_store: Path) -> Iterator[Server]:
    env = {
        "OPENDATA_MEMORY_BUDGET_MB": str(MEMORY_BUDGET_MB),
        "OPENDATA_CLIENT_STALL_SECONDS": str(STALL_SECONDS),
        "OPENDATA_ADMISSION_WAIT_SECONDS": "30",
        "OPENDATA_RATE_SQL_BURST": "100000",
        "OPENDATA_RATE_EXPORTS_BURST": "100000",
    }
    with serving(load_store, env=env) as running:
        yield running


async def crowd(server: Server, path: str, count: int, **params: str) -> list[httpx.Response]:
    """`count` GETs of `path` at once, each on its own connection."""
    limits = httpx.Limits(max_connections=count, max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=server.url, timeout=120, limits=limits) as http:
        return list(
            await asyncio.gather(*(http.get(path, params=params or None) for _ in range(count)))
        )


def digest(path: str, body: bytes) -> str:
    """The body's SHA-256; of an XLSX, of its parts but the creation time it stamps (which
    also changes the compressed size: the export stamps the second it was written)."""
    if ".xlsx" not in path:
        return hashlib.sha256(body).hexdigest()
    with zipfile.ZipFile(io.BytesIO(body)) as workbook:  # a cut-off workbook does not open
        parts = [workbook.read(n) for n in workbook.namelist() if n != "docProps/core.xml"]
    return hashlib.sha256(b"\0".join(parts)).hexdigest()


@pytest.mark.parametrize("path", DOWNLOADS)
def test_load_100_concurrent_downloads_are_all_whole(server: Server, path: str) -> None:
    single = httpx.get(server.url + path, timeout=60)
    assert single.status_code == 200
    answers = asyncio.run(crowd(server, path, 100))
    assert Counter(a.status_code for a in answers) == {200: 100}
    digests = Counter(digest(path, a.content) for a in answers)
    assert digests == {digest(path, single.content): 100}, "a body differs from a single one"
    assert_healthy(server)


def probe_health(server: Server, until: threading.Event) -> list[float]:
    """`/healthz` every 50 ms until `until` is set: each answer's time, all within 2 s (as
    `assert_healthy`: a route holding the event loop holds it for the 2 s query limit)."""
    took = []
    with httpx.Client(base_url=server.url, timeout=10) as http:
        while not until.is_set():
            started = time.monotonic()
            assert http.get("/healthz").status_code == 200
            took.append(time.monotonic() - started)
            assert took[-1] < 2.0, f"/healthz took {took[-1]:.2f} s"
            time.sleep(0.05)
    return took


def flood(server: Server, sql: str, count: int) -> tuple[list[httpx.Response], list[float]]:
    """`count` SQL queries at once while /healthz is probed from another thread."""
    done = threading.Event()
    probed: list[list[float]] = []
    prober = threading.Thread(target=lambda: probed.append(probe_health(server, done)))
    prober.start()
    try:
        answers = asyncio.run(crowd(server, "/api/v1/sql", count, sql=sql))
    finally:
        done.set()
        prober.join()
    assert probed, "the /healthz probe failed"
    return answers, probed[0]


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * 0.99) - 1)]


def test_load_200_slow_queries_are_refused_in_order_and_health_stays_fast(
    server: Server,
) -> None:
    answers, took = flood(server, SLOW_SQL, 200)
    statuses = Counter(a.status_code for a in answers)
    # Four at a time run into the time limit (504); the queue waits 30 s, then 503.
    assert set(statuses) <= {503, 504}, statuses
    assert statuses[504] >= 4
    for answer in answers:
        assert answer.headers["content-type"] == "application/problem+json"
        if answer.status_code == 503:
            assert int(answer.headers["retry-after"]) >= 1
    print(f"\n/healthz under 200 slow queries: n={len(took)} p99={p99(took) * 1000:.0f} ms")
    assert_healthy(server)


def test_load_200_concurrent_queries_are_all_answered(server: Server) -> None:
    single = httpx.get(server.url + "/api/v1/sql", params={"sql": FAST_SQL}, timeout=30)
    answers, took = flood(server, FAST_SQL, 200)
    assert Counter(a.status_code for a in answers) == {200: 200}
    assert {a.content for a in answers} == {single.content}
    print(f"\n/healthz under 200 fast queries: n={len(took)} p99={p99(took) * 1000:.0f} ms")
    assert_healthy(server)


def stalled_reader(server: Server, path: str) -> socket.socket:
    """A download asked for and never read, with a receive window of 4 KB."""
    port = int(server.url.rsplit(":", 1)[1])
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: load.test\r\n\r\n".encode())
    return sock


def cut_off(sock: socket.socket) -> bool:
    """Whether the server closed `sock` (after what it had sent is drained)."""
    sock.settimeout(5)
    try:
        while sock.recv(1 << 20):
            pass
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True
    return True


def test_load_stalled_readers_are_cut_off_and_free_their_slots(server: Server) -> None:
    big = "/api/v1/datasets/big-test/resources/wages.csv"
    # Twice what one client may run at once (OPENDATA_MAX_RUNNING_PER_CLIENT, 2).
    readers = [stalled_reader(server, big) for _ in range(4)]
    try:
        time.sleep(0.5)  # two stalled downloads hold this client's slots, two more wait
        url = server.url + "/api/v1/datasets/wages-test/resources/wages.csv"
        # Another client is not held up by them: the slots they cannot take are its.
        other = httpx.HTTPTransport(local_address="127.0.0.2")
        with httpx.Client(transport=other, timeout=60) as elsewhere:
            assert elsewhere.get(url).status_code == 200
        # The stalling client's own next download waits its turn, behind its readers: served
        # once they are cut STALL_SECONDS after stalling, well within the queue wait (30 s).
        fresh = httpx.get(url, timeout=60)
        assert fresh.status_code == 200
        assert fresh.content == httpx.get(url, timeout=60).content
        assert rss_mb(server.pid) < MEMORY_BUDGET_MB
        assert all(cut_off(sock) for sock in readers)
    finally:
        for sock in readers:
            sock.close()
    assert_healthy(server)
