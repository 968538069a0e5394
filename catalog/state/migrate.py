"""Bringing a database to the newest schema: Alembic, run from here, one lock at a time.

The migrations ship in the package (`catalog/state/migrations/`); the same ones run on SQLite
and PostgreSQL. `upgrade` runs at every start (the server, each command) and is cheap when
nothing is to do; `opendata db upgrade` runs it alone. Two processes starting at once must
not both create the tables: the migration's transaction first takes a lock (an advisory one
on PostgreSQL; on SQLite every transaction begins IMMEDIATE, `catalog.state.database`), then
looks again at the revision.

Alembic (with Mako and Pygments, and SQLAlchemy) is imported only when a database
is behind: the newest revision is read from the migration files' own `revision` lines, and the
database's from its `alembic_version` table, with plain SQL. A server migrates in a child
process (`upgrade_apart`, `python -m catalog.state.child`) before it opens the database, so that
a first start leaves none of Alembic, Mako and Pygments (and the dialects' modules Alembic
imports: 11 MB resident, measured) in the process that then serves for weeks.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from catalog.state.database import BUSY_TIMEOUT_MS, Database

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import Engine
    from sqlalchemy.engine import Connection

MIGRATIONS = Path(__file__).with_name("migrations")
_REVISION = re.compile(r'^(down_revision|revision)(?:: [^=]+)? = (?:"([^"]+)"|None)\s*$', re.M)
# Any fixed number: it names this platform's migration lock among PostgreSQL's advisory locks.
ADVISORY_LOCK = 0x6F64_7374_6174
ROOT = str(Path(__file__).resolve().parents[2])  # the checkout the child imports from


def _config(connection: Connection | None = None) -> Config:
    from alembic.config import Config  # here: only a migration needs Alembic

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head() -> str:
    """The newest migration's revision: the one no other migration names as its parent (the
    migrations are one line, as Alembic's `get_current_head` also requires)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        for kind, value in _REVISION.findall(path.read_text(encoding="utf-8")):
            (revisions if kind == "revision" else parents).add(value)
    heads = revisions - parents
    assert len(heads) == 1, f"catalog/state/migrations has heads {sorted(heads)}, not one"
    return heads.pop()


def current(database: Database) -> str | None:
    """The revision the database is at; None for an empty one."""
    if not database.has_table("alembic_version"):
        return None
    with database.connect() as connection:
        found = connection.execute("SELECT version_num FROM alembic_version").scalar()
    return str(found) if found is not None else None


def upgrade(database: Database) -> bool:
    """Migrate the database to `head()`; True if anything was done. Alembic runs on an
    engine of SQLAlchemy's made for it, and only when the database is behind."""
    target = head()
    if current(database) == target:
        return False
    from sqlalchemy import text  # here: only a migration needs SQLAlchemy

    engine = migration_engine(database)
    try:
        with engine.begin() as connection:
            if database.dialect == "postgresql":
                lock = text("SELECT pg_advisory_xact_lock(:key)")
                connection.execute(lock, {"key": ADVISORY_LOCK})
            if _revision(connection) == target:
                return False  # another process migrated while this one waited
            from alembic import command

            command.upgrade(_config(connection), "head")
    finally:
        engine.dispose()
    return True


def migration_engine(database: Database) -> Engine:
    """A SQLAlchemy engine on `database` for Alembic: SQLite's transactions begin IMMEDIATE
    (the lock two processes migrating at once queue on), PostgreSQL through psycopg 3."""
    from sqlalchemy import create_engine, event

    if database.url.path is None:
        return create_engine(
            database.url.conninfo.replace("postgresql://", "postgresql+psycopg://", 1)
        )
    engine = create_engine(
        f"sqlite:///{database.url.path}", connect_args={"timeout": BUSY_TIMEOUT_MS / 1000}
    )
    event.listen(engine, "connect", _sqlite_connected)
    event.listen(engine, "begin", lambda c: c.exec_driver_sql("BEGIN IMMEDIATE"))
    return engine


def _sqlite_connected(connection: Any, _record: Any) -> None:
    # Autocommit at the driver: transactions are begun by the "begin" listener, IMMEDIATE.
    connection.isolation_level = None
    cursor = connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _revision(connection: Connection) -> str | None:
    from sqlalchemy import inspect, text

    if not inspect(connection).has_table("alembic_version"):
        return None
    found = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return str(found) if found is not None else None


def upgrade_apart(url: str) -> bool:
    """`upgrade` the database at `url` in a child process (Alembic never loads in this one);
    True if anything was done. A current database starts no child: a restart is ready
    without its half second. The URL (and a PostgreSQL password in it) goes on stdin."""
    database = Database.open(url)
    try:
        if current(database) == head():
            return False
    finally:
        database.dispose()
    path = os.pathsep.join(p for p in (ROOT, os.environ.get("PYTHONPATH")) if p)
    done = subprocess.run(
        [sys.executable, "-s", "-B", "-m", "catalog.state.child"],
        input=url,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": path},
        check=False,
    )
    if done.returncode != 0 or done.stdout.strip() not in ("migrated", "current"):
        raise RuntimeError(
            f"migrating the state database failed (exit {done.returncode}): {done.stderr[-2000:]}"
        )
    return done.stdout.strip() == "migrated"
