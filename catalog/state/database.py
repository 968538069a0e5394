"""The state database: SQLite in the state folder by default, PostgreSQL when a URL names one.

`Database.open(url)` makes the engine and brings the schema to the newest migration before
anything else touches it (`catalog.state.migrate`). SQLite runs in WAL mode with a busy
timeout, and every transaction begins `IMMEDIATE`: a transaction that reads then writes (a
token's check notes its use) takes the write lock first, instead of failing with "database
is locked" when another process wrote in between. PostgreSQL is reached through psycopg 3.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.engine import URL, Connection
from sqlalchemy.exc import ArgumentError, DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from catalog.errors import ServiceUnavailable

DATABASE_FILE = "opendata.sqlite"
_CREATING = threading.Lock()
BUSY_TIMEOUT_MS = 30_000


# A database that is away: down, unreachable, its file gone or locked past the busy timeout.
AWAY = (OperationalError, InterfaceError, DisconnectionError, PoolTimeout, sqlite3.OperationalError)


def database_unavailable(exc: BaseException) -> ServiceUnavailable | None:
    """`exc` as the 503 it is when the state database did not answer (a request may pass
    in a moment, on this replica or another), else None."""
    if isinstance(exc, AWAY):
        return ServiceUnavailable("the state database did not answer; retry in a moment", 2)
    return None


class DatabaseUrlError(ValueError):
    """A database URL this platform cannot use: neither SQLite nor PostgreSQL."""


def sqlite_url(folder: Path) -> str:
    """The URL of the default database, `<folder>/opendata.sqlite`."""
    return f"sqlite:///{folder / DATABASE_FILE}"


def database_url(text: str) -> URL:
    """`text` as a URL of a supported engine; PostgreSQL always through psycopg 3."""
    try:
        url = make_url(text)
    except ArgumentError:
        raise DatabaseUrlError(
            "the database URL is not a URL (sqlite:///… or postgresql://…)"
        ) from None
    if url.get_backend_name() == "sqlite" and url.get_driver_name() in ("", "pysqlite"):
        if not url.database or url.database == ":memory:":
            raise DatabaseUrlError("the SQLite database must be a file, shared by every process")
        return url
    if url.get_backend_name() == "postgresql":
        return url.set(drivername="postgresql+psycopg")
    raise DatabaseUrlError(
        f"database URLs name SQLite or PostgreSQL, not {url.get_backend_name()!r}"
    )


def make_engine(text: str) -> Engine:
    """An engine for `text` (see `database_url`), SQLite set up as the module says."""
    url = database_url(text)
    if url.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    path = Path(str(url.database))
    _private_file(path)
    _write_ahead_log(path)
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
    event.listen(engine, "connect", _sqlite_connected)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _private_file(path: Path) -> None:
    # The tokens' hashes and the audit log: readable by the service's user only. SQLite
    # gives its -wal and -shm files the database file's mode. An existing file is never
    # opened here: closing any descriptor of it drops every POSIX lock this process's SQLite
    # connections hold on it, and their writes were then lost (the audit test lost a third).
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with _CREATING:  # no connection of this process opens the file while it is made
        if path.exists():
            return
        with contextlib.suppress(FileExistsError):  # another process made it first
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _write_ahead_log(path: Path) -> None:
    # WAL mode is kept in the file, so it is set once, before any engine connects. Switching
    # a new file to WAL needs the file to itself, and SQLite answers "database is locked" at
    # once, without waiting out the busy timeout, when another process starting at the same
    # moment holds it: so the switch is tried again until the timeout.
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    mode = "not yet switched"
    while True:
        connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            mode = connection.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if mode == "wal":
                return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
        finally:
            connection.close()
        if time.monotonic() > deadline:
            raise sqlite3.OperationalError(f"could not switch the state database to WAL: {mode}")
        time.sleep(0.02)


def _sqlite_connected(connection: sqlite3.Connection, _record: Any) -> None:
    # Autocommit at the driver: transactions are begun by `_sqlite_begin`, IMMEDIATE.
    connection.isolation_level = None
    cursor = connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def check_database(engine: Engine) -> None:
    """Raise unless the database answers a read now (for readiness checks).

    PostgreSQL: `SELECT 1` on a pooled connection (pre-pinged, so a lost server is found).
    SQLite: a pooled connection keeps answering from a file that was since removed or
    overwritten, and `SELECT 1` reads no page; so the file is opened afresh, read-only (never
    created), and the schema's version read from it.
    """
    if engine.url.get_backend_name() != "sqlite":
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1").scalar()
        return
    uri = Path(str(engine.url.database)).resolve().as_uri() + "?mode=ro"
    reader = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        reader.execute("SELECT version_num FROM alembic_version").fetchone()
    finally:
        reader.close()
