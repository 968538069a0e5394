"""The state database's own layer over the DB-API drivers (sqlite3, psycopg): one SQL text with
`:name` parameters on both, transactions and savepoints, the drivers' errors translated, and a
pool that lends a bounded number of connections; on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from catalog.state import (
    Connection,
    Database,
    DatabaseAway,
    DatabaseError,
    IntegrityError,
    open_state,
)


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    open_state(database_url).close()  # migrated
    opened = Database.open(database_url)
    yield opened
    opened.dispose()


def _imports(database: Database) -> list[str]:
    with database.connect() as connection:
        rows = connection.execute("SELECT name FROM imports ORDER BY name").rows
    return [row["name"] for row in rows]


def _add(connection: Connection, name: str, detail: str = "") -> None:
    insert = "INSERT INTO imports (name, time, detail) VALUES (:name, :time, :detail)"
    connection.execute(insert, {"name": name, "time": "2026-01-01T00:00:00Z", "detail": detail})


def test_parameters_are_named_once_and_a_percent_sign_is_text(database: Database) -> None:
    with database.begin() as connection:
        _add(connection, "a", "100% :name")
        found = connection.execute(
            "SELECT detail FROM imports WHERE (name = :name OR detail = :name)"
            " AND detail LIKE '100%'",
            {"name": "a"},
        ).scalar()
    assert found == "100% :name"


def test_a_transaction_that_raises_leaves_nothing_and_its_connection_serves_on(
    database: Database,
) -> None:
    with pytest.raises(RuntimeError), database.begin() as connection:
        _add(connection, "gone")
        raise RuntimeError("the caller failed")
    with database.begin() as connection:  # the pool's one connection, rolled back, lent again
        _add(connection, "kept")
    assert _imports(database) == ["kept"]


def test_a_savepoint_undoes_its_step_alone_and_a_key_taken_twice_is_an_integrity_error(
    database: Database,
) -> None:
    with database.begin() as connection:
        _add(connection, "first")
        with pytest.raises(IntegrityError), connection.savepoint():
            _add(connection, "first")
        _add(connection, "second")
    assert _imports(database) == ["first", "second"]


def test_an_error_of_the_database_is_this_layers_own(database: Database) -> None:
    with pytest.raises(DatabaseError) as raised, database.connect() as connection:
        connection.execute("SELECT no_such_column FROM imports")
    assert raised.value.__cause__ is not None  # the driver's, kept


def test_no_more_connections_are_lent_at_once_than_the_bound(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("catalog.state.database.MAX_CONNECTIONS", 2)
    monkeypatch.setattr("catalog.state.database.WAIT_SECONDS", 0.2)
    bounded = Database.open(database.url.text)
    held, release = threading.Barrier(3), threading.Event()

    def hold() -> None:
        with bounded.connect():
            held.wait()
            release.wait(10)

    holders = [threading.Thread(target=hold) for _ in range(2)]
    for thread in holders:
        thread.start()
    held.wait()
    try:
        with pytest.raises(DatabaseAway, match="no connection"), bounded.connect():
            pass
    finally:
        release.set()
        for thread in holders:
            thread.join()
    with bounded.connect() as connection:  # given back: lent again
        assert connection.execute("SELECT 1 AS one").scalar() == 1
    bounded.dispose()
