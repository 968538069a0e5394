"""Bringing a database to the newest schema: Alembic, run from here, one lock at a time.

The migrations ship in the package (`catalog/state/migrations/`); the same ones run on SQLite
and PostgreSQL. `upgrade` runs at every start (the server, each command) and is cheap when
nothing is to do; `opendata db upgrade` runs it alone. Two processes starting at once must
not both create the tables: the migration's transaction first takes a lock (an advisory one
on PostgreSQL; on SQLite every transaction begins IMMEDIATE, `catalog.state.database`), then
looks again at the revision.

Alembic (with Mako and Pygments) is imported only when a database
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
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

from catalog.state.database import make_engine

if TYPE_CHECKING:
    from alembic.config import Config
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


def current(engine: Engine) -> str | None:
    """The revision the database is at; None for an empty one."""
    with engine.connect() as connection:
        return _revision(connection)


def _revision(connection: Connection) -> str | None:
    if not inspect(connection).has_table("alembic_version"):
        return None
    found = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return str(found) if found is not None else None


def upgrade(engine: Engine) -> bool:
    """Migrate the database to `head()`; True if anything was done."""
    target = head()
    if current(engine) == target:
        return False
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK})
        if _revision(connection) == target:
            return False  # another process migrated while this one waited
        from alembic import command  # here: only a migration needs Alembic

        command.upgrade(_config(connection), "head")
    return True


def upgrade_apart(url: str) -> bool:
    """`upgrade` the database at `url` in a child process (Alembic never loads in this one);
    True if anything was done. A current database starts no child: a restart is ready
    without its half second. The URL (and a PostgreSQL password in it) goes on stdin."""
    engine = make_engine(url)
    try:
        if current(engine) == head():
            return False
    finally:
        engine.dispose()
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
