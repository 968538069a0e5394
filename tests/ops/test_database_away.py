"""A state database that stops answering (issue 17's operator trial, on PostgreSQL): a write
is 503 with Retry-After (a load balancer tries again), /healthz stays 200 from memory, and the
replica's rate-limit sharing logs one line with a count, not a traceback twice a second."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from benchmarks import serve_opendata
from tests.postgres import PostgresServer, postgres_server

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresServer]:
    with postgres_server() as server:
        yield server


def refuse_connections(server: PostgresServer, url: str) -> None:
    """The database stops answering: no new connection, the open ones ended."""
    name = url.rsplit("/", 1)[1]
    server.psql(f"ALTER DATABASE {name} ALLOW_CONNECTIONS false")
    server.psql(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")


def test_a_database_away_is_503_with_retry_after_and_one_log_line(
    real_store: Path, tmp_path: Path, postgres: PostgresServer
) -> None:
    url = postgres.new_database()
    log = tmp_path / "server.log"
    env = {"OPENDATA_STATE": str(tmp_path / "state"), "OPENDATA_DATABASE_URL": url}
    with (
        serve_opendata(real_store, log=log, env=env, timeout=60) as server,
        httpx.Client(base_url=server.url, timeout=30) as client,
    ):
        assert client.get("/api/3/action/package_search", params={"q": "x"}).status_code == 200
        refuse_connections(postgres, url)
        deadline = time.monotonic() + 3  # six rate-limit windows, each failing to sync
        while time.monotonic() < deadline:
            client.get("/api/3/action/package_search", params={"q": "wage"})
            time.sleep(0.05)
        write = client.post(
            "/api/3/action/package_create",
            json={"name": "new-one"},
            # Well formed: only the database can say whether it is a token.
            headers={"Authorization": "Bearer odt_0123456789ab_secret-part"},
        )
        alive = client.get("/healthz")
    assert write.status_code == 503, write.text
    assert int(write.headers["retry-after"]) >= 1
    assert write.json()["error"]["__type"] == "Service Unavailable"
    assert (
        write.json()["error"]["message"] == "the state database did not answer; retry in a moment"
    )
    assert "postgres" not in write.text.lower() and str(postgres.port) not in write.text
    assert alive.status_code == 200
    text = log.read_text(encoding="utf-8")
    assert text.count("rates: the counts were not shared") == 1, text[-3000:]
    assert (
        "Exception in ASGI application" not in text
        and "CKAN action package_create failed" not in text
    )


def test_usage_flushes_log_one_line_per_outage_and_one_when_it_ends(
    real_store: Path, tmp_path: Path, postgres: PostgresServer
) -> None:
    url = postgres.new_database()
    name = url.rsplit("/", 1)[1]
    log = tmp_path / "server.log"
    env = {
        "OPENDATA_STATE": str(tmp_path / "state"),
        "OPENDATA_DATABASE_URL": url,
        "OPENDATA_USAGE_FLUSH_SECONDS": "0.2",
    }
    with (
        serve_opendata(real_store, log=log, env=env, timeout=60) as server,
        httpx.Client(base_url=server.url, timeout=30) as client,
    ):
        refuse_connections(postgres, url)
        deadline = time.monotonic() + 3  # fifteen flushes, each with counts to add
        while time.monotonic() < deadline:
            assert client.get("/api/v1/datasets").status_code == 200
            time.sleep(0.1)
        postgres.psql(f"ALTER DATABASE {name} ALLOW_CONNECTIONS true")
        deadline = time.monotonic() + 30
        while "answers again" not in log.read_text(encoding="utf-8"):
            assert time.monotonic() < deadline, "the end of the outage was never logged"
            time.sleep(0.2)
        client.get("/api/v1/datasets")
        time.sleep(1)  # flushes that reach the database again
        away = log.read_text(encoding="utf-8")
    assert away.count("usage: the state database did not answer") == 1, away[-3000:]
    assert away.count("usage: the state database answers again") == 1, away[-3000:]
    assert "usage: the counts were not added" not in away and "Traceback" not in away
