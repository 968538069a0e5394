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


def new_database(request: pytest.FixtureRequest, sqlite_file: Path) -> str:
    """A new, empty database of the kind the fixture is parametrised with (`sqlite` or
    `postgresql`): the SQLite file `sqlite_file`, or a database on the session's server."""
    if request.param == "sqlite":
        return sqlite_url(sqlite_file)
    server: PostgresServer = request.getfixturevalue("postgres")
    return server.new_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new, empty database: a SQLite file, or a database on the session's server."""
    return new_database(request, tmp_path / "db")


@pytest.fixture
def state(database_url: str) -> Iterator[State]:
    """The state in that database, migrated."""
    opened = open_state(database_url)
    yield opened
    opened.close()
