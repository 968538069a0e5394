"""SIGTERM: the server stops accepting, finishes the downloads it is sending (read slowly by
their clients) byte for byte, and exits 0, within `OPENDATA_SHUTDOWN_GRACE_SECONDS`."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.ops.running import (
    BIG,
    body_of,
    publish_big,
    read_all,
    refused,
    slow_request,
    stored_csv,
)
from tests.servers import Server, serving

pytestmark = pytest.mark.slow

DOWNLOAD = f"/api/v1/datasets/{BIG}/resources/big.csv"


@pytest.fixture(scope="module")
def big_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return publish_big(tmp_path_factory.mktemp("shutdown"))


@pytest.fixture
def server(big_store: Path, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Server]:
    env = {"OPENDATA_STATE": str(tmp_path / "state"), **getattr(request, "param", {})}
    with serving(big_store, env=env) as running:
        yield running


def test_sigterm_finishes_a_slow_download_whole_then_exits_0(
    server: Server, big_store: Path
) -> None:
    expected = stored_csv(big_store)
    assert len(expected) > 3_000_000  # far more than the sockets' buffers hold
    sock = slow_request(server.url, DOWNLOAD)
    with sock:
        first = sock.recv(4096)
        assert first.startswith(b"HTTP/1.1 200")
        server.process.send_signal(signal.SIGTERM)
        assert refused(server.url)  # no new connection once the signal arrived
        time.sleep(1.0)
        assert server.process.poll() is None  # still sending the download
        rest = read_all(sock, pause=0.0005, chunk=16384)
    status, body = body_of(first + rest)
    assert status == "HTTP/1.1 200 OK"
    assert body == expected
    assert server.process.wait(timeout=30) == 0


@pytest.mark.parametrize("server", [{"OPENDATA_SHUTDOWN_GRACE_SECONDS": "1"}], indirect=True)
def test_sigterm_cuts_a_stalled_download_off_after_the_grace(server: Server) -> None:
    sock = slow_request(server.url, DOWNLOAD)
    with sock:
        assert sock.recv(4096).startswith(b"HTTP/1.1 200")
        started = time.monotonic()
        server.process.send_signal(signal.SIGTERM)  # and the client reads no more
        status = server.process.wait(timeout=30)
    assert status == 0
    assert time.monotonic() - started < 15  # the grace, the shutdown and the interpreter's exit


@pytest.mark.parametrize("server", [{"OPENDATA_SHUTDOWN_DRAIN_SECONDS": "3"}], indirect=True)
def test_sigterm_turns_readyz_503_at_once_while_draining(server: Server) -> None:
    assert httpx.get(server.url + "/readyz", timeout=10).status_code == 200
    server.process.send_signal(signal.SIGTERM)
    time.sleep(0.3)
    draining = httpx.get(server.url + "/readyz", timeout=10)
    alive = httpx.get(server.url + "/healthz", timeout=10)
    assert draining.status_code == 503
    assert draining.json()["not_ready"] == ["shutdown"]
    assert alive.status_code == 200  # still serving what reaches it
    assert refused(server.url, seconds=10)  # then it stops accepting
    assert server.process.wait(timeout=30) == 0
