"""The server process of `opendata serve`: `python -m cli.serving`, which the command runs in
its own place (`os.execve`, the same process) once its options are read and checked.

Its own interpreter, not the command's: the command line's parser (typer, click) and the
other commands' modules were 2 MB of an idle server, and it starts with what a long-running
server wants from the start: code objects without column positions (`-X no_debug_ranges`,
0.5 MB; a traceback still names each line), pyarrow on the system allocator and two of
glibc's arenas before any thread is made (`SERVER_ENVIRONMENT`). The settings come from the
environment, where the command put its options (`OPENDATA_*`, the options winning).

How it stops: on SIGTERM (or SIGINT) `/readyz` answers 503 at once; the server keeps
accepting for `shutdown_drain_seconds` (0 by default) so that a load balancer polling
`/readyz` stops sending, then stops accepting; answers already running (a download read
slowly) finish, for at most `shutdown_grace_seconds`, and the process exits 0. A second
signal stops accepting at once; a third cuts the running answers off.
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

import uvicorn

import validation
from cli import server_refuses

if TYPE_CHECKING:
    from fastapi import FastAPI

    from catalog.settings import Settings

SERVER_FLAGS = ("-X", "no_debug_ranges")
SERVER_ENVIRONMENT = {"ARROW_DEFAULT_MEMORY_POOL": "system", "MALLOC_ARENA_MAX": "2"}
ROOT = str(Path(__file__).resolve().parents[1])  # the checkout the server imports from


def server_command() -> list[str]:
    """The command line of the server process."""
    return [sys.executable, *SERVER_FLAGS, "-m", "cli.serving"]


def server_environment(settings: dict[str, str]) -> dict[str, str]:
    """This process's environment with `settings` (`OPENDATA_*`) over it, what the server
    process wants of its allocators, and this checkout first on the import path."""
    path = os.pathsep.join(p for p in (ROOT, os.environ.get("PYTHONPATH")) if p)
    return {**os.environ, **SERVER_ENVIRONMENT, **settings, "PYTHONPATH": path}


def main() -> None:
    """Serve: the settings from the environment, the state database migrated in a child
    process, the app built and run until a signal stops it."""
    # Before anything imports pyarrow: what a server never needs stays out (`cli`).
    sys.meta_path.insert(0, validation.Refusal(*server_refuses([], os.environ)))
    from api import drain, json_log_config, log_uncaught
    from catalog.query import memory_for_serving
    from catalog.settings import Settings

    memory_for_serving()  # the system allocator, two arenas, no pandas (65 MB)
    settings = Settings()
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
    """The application the server runs, built once the state database is migrated in a
    child process: Alembic, Mako and Pygments (11 MB of a first start) never load in this
    one."""
    from api import create_app
    from catalog.state import upgrade_apart

    upgrade_apart(settings.database)
    return create_app(settings)


class DrainingServer(uvicorn.Server):
    """uvicorn's server with a drain before it stops accepting, and a clean exit status."""

    def __init__(
        self, config: uvicorn.Config, on_signal: Callable[[], None], drain_seconds: float
    ) -> None:
        super().__init__(config)
        self.on_signal = on_signal
        self.drain_seconds = drain_seconds
        self.drain_until: float | None = None

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        # Not uvicorn's: it raises the signal again once the server has stopped, so a
        # graceful stop would end with status 143 instead of 0.
        if self.drain_until is None:
            self.on_signal()
            self.drain_until = time.monotonic() + self.drain_seconds
            self.should_exit = self.drain_seconds == 0
        elif not self.should_exit:
            self.should_exit = True
        else:
            self.force_exit = True

    async def on_tick(self, counter: int) -> bool:
        if self.drain_until is not None and time.monotonic() >= self.drain_until:
            self.should_exit = True
        return await super().on_tick(counter)


if __name__ == "__main__":
    main()
