"""The `opendata` command: the shared options, then one command family per module.

Each command opens the library object (a `Publisher`, the `Store`, the state database's
`TokenStore` and `AuditLog`, the app), calls it, and turns a library error into an exit status
(`cli.common.exits_on_error`); writes are audited (`cli.common.audited`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from cli import audit, database, init, publish, push, report, requests, schema, serve, tokens
from cli.common import build_settings

app = typer.Typer(
    help="HRSS Open Data: validate, publish and serve datasets.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def main(
    ctx: typer.Context,
    datasets: Annotated[
        Path | None, typer.Option(help="Datasets folder (env OPENDATA_DATASETS).")
    ] = None,
    store: Annotated[
        str | None,
        typer.Option(help="Store location: a folder, or s3://bucket/prefix (env OPENDATA_STORE)."),
    ] = None,
    state: Annotated[
        Path | None,
        typer.Option(
            help="Private state folder: the SQLite state database, uploads (env OPENDATA_STATE)."
        ),
    ] = None,
) -> None:
    overrides: dict[str, Any] = {"datasets": datasets, "store": store, "state": state}
    ctx.meta["overrides"] = {k: v for k, v in overrides.items() if v is not None}
    ctx.obj = build_settings(ctx.meta["overrides"])


app.command()(init.init)
app.command()(publish.validate)
app.command()(publish.build)
app.command()(publish.versions)
app.command()(publish.withdraw)
app.command()(push.push)
app.add_typer(tokens.token_app, name="token")
app.add_typer(database.db_app, name="db")
app.add_typer(requests.requests_app, name="requests")
app.command()(serve.serve)
app.command()(schema.schema)
app.command("audit")(audit.audit)
app.command()(report.report)
