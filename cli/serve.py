"""`serve`: the options read and checked, then the HTTP server run in this process's place
(`cli.serving`: the app built from the settings and handed to uvicorn, stopped drained,
running answers finished, exit 0)."""

from __future__ import annotations

import os
from typing import Annotated, Literal

import typer

from cli.common import ChosenOptions, build_settings
from cli.serving import server_command, server_environment


def serve(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option(help="Interface (env OPENDATA_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (env OPENDATA_PORT).")] = None,
    base_url: Annotated[
        str | None, typer.Option(help="Public base URL (env OPENDATA_BASE_URL).")
    ] = None,
    log_format: Annotated[
        Literal["text", "json"] | None,
        typer.Option(help="`text` or `json` access and server logs (env OPENDATA_LOG_FORMAT)."),
    ] = None,
    shutdown_grace_seconds: Annotated[
        float | None,
        typer.Option(
            help="Seconds running answers may take to finish after SIGTERM"
            " (env OPENDATA_SHUTDOWN_GRACE_SECONDS)."
        ),
    ] = None,
) -> None:
    """Serve the published datasets over HTTP."""
    overrides: ChosenOptions = ctx.meta["overrides"]  # what the main callback chose
    chosen = overrides.copy()
    for name, value in (
        ("host", host),
        ("port", port),
        ("base_url", base_url),
        ("log_format", log_format),
        ("shutdown_grace_seconds", shutdown_grace_seconds),
    ):
        if value is not None:
            chosen[name] = value  # type: ignore[literal-required]
    build_settings(chosen)  # checked here: exit 2 with the setting named if invalid
    # The server runs in this process's place, in an interpreter of its own (`cli.serving`),
    # its settings in the environment as the options chose them.
    settings = {f"OPENDATA_{name.upper()}": str(value) for name, value in chosen.items()}
    command = server_command()
    os.execve(command[0], command, server_environment(settings))
