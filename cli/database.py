"""`db upgrade|status`: the state database's schema (`catalog.state`)."""

from __future__ import annotations

import typer

from catalog.state import Database, head, upgrade
from catalog.state import current as current_revision
from cli.common import console, settings_of

db_app = typer.Typer(help="The state database: tokens, audit log.", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Migrate the state database to the newest schema (every command also does it)."""
    database = Database.open(settings_of(ctx).database)
    try:
        done = upgrade(database)
        console.print(f"{'migrated to' if done else 'already at'} revision {head()}")
    finally:
        database.dispose()


@db_app.command("status")
def db_status(ctx: typer.Context) -> None:
    """Print the database's revision and the newest one."""
    database = Database.open(settings_of(ctx).database)
    try:
        found = current_revision(database)
        console.print(f"revision {found or 'none (empty)'}; newest {head()}")
    finally:
        database.dispose()
