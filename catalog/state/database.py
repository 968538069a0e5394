"""The state database: SQLite in the state folder by default, PostgreSQL when a URL names one.

Queries reach it through the DB-API drivers themselves (`sqlite3`, psycopg 3): SQLAlchemy (17
MB of a server, measured) loads only with Alembic, where a migration runs (`migrate`).

Each query is written once, as SQL text with `:name` parameters (never inside a quoted
literal) that reads the same on both databases; the few differences live here
(`Connection.for_update`, `Database.has_table`, how a transaction begins).
`Database.open(url)` hands out pooled connections:

- `Database.connect()`: statements outside a transaction, each committed on its own (reads).
- `Database.begin()`: one transaction, committed when the block ends, rolled back if it raises;
  `Connection.savepoint()` nests one step in it that may fail alone.

SQLite runs in WAL mode with a busy timeout, and every transaction begins `IMMEDIATE`: a
transaction that reads then writes (a token's check notes its use) takes the write lock first,
instead of failing with "database is locked" when another process wrote in between. A pooled
PostgreSQL connection is pinged before it is handed out, so a server that went away is found.

The drivers' errors are translated here, and only here: `IntegrityError` (a key taken twice),
`DatabaseAway` (down, unreachable, locked past the timeout, no connection free, a SQLite table
missing) and, for any other, `DatabaseError`, their root.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from catalog.errors import ServiceUnavailable

DATABASE_FILE = "opendata.sqlite"
_CREATING = threading.Lock()
BUSY_TIMEOUT_MS = 30_000
POOL_SIZE = 5  # idle connections kept; more are opened while busy, and closed after
MAX_CONNECTIONS = 15  # open at once, in use or idle; a 16th caller waits, at most:
WAIT_SECONDS = 30
Dialect = Literal["sqlite", "postgresql"]
_PARAMETER = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


class DatabaseError(Exception):
    """The state database refused a statement (the driver's error is its `__cause__`)."""


class IntegrityError(DatabaseError):
    """A row broke a constraint: a key taken twice, a column left empty, the audit log's
    append-only triggers."""


class DatabaseAway(DatabaseError):
    """The database did not answer: down, unreachable, its file or a table gone, or locked
    past the busy timeout."""


def database_unavailable(exc: BaseException) -> ServiceUnavailable | None:
    """`exc` as the 503 it is when the state database did not answer (a request may pass
    in a moment, on this replica or another), else None."""
    if isinstance(exc, DatabaseAway | sqlite3.OperationalError):
        return ServiceUnavailable("the state database did not answer; retry in a moment", 2)
    return None


class DatabaseUrlError(ValueError):
    """A database URL this platform cannot use: neither SQLite nor PostgreSQL."""


@dataclass(frozen=True)
class DatabaseUrl:
    """A database URL understood: SQLite with its file, or PostgreSQL with what psycopg
    connects to (the URL, its driver name dropped)."""

    dialect: Dialect
    text: str
    path: Path | None = None

    @property
    def conninfo(self) -> str:
        return re.sub(r"^postgresql\+\w+://", "postgresql://", self.text)


def sqlite_url(folder: Path) -> str:
    """The URL of the default database, `<folder>/opendata.sqlite`."""
    return f"sqlite:///{folder / DATABASE_FILE}"


def database_url(text: str) -> DatabaseUrl:
    """`text` as a URL of a supported database (`sqlite:///<file>`, `postgresql://…`)."""
    found = re.fullmatch(r"([A-Za-z][\w+.-]*)://(.*)", text.strip(), re.S)
    if found is None:
        raise DatabaseUrlError("the database URL is not a URL (sqlite:///… or postgresql://…)")
    scheme, rest = found[1].lower(), found[2]
    backend, _, driver = scheme.partition("+")
    if backend == "sqlite" and driver in ("", "pysqlite"):
        path = rest[1:] if rest.startswith("/") else ""
        if not path or path == ":memory:":
            raise DatabaseUrlError("the SQLite database must be a file, shared by every process")
        return DatabaseUrl("sqlite", text, Path(path))
    if backend == "postgresql":
        return DatabaseUrl("postgresql", text)
    raise DatabaseUrlError(f"database URLs name SQLite or PostgreSQL, not {backend!r}")


class Result:
    """What a statement gave: its rows as dicts (column name → value), and `rowcount`."""

    def __init__(self, rows: list[dict[str, Any]], rowcount: int) -> None:
        self.rows = rows
        self.rowcount = rowcount

    def first(self) -> dict[str, Any] | None:
        return self.rows[0] if self.rows else None

    def scalar(self) -> Any:
        """The first column of the first row; None when there is none."""
        return next(iter(self.rows[0].values())) if self.rows else None


class Connection:
    """One connection of the pool, lent for a block (`Database.connect`, `Database.begin`)."""

    def __init__(self, raw: Any, dialect: Dialect) -> None:
        self.raw = raw
        self.dialect = dialect
        self._savepoints = 0

    @property
    def for_update(self) -> str:
        """` FOR UPDATE` where a row lock exists (PostgreSQL); SQLite's IMMEDIATE
        transaction holds the whole file already."""
        return " FOR UPDATE" if self.dialect == "postgresql" else ""

    def execute(self, sql: str, parameters: Mapping[str, Any] | None = None) -> Result:
        """Run one statement; `:name` in `sql` takes `parameters[name]`."""
        with _translated():
            cursor = self.raw.execute(*self._statement(sql, parameters or None))
            try:
                return _result(cursor)
            finally:
                cursor.close()

    def executemany(self, sql: str, rows: Iterable[Mapping[str, Any]]) -> None:
        """Run one statement once per row of parameters."""
        with _translated():
            cursor = self.raw.cursor()
            try:
                text, _ = self._statement(sql, {})
                cursor.executemany(text, [dict(row) for row in rows])
            finally:
                cursor.close()

    @contextlib.contextmanager
    def savepoint(self) -> Iterator[None]:
        """A step of the transaction that is undone alone when it raises."""
        self._savepoints += 1
        name = f"step_{self._savepoints}"
        self.execute(f"SAVEPOINT {name}")
        try:
            yield
        except BaseException:
            self.execute(f"ROLLBACK TO SAVEPOINT {name}")
            self.execute(f"RELEASE SAVEPOINT {name}")
            raise
        self.execute(f"RELEASE SAVEPOINT {name}")

    def _statement(self, sql: str, parameters: Mapping[str, Any] | None) -> tuple[str, Any]:
        if self.dialect == "sqlite":
            return sql, dict(parameters or {})  # sqlite3 takes `:name` as it is
        if parameters is None:  # psycopg sends a statement without parameters as it is
            return sql, None
        return _PARAMETER.sub(r"%(\1)s", sql.replace("%", "%%")), dict(parameters)


def _result(cursor: Any) -> Result:
    if cursor.description is None:
        return Result([], cursor.rowcount)
    names = [column[0] for column in cursor.description]
    rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return Result(rows, cursor.rowcount)


@contextlib.contextmanager
def _translated() -> Iterator[None]:
    """The drivers' errors as this module's (see its docstring)."""
    try:
        yield
    except sqlite3.IntegrityError as exc:
        raise IntegrityError(str(exc)) from exc
    except sqlite3.OperationalError as exc:
        raise DatabaseAway(str(exc)) from exc
    except sqlite3.Error as exc:
        raise DatabaseError(str(exc)) from exc
    except Exception as exc:
        psycopg = _psycopg_errors()
        if psycopg is None or not isinstance(exc, psycopg.Error):
            raise
        kind: type[DatabaseError] = DatabaseError
        if isinstance(exc, psycopg.IntegrityError):
            kind = IntegrityError
        elif isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError):
            kind = DatabaseAway
        raise kind(str(exc)) from exc


def _psycopg_errors() -> Any:
    # psycopg is imported only where PostgreSQL is the database.
    import sys

    return sys.modules.get("psycopg")


class Database:
    """A pool of connections to the state database at one URL."""

    def __init__(self, url: DatabaseUrl) -> None:
        self.url = url
        self.dialect: Dialect = url.dialect
        self._idle: list[Any] = []
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(MAX_CONNECTIONS)  # lent at once
        self._pid = os.getpid()
        if url.path is not None:
            _private_file(url.path)
            _write_ahead_log(url.path)

    @classmethod
    def open(cls, text: str) -> Database:
        """A database for the URL `text` (see `database_url`), SQLite set up as the module
        says; no connection is made yet."""
        return cls(database_url(text))

    @contextlib.contextmanager
    def connect(self) -> Iterator[Connection]:
        """A connection whose statements each commit on their own."""
        with self._lent() as connection:
            yield connection

    @contextlib.contextmanager
    def begin(self) -> Iterator[Connection]:
        """A connection in one transaction: committed at the end, rolled back on an error."""
        with self._lent() as connection:
            connection.execute("BEGIN IMMEDIATE" if self.dialect == "sqlite" else "BEGIN")
            try:
                yield connection
            except BaseException:
                with contextlib.suppress(DatabaseError):
                    connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")

    def has_table(self, name: str) -> bool:
        """Whether the database holds the table `name`."""
        sql = (
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = :name"
            if self.dialect == "sqlite"
            else "SELECT to_regclass(:name) AS name"
        )
        with self.connect() as connection:
            return connection.execute(sql, {"name": name}).scalar() is not None

    def dispose(self) -> None:
        """Close the idle connections (one lent out comes back to the pool)."""
        with self._lock:
            idle, self._idle = self._idle, []
        for raw in idle:
            with contextlib.suppress(Exception):
                raw.close()

    @contextlib.contextmanager
    def _lent(self) -> Iterator[Connection]:
        with self._lock:
            if self._pid != os.getpid():  # a forked child never uses its parent's connections
                self._idle, self._pid = [], os.getpid()
                self._slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
            slots = self._slots
        if not slots.acquire(timeout=WAIT_SECONDS):
            raise DatabaseAway(f"no connection to the state database free in {WAIT_SECONDS} s")
        try:
            raw = self._reused_or_new()
        except BaseException:
            slots.release()
            raise
        healthy = False
        try:
            yield Connection(raw, self.dialect)
            healthy = True
        finally:
            try:
                self._give(raw, healthy or not _broken(raw))
            finally:
                slots.release()

    def _reused_or_new(self) -> Any:
        with self._lock:
            raw = self._idle.pop() if self._idle else None
        if raw is not None and self.dialect == "postgresql":
            try:  # pre-ping: a server restarted since leaves a dead connection in the pool
                raw.execute("SELECT 1").close()
            except Exception:
                with contextlib.suppress(Exception):
                    raw.close()
                raw = None
        with _translated():
            return raw if raw is not None else self._new()

    def _give(self, raw: Any, reusable: bool) -> None:
        with self._lock:
            if reusable and len(self._idle) < POOL_SIZE and self._pid == os.getpid():
                self._idle.append(raw)
                return
        with contextlib.suppress(Exception):
            raw.close()

    def _new(self) -> Any:
        if self.url.path is None:
            import psycopg  # here: a SQLite server never loads it

            return psycopg.connect(self.url.conninfo, autocommit=True)
        # Autocommit at the driver: `begin` begins each transaction, IMMEDIATE.
        raw = sqlite3.connect(
            self.url.path,
            timeout=BUSY_TIMEOUT_MS / 1000,
            isolation_level=None,
            check_same_thread=False,  # pooled: lent to one thread at a time
        )
        raw.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        raw.execute("PRAGMA foreign_keys=ON")
        return raw


def _broken(raw: Any) -> bool:
    """Whether a connection handed back after an error is unfit to lend again: closed, or
    still inside a transaction it could not end."""
    if isinstance(raw, sqlite3.Connection):
        return raw.in_transaction
    return bool(raw.closed or raw.broken or raw.info.transaction_status != 0)


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
    # WAL mode is kept in the file, so it is set once, before any connection is pooled.
    # Switching a new file to WAL needs the file to itself, and SQLite answers "database is
    # locked" at once, without waiting out the busy timeout, when another process starting at
    # the same moment holds it: so the switch is tried again until the timeout.
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


def check_database(database: Database) -> None:
    """Raise unless the database answers a read now (for readiness checks).

    PostgreSQL: `SELECT 1` on a pooled connection (pinged first, so a lost server is found).
    SQLite: a pooled connection keeps answering from a file that was since removed or
    overwritten, and `SELECT 1` reads no page; so the file is opened afresh, read-only (never
    created), and the schema's version read from it.
    """
    if database.url.path is None:
        with database.connect() as connection:
            connection.execute("SELECT 1")
        return
    uri = database.url.path.resolve().as_uri() + "?mode=ro"
    reader = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        reader.execute("SELECT version_num FROM alembic_version").fetchone()
    finally:
        reader.close()
