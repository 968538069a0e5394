"""`serve`: the HTTP server, the app built here from the settings and handed to uvicorn,
which stops as `cli.serving` says (drained, running answers finished, exit 0)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from cli.common import ChosenOptions, build_settings

if TYPE_CHECKING:
    from fastapi import FastAPI

    from catalog.settings import Settings


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
    # Imported here: the web stack is heavy, and only this command needs it.
    import uvicorn

    from api import drain, json_log_config, log_uncaught
    from catalog.query import memory_for_serving
    from cli.serving import DrainingServer

    memory_for_serving()  # pyarrow on the system allocator, two arenas, no pandas (65 MB)

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
    settings = build_settings(chosen)
    app = serving_app(settings)
    json_logs = settings.log_format == "json"
    if json_logs:
        log_uncaught()
    # One process serves: uvicorn takes the app object itself, which it can only do with a
    # single worker (several workers would each import the app from a string and rebuild
    # the settings from the environment). Scale out by running more servers behind a proxy.
    # proxy_headers off: uvicorn would otherwise take X-Forwarded-For from any local peer as
    # the client's address; the app reads it itself, and only when told to trust it.
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        proxy_headers=False,
        timeout_graceful_shutdown=math.ceil(settings.shutdown_grace_seconds),
        # JSON: the app logs each request itself (`api.accesslog`), without the address.
        access_log=not json_logs,
        log_config=json_log_config() if json_logs else uvicorn.config.LOGGING_CONFIG,
    )
    DrainingServer(config, lambda: drain(app), settings.shutdown_drain_seconds).run()


def serving_app(settings: Settings) -> FastAPI:
    """The application `serve` runs, built once the state database is migrated in a child
    process: Alembic, Mako and Pygments (11 MB of a first start) never load in this one."""
    from api import create_app
    from catalog.state import upgrade_apart

    upgrade_apart(settings.database)
    return create_app(settings)
