"""Memory bombs through SQL: each is refused or bounded, and no process passes its share.

The server runs with a 1024 MB budget: its SQL runs in one sandbox worker whose data segment
the OS caps at 256 MB. A bomb may fail in the worker (400 `query-too-large`), be refused
before it runs (403), or be stopped at the time limit (504); in every case the server's own
memory does not move and the worker stays under its cap.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import httpx
import pytest

from tests.attacks.conftest import MEMORY_BUDGET_MB, assert_healthy, assert_problem, rss_mb
from tests.servers import Server

pytestmark = pytest.mark.slow

SQL = "/api/v1/sql"
# The worker's cap (25 % of the budget, one worker per GB) plus DuckDB's shared code, which
# counts in resident memory but not in the capped data segment.
WORKER_MB = MEMORY_BUDGET_MB * 25 // 100 + 100
# What the server process may grow by while a bomb runs elsewhere.
SERVER_GROWTH_MB = 40


def workers_of(server: Server) -> list[int]:
    """The server's child processes: its SQL sandbox workers."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == server.pid:
            found.append(int(entry.name))
    return found


def peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmHWM for process {pid}")


def bounded(client: httpx.Client, server: Server, text: str, statuses: tuple[int, ...]) -> None:
    """Send the bomb; a refusal among `statuses`; the server and its workers within bounds."""
    client.post(SQL, json={"sql": "SELECT 1"})  # a worker is running before the bomb
    before = rss_mb(server.pid)
    answer = client.post(SQL, json={"sql": text})
    assert answer.status_code in statuses, (answer.status_code, answer.text[:300])
    assert_problem(answer, answer.status_code)
    assert rss_mb(server.pid) < before + SERVER_GROWTH_MB
    for pid in workers_of(server):
        with contextlib.suppress(FileNotFoundError):  # recycled after the bomb
            peak = peak_mb(pid)
            assert peak < WORKER_MB, f"worker {pid} peaked at {peak:.0f} MB"
    assert_healthy(server)


@pytest.mark.parametrize(
    ("text", "statuses"),
    [
        # refused from the literal before anything runs
        ("SELECT length(repeat('x', 1000000000))", (403,)),
        ("SELECT length(repeat('x', 1000000000) || repeat('y', 1000000000))", (403,)),
        ("SELECT length(lpad('x', 2000000000, 'y'))", (403,)),
        ("SELECT length(rpad('x', 2000000000))", (403,)),
        ("SELECT length(printf('%2000000000d', 1))", (403,)),
        ("SELECT length(format('{:>2000000000}', 1))", (403,)),
        ("SELECT list(range(1000000000))", (403,)),
        ("SELECT length(list_resize([1], 2000000000))", (403,)),
        # computed sizes asked for at once: the worker's memory cap refuses them
        ("SELECT length(repeat('x', (SELECT 1000000000)))", (400,)),
        (
            "SELECT length(repeat('x', (SELECT 300000000)) || repeat('y', (SELECT 300000000)))",
            (400,),
        ),
        ("SELECT length(printf((SELECT '%2000000000d'), 1))", (400,)),
        # sizes that grow row by row: the cap or, on a busy machine, the time limit stops them
        ("SELECT length(string_agg(i::VARCHAR, ',')) FROM range(1000000000) t(i)", (400, 504)),
        ("SELECT length(list(i)) FROM range(1000000000) t(i)", (400, 504)),
        ("SELECT length(array_agg(i)) FROM range(1000000000) t(i)", (400, 504)),
        ("SELECT length(lpad('x', (SELECT 2000000000), 'y'))", (400, 504)),
        ("SELECT length(repeat(repeat('x', 10000000), (SELECT 100)))", (400, 504)),
        (
            "WITH RECURSIVE r(s) AS (SELECT 'x' UNION ALL SELECT s || s FROM r "
            "WHERE length(s) < 2000000000) SELECT max(length(s)) FROM r",
            (400, 504),
        ),
        (
            "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) "
            "SELECT count(*) FROM r",
            (400, 504),
        ),
        ("SELECT i, count(*) FROM range(200000000) t(i) GROUP BY i", (400, 504)),
        (
            "SELECT max(r) FROM (SELECT row_number() OVER (ORDER BY hash(i)) AS r "
            "FROM range(200000000) t(i))",
            (400, 504),
        ),
        (
            "SELECT sum(a.workers * b.workers * c.workers * d.workers) FROM wages_test__wages a, "
            "wages_test__wages b, wages_test__wages c, wages_test__wages d",
            (400, 504),
        ),
        ("SELECT count(*) FROM range(10000000000) t(i) WHERE hash(i) = 7", (504,)),
    ],
)
def test_memory_bomb_is_refused_or_bounded(
    client: httpx.Client, server: Server, text: str, statuses: tuple[int, ...]
) -> None:
    bounded(client, server, text, statuses)


@pytest.mark.parametrize(
    "text",
    [
        "SELECT a.*, b.* FROM wages_test__wages a, wages_test__wages b",
        "SELECT repeat('x', 10000) AS s FROM range(100000)",
        "SELECT * FROM range(10000000000)",
    ],
    ids=["cross-join", "wide-rows", "endless"],
)
def test_memory_large_results_are_cut_in_rows_and_bytes(
    client: httpx.Client, server: Server, text: str
) -> None:
    before = rss_mb(server.pid)
    answer = client.post(SQL, json={"sql": text})
    assert answer.status_code == 200, answer.text[:300]
    body = answer.json()
    assert body["truncated"] is True
    assert len(body["rows"]) <= body["row_cap"]
    assert len(answer.content) < body["byte_cap"] + 64 * 1024
    assert rss_mb(server.pid) < before + SERVER_GROWTH_MB + body["byte_cap"] / 2**20 * 4
    assert_healthy(server)


def test_memory_server_stays_small_after_every_bomb(server: Server) -> None:
    # Module order puts this last: after all the bombs, the server holds well under budget.
    assert rss_mb(server.pid) < MEMORY_BUDGET_MB / 2
    assert len(workers_of(server)) <= 1
    assert_healthy(server)
