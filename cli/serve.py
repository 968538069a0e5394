"""`serve`: the HTTP server, the app built here from the settings and handed to uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.common import ChosenOptions, build_settings


def serve(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option(help="Interface (env OPENDATA_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (env OPENDATA_PORT).")] = None,
    base_url: Annotated[
        str | None, typer.Option(help="Public base URL (env OPENDATA_BASE_URL).")
    ] = None,
) -> None:
    """Serve the published datasets over HTTP."""
    # Imported here: the web stack is heavy, and only this command needs it.
    import uvicorn

    from api import create_app
    from catalog.query import arrow_for_serving

    arrow_for_serving()  # the system allocator, and no pandas loaded (65 MB)

    overrides: ChosenOptions = ctx.meta["overrides"]  # what the main callback chose
    chosen = overrides.copy()
    if host is not None:
        chosen["host"] = host
    if port is not None:
        chosen["port"] = port
    if base_url is not None:
        chosen["base_url"] = base_url
    settings = build_settings(chosen)
    # One process serves: uvicorn takes the app object itself, which it can only do with a
    # single worker (several workers would each import the app from a string and rebuild
    # the settings from the environment). Scale out by running more servers behind a proxy.
    # proxy_headers off: uvicorn would otherwise take X-Forwarded-For from any local peer as
    # the client's address; the app reads it itself, and only when told to trust it.
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, proxy_headers=False)
