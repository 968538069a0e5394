"""Bringing a database to the newest schema: Alembic, run from here, one lock at a time.

The migrations ship in the package (`catalog/state/migrations/`); the same ones run on SQLite
and PostgreSQL. `upgrade` runs at every start (the server, each command) and is cheap when
nothing is to do; `opendata db upgrade` runs it alone. Two processes starting at once must
not both create the tables: the migration's transaction first takes a lock (an advisory one
on PostgreSQL; on SQLite every transaction begins IMMEDIATE, `catalog.state.database`), then
looks again at the revision.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text
from sqlalchemy.engine import Connection

MIGRATIONS = Path(__file__).with_name("migrations")
# Any fixed number: it names this platform's migration lock among PostgreSQL's advisory locks.
ADVISORY_LOCK = 0x6F64_7374_6174


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head() -> str:
    """The newest migration's revision."""
    found = ScriptDirectory.from_config(_config()).get_current_head()
    assert found is not None, "catalog/state/migrations holds no migration"
    return found


def current(engine: Engine) -> str | None:
    """The revision the database is at; None for an empty one."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine) -> bool:
    """Migrate the database to `head()`; True if anything was done."""
    target = head()
    if current(engine) == target:
        return False
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK})
        if MigrationContext.configure(connection).get_current_revision() == target:
            return False  # another process migrated while this one waited
        command.upgrade(_config(connection), "head")
    return True
