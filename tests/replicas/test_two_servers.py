"""Two real `opendata serve` processes over one folder store and one state database (SQLite,
then PostgreSQL) act as one: the same answers, a build seen by both within the refresh
delay without a restart, a revocation refused by both at once, one rate limit for a client
alternating between them, usage added up from both, and one left serving when the other
is killed mid-download."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest

from catalog.state import UsageLog, open_state, sqlite_url, usage_day
from catalog.store import FolderStore
from tests.conftest import WAGE_CSV, write_regions, write_wages
from tests.postgres import PostgresServer
from tests.replicas.published import publish
from tests.servers import OPENDATA, Server, serving, state_of

pytestmark = pytest.mark.slow

REFRESH_SECONDS = 1.0
MARGIN_SECONDS = 4.0  # a loaded two-core machine: a build's last write to a look at it
RATE, BURST = 4, 4  # searches per second per client, and at once
BIG, BIG_ROWS = "big-test", 1_000_000  # a download far larger than the sockets' buffers
OPEN = "wages-test"
ROWS = f"/api/v1/datasets/{OPEN}/resources/wages/rows"
CSV = f"/api/v1/datasets/{OPEN}/resources/wages.csv"
WRITE = "/api/3/action/package_patch"


@dataclass(frozen=True)
class Replicas:
    """Two servers of one store and one database, and what publishes into them."""

    a: Server
    b: Server
    store: Path
    datasets: Path
    database: str
    env: dict[str, str]

    def client(self, server: Server, address: str, **headers: str) -> httpx.Client:
        """A client that the servers see as `address` (they trust X-Forwarded-For)."""
        sent = {"X-Forwarded-For": address, **headers}
        return httpx.Client(base_url=server.url, headers=sent, timeout=60)

    def build(self, *targets: str) -> None:
        opendata(self.datasets, self.store, self.env, "build", *targets)

    def opendata(self, *args: str) -> None:
        opendata(self.datasets, self.store, self.env, *args)

    def both(self) -> tuple[Server, Server]:
        return self.a, self.b


def opendata(datasets: Path, store: Path, env: dict[str, str], *args: str) -> None:
    """An `opendata` command as a steward runs it, beside the servers."""
    command = [OPENDATA, "--datasets", str(datasets), "--store", str(store), *args]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=300, env={**os.environ, **env}
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def replicas(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Replicas]:
    root = tmp_path_factory.mktemp("replicas")
    datasets, store = root / "datasets", root / "store"
    write_regions(datasets)
    write_wages(datasets)
    database = sqlite_url(state_of(store))
    if request.param == "postgresql":
        server: PostgresServer = request.getfixturevalue("postgres")
        database = server.new_database()
    env = {
        "OPENDATA_STATE": str(state_of(store)),
        "OPENDATA_DATABASE_URL": database,
        "OPENDATA_REFRESH_SECONDS": str(REFRESH_SECONDS),
        "OPENDATA_BASE_URL": "https://opendata.example.org",  # one name behind the balancer
        "OPENDATA_TRUST_FORWARDED_HEADERS": "true",
        "OPENDATA_RATE_SEARCH_PER_SECOND": str(RATE),
        "OPENDATA_RATE_SEARCH_BURST": str(BURST),
        "OPENDATA_USAGE_FLUSH_SECONDS": "1",
    }
    opendata(datasets, store, env, "build")
    publish(FolderStore(store), BIG, "v1", rows=BIG_ROWS)
    with serving(store, env=env) as a, serving(store, env=env) as b:
        yield Replicas(a, b, store, datasets, database, env)


def answers(replicas: Replicas, server: Server) -> list[Any]:
    """What a client reads of the catalogue and of one dataset through `server`."""
    with replicas.client(server, "198.51.100.1") as client:
        listed = client.get("/api/3/action/package_list").json()
        shown = client.get("/api/3/action/package_show", params={"id": OPEN}).json()
        rows = client.get(ROWS, params={"limit": 10}).json()
        download = client.get(CSV)
        return [listed, shown, rows, download.status_code, download.headers["etag"],
                download.content]  # fmt: skip


def test_both_replicas_give_identical_answers(replicas: Replicas) -> None:
    first, second = (answers(replicas, server) for server in replicas.both())
    assert first == second
    assert sorted(first[0]["result"]) == [BIG, "regions-test", OPEN]
    assert first[3] == 200 and b"520100" in first[5]


def wait_for(check: Callable[[], bool], seconds: float) -> float:
    """Seconds until `check` held, polling; fails past `seconds`."""
    started = time.monotonic()
    while not check():
        assert time.monotonic() - started < seconds, "not seen in time"
        time.sleep(0.05)
    return time.monotonic() - started


def shown_version(replicas: Replicas, server: Server) -> str:
    with replicas.client(server, "198.51.100.2") as client:
        found = client.get("/api/3/action/package_show", params={"id": OPEN}).json()
    return str(found["result"]["version"])


def changed(replicas: Replicas, server: Server, before: str) -> bool:
    return shown_version(replicas, server) != before


def test_a_build_while_both_serve_is_served_by_both_within_the_refresh_delay(
    replicas: Replicas,
) -> None:
    before = shown_version(replicas, replicas.a)
    pids = [server.pid for server in replicas.both()]
    write_wages(replicas.datasets, WAGE_CSV + "520200,2022,310,81000.00,2023-06-01\n")
    replicas.build(OPEN)
    for server in replicas.both():
        waited = wait_for(partial(changed, replicas, server, before), 30)
        assert waited <= REFRESH_SECONDS + MARGIN_SECONDS
    first, second = (answers(replicas, server) for server in replicas.both())
    assert first == second
    assert len(first[2]["rows"]) == 4 and b"520200,2022" in first[5]
    assert [server.pid for server in replicas.both()] == pids  # no restart
    assert all(server.process.poll() is None for server in replicas.both())


def write_status(replicas: Replicas, server: Server, token: str) -> int:
    """A write with `token` of a dataset that does not exist: 403 when the token is refused."""
    auth = {"Authorization": f"Bearer {token}"}
    with replicas.client(server, "198.51.100.3", **auth) as client:
        return client.post(WRITE, json={"id": "no-such-dataset"}).status_code


def test_a_token_revoked_through_one_replica_is_refused_by_the_other_at_once(
    replicas: Replicas,
) -> None:
    state = open_state(replicas.database)
    try:
        _, token = state.tokens.create("replica steward", ["admin"])
        assert [write_status(replicas, s, token) for s in replicas.both()] == [404, 404]
        replicas.opendata("token", "revoke", "replica steward")  # beside the servers
        assert [write_status(replicas, s, token) for s in replicas.both()] == [403, 403]
    finally:
        state.close()


def test_a_client_alternating_between_replicas_is_held_to_one_rate(replicas: Replicas) -> None:
    seconds = 6.0
    answered: list[int] = []
    clients = [replicas.client(server, "198.51.100.4") for server in replicas.both()]
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        for client in clients:
            answered.append(client.get("/api/v1/datasets").status_code)
    for client in clients:
        client.close()
    served = answered.count(200)
    # One server alone lets RATE x seconds + BURST through; two that did not share would let
    # twice that. Shared: each server's own burst, and a second of the other's lag at most.
    assert served <= RATE * seconds + 2 * BURST + RATE * REFRESH_SECONDS
    assert served >= RATE * seconds * 0.5
    assert set(answered) == {200, 429}


def downloads(replicas: Replicas) -> int:
    """The downloads of the open dataset the database counts today."""
    state = open_state(replicas.database)
    try:
        day = usage_day(datetime.now(UTC))
        counts = UsageLog(state.database).between(day, day)
    finally:
        state.close()
    return sum(n for key, n in counts.items() if key.dataset == OPEN and key.kind == "download")


def test_usage_counted_by_both_replicas_adds_up_without_loss(replicas: Replicas) -> None:
    time.sleep(2.5)  # what earlier tests counted reaches the database (a flush a second)
    before = downloads(replicas)
    for server, times in ((replicas.a, 3), (replicas.b, 2)):
        with replicas.client(server, "198.51.100.5") as client:
            for _ in range(times):
                assert client.get(CSV).status_code == 200
    wait_for(lambda: downloads(replicas) == before + 5, 15)
    time.sleep(2.5)
    assert downloads(replicas) == before + 5


def test_one_replica_killed_mid_download_leaves_the_other_serving(replicas: Replicas) -> None:
    path = f"/api/v1/datasets/{BIG}/resources/values.csv"
    received = 0
    with (
        replicas.client(replicas.b, "198.51.100.6") as client,
        client.stream("GET", path) as answer,
    ):
        assert answer.status_code == 200
        etag = answer.headers["etag"]
        with pytest.raises(httpx.TransportError):
            for chunk in answer.iter_raw():
                if received == 0:
                    os.kill(replicas.b.pid, signal.SIGKILL)
                received += len(chunk)
    replicas.b.process.wait(timeout=30)
    with replicas.client(replicas.a, "198.51.100.6") as client:
        whole = client.get(path)
        assert whole.status_code == 200 and whole.headers["etag"] == etag
        assert whole.content.count(b"\n") == BIG_ROWS + 1  # the header line and every row
        assert received < len(whole.content)
        assert client.get("/api/3/action/package_list").status_code == 200
