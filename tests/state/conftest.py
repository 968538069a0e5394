"""The state database's tests run twice: on SQLite and on a PostgreSQL server of their own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from catalog.state import State, open_state, sqlite_url
from tests.postgres import PostgresServer, postgres_server


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the session; each test takes a database of its own."""
    with postgres_server() as server:
        yield server


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new, empty database: a SQLite file, or a database on the session's server."""
    if request.param == "sqlite":
        return sqlite_url(tmp_path / "db")
    server: PostgresServer = request.getfixturevalue("postgres")
    return server.new_database()


@pytest.fixture
def state(database_url: str) -> Iterator[State]:
    """The state in that database, migrated."""
    opened = open_state(database_url)
    yield opened
    opened.close()
