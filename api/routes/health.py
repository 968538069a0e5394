"""Liveness and readiness: is the process up, and may a load balancer send it requests.

`/healthz` says the process answers (and which versions it serves); `/readyz` says it can do
its work: the store answers a read, the state database answers a read, the catalogue index
has been loaded, and the server is not shutting down. Neither is rate-limited nor queued
(`api.perimeter.admission` classes neither path). A part that is not ready is named in the
503 problem (`not_ready`), never with a path or an engine's message: those go to the log.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from typing import Any

import anyio
import anyio.to_thread
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from typing_extensions import TypedDict

from api.errors import problem_response
from api.openapi import SLUG, VERSION, json_example, problem_responses, responses
from catalog.state import check_database
from catalog.store import Store, store_folder

router = APIRouter()
logger = logging.getLogger(__name__)

# Seconds a readiness check may take: past it, the part that has not answered is not ready.
CHECK_SECONDS = 2.0
PARTS = ("store", "database", "index")
MESSAGES = {
    "store": "the store did not answer a read",
    "database": "the state database did not answer a read",
    "index": "the catalogue index is not loaded yet",
    "shutdown": "the server is shutting down",
}


# A response model: pydantic reads only `typing_extensions` TypedDicts on Python 3.11.
class Health(TypedDict):
    status: str
    datasets: dict[str, str | None]  # slug: its current version


class Ready(TypedDict):
    status: str


class Readiness:
    """What `/readyz` reports: the parts checked on each call, the index's first load, and
    whether a shutdown has begun (`drain`, called on SIGTERM by `opendata serve`)."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.index_loaded = False
        self.draining = False
        # At most one check of each part at a time: a database that hangs holds one thread.
        self._limiters = {part: anyio.CapacityLimiter(1) for part in PARTS}
        # When the running check of each part began, and what the last one found: probes
        # that arrive while one runs get its last answer, until it has run too long.
        self._began: dict[str, float] = {}
        self._last: dict[str, bool] = {}
        # `/healthz`'s reads of the store, on threads of their own: an object store's are
        # network calls, which must not hold the event loop nor wait behind busy queries.
        self.health_limiter = anyio.CapacityLimiter(4)

    def warm(self) -> None:
        """Load the catalogue index now, on a thread of its own, instead of at the first
        search; `/readyz` says `index` until it has loaded."""
        # Not a daemon: DuckDB aborts the process if the interpreter ends inside its call.
        threading.Thread(target=self._load_index, name="index-warm").start()

    def _load_index(self) -> None:
        try:
            self.app.state.index.packages()
        except Exception:
            logger.exception("the catalogue index could not be loaded")
            return
        self.index_loaded = True

    def drain(self) -> None:
        self.draining = True

    async def not_ready(self) -> list[str]:
        """The parts that are not ready, in order; empty when the server is ready."""
        if self.draining:
            return ["shutdown"]
        found = [part for part in PARTS if not await self._answers(part)]
        return found

    async def _answers(self, part: str) -> bool:
        limiter = self._limiters[part]
        if limiter.borrowed_tokens:  # a check of it is running: its last answer, unless hung
            running = time.monotonic() - self._began.get(part, 0.0)
            return running < CHECK_SECONDS and self._last.get(part, False)
        self._began[part] = time.monotonic()
        self._last[part] = await self._checked(part, limiter)
        return self._last[part]

    async def _checked(self, part: str, limiter: anyio.CapacityLimiter) -> bool:
        with anyio.move_on_after(CHECK_SECONDS):
            try:
                await anyio.to_thread.run_sync(
                    self._check, part, limiter=limiter, abandon_on_cancel=True
                )
            except Exception as exc:
                logger.warning("readiness: %s: %s: %s", part, type(exc).__name__, exc)
                return False
            return True
        return False

    def _check(self, part: str) -> None:
        if part == "store":
            check_store(self.app.state.store, self.app.state.settings.store)
        elif part == "database":
            check_database(self.app.state.private.engine)
        elif not self.index_loaded:
            # The warm-up failed or is still running: try (or wait for) a load here; the
            # index loads once at a time, so this waits behind a running load.
            self._load_index()
            if not self.index_loaded:
                raise LookupError("the catalogue index could not be loaded")


def drain(app: FastAPI) -> None:
    """Answer 503 at `/readyz` from now on: the server is about to stop."""
    readiness: Readiness = app.state.readiness
    readiness.drain()


def check_store(store: Store, location: Any) -> None:
    """A cheap read of the store: its generation and the served datasets. A folder store's
    folder must exist: a share not mounted leaves none (or an empty mount point)."""
    folder = store_folder(location)
    if folder is not None and not folder.is_dir():
        raise FileNotFoundError("the store folder is missing")
    store.generation()
    store.slugs()


@router.get(
    "/healthz",
    summary="Health check",
    tags=["health"],
    # Never rate-limited nor queued (`api.perimeter.admission`): no 429 or 503.
    responses=responses(
        json_example({"status": "ok", "datasets": {SLUG: VERSION}}), problem_responses(400)
    ),
)
async def healthz(request: Request) -> Health:
    """`ok` with the current version of every served dataset.

    It must answer while every worker thread is busy with queries: it reads only the small
    `CURRENT` pointers, on threads of its own (`Readiness.health_limiter`).
    """
    store: Store = request.app.state.store
    readiness: Readiness = request.app.state.readiness
    served = await anyio.to_thread.run_sync(_served, store, limiter=readiness.health_limiter)
    return Health(status="ok", datasets=served)


def _served(store: Store) -> dict[str, str | None]:
    return {slug: store.current(slug) for slug in store.slugs()}


@router.get(
    "/readyz",
    summary="Readiness check",
    tags=["health"],
    response_model=Ready,
    responses=responses(json_example({"status": "ready"}), problem_responses(400, 503)),
)
async def readyz(request: Request) -> Response:
    """`ready` when the store and the state database answer a read, the catalogue index is
    loaded and no shutdown has begun; else 503, naming the parts that are not ready in
    `not_ready` (`store`, `database`, `index`, `shutdown`). Never rate-limited nor queued."""
    readiness: Readiness = request.app.state.readiness
    missing = await readiness.not_ready()
    if not missing:
        return JSONResponse({"status": "ready"}, headers={"Cache-Control": "no-store"})
    return problem_response(
        request,
        status=503,
        slug="not-ready",
        title="Service Unavailable",
        detail="; ".join(MESSAGES[part] for part in missing),
        headers={"Cache-Control": "no-store", "Retry-After": str(math.ceil(CHECK_SECONDS))},
        not_ready=missing,
    )
