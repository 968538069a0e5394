"""Alembic's entry point: migrate the connection `catalog.state` hands over.

Never run from a command line of Alembic's: `catalog.state.upgrade` opens the connection
(and holds the lock that keeps two processes from migrating at once) and passes it here.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from catalog.state.schema import metadata


def run() -> None:
    connection: Connection = context.config.attributes["connection"]
    context.configure(connection=connection, target_metadata=metadata)
    with context.begin_transaction():
        context.run_migrations()


run()
