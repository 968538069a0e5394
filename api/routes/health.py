"""Liveness and readiness: is the process up, and may a load balancer send it requests.

`/healthz` says the process answers, from memory: it never waits on the store or the
database (a hung or down store must not make a live process look dead), and names the
versions served as last read. `/readyz` says it can do its work: the store answers a read and
holds something published, the state database answers a read, the catalogue index has been
loaded, and the server is not shutting down. Neither is rate-limited nor queued
(`api.perimeter.admission` classes neither path). A part that is not ready is named in the
503 problem (`not_ready`), never with a path or an engine's message: those go to the log,
one line per part every `LOG_SECONDS` at most, with a count of the others.

Each part's check is single-flight (`PartCheck`): one at a time, on a thread of its own rather
than the server's pool (which queries may fill), probes that come meanwhile share its answer,
and a ready answer serves the probes of the next `REUSE_SECONDS`. Its time limit,
`CHECK_SECONDS`, counts from the check's own start: a hung part answers 503 at once to the
probes after it, and holds one thread, not one per probe.
"""

from __future__ import annotations

import asyncio
import logging
import math
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from typing_extensions import TypedDict

from api.errors import problem_response
from api.openapi import SLUG, VERSION, json_example, problem_responses, responses
from api.perimeter import QuietLog
from catalog.query import trim_freed_memory
from catalog.state import check_database
from catalog.store import Store, store_folder

router = APIRouter()
logger = logging.getLogger(__name__)

# Seconds a readiness check may take, from its own start: past it, its part is not ready.
CHECK_SECONDS = 2.0
# Seconds a ready answer is given again without a new check (a failure is checked again).
REUSE_SECONDS = 1.0
# Seconds between the reads of the served versions `/healthz` names (on a thread of its own).
SNAPSHOT_SECONDS = 1.0
LOG_SECONDS = 10.0
PARTS = ("store", "database", "index")
MESSAGES = {
    "store": "the store did not answer a read",
    "database": "the state database did not answer a read",
    "index": "the catalogue index is not loaded yet",
    "shutdown": "the server is shutting down",
}
EMPTY = "the store holds no published dataset"


# A response model: pydantic reads only `typing_extensions` TypedDicts on Python 3.11.
class Health(TypedDict):
    status: str
    datasets: dict[str, str | None]  # slug: its current version


class Ready(TypedDict):
    status: str


class NotReady(Exception):
    """A part that answers but cannot serve: `public` goes in the 503, the message to the log."""

    def __init__(self, message: str, public: str) -> None:
        super().__init__(message)
        self.public = public


@dataclass(frozen=True)
class Answer:
    """What one check found: `reason` for the log, `message` for the 503."""

    ok: bool
    at: float  # `time.monotonic()` when it was found
    reason: str = ""
    message: str = ""


class Worker:
    """One daemon thread that runs what it is handed, in order: handing it work never waits
    for a thread to start (which, under a crowd of busy threads, can hold the event loop)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._jobs: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def run(self, job: Callable[[], None]) -> None:
        self._jobs.put(job)
        with self._lock:
            if self._thread is None:  # once: started the first time it is needed
                self._thread = threading.Thread(target=self._serve, name=self.name, daemon=True)
                self._thread.start()

    def _serve(self) -> None:
        while True:
            self._jobs.get()()


class PartCheck:
    """One part's check, single-flight (its thread a daemon: a hung store holds no exit)."""

    def __init__(self, part: str, check: Callable[[], None]) -> None:
        self.part = part
        self.check = check
        self.last: Answer | None = None
        self.began = 0.0
        self._pending: asyncio.Future[Answer] | None = None
        self._worker = Worker(f"ready-{part}")

    async def answer(self) -> Answer:
        last = self.last
        if last is not None and last.ok and time.monotonic() - last.at < REUSE_SECONDS:
            return last
        pending = self._pending
        if pending is None or pending.get_loop() is not asyncio.get_running_loop():
            pending = self._start()  # none running (or one of a loop that has ended)
        left = CHECK_SECONDS - (time.monotonic() - self.began)
        try:
            return await asyncio.wait_for(asyncio.shield(pending), max(left, 0.0))
        except TimeoutError:
            took = time.monotonic() - self.began
            return Answer(
                False, time.monotonic(), f"no answer in {took:.1f} s", MESSAGES[self.part]
            )

    def _start(self) -> asyncio.Future[Answer]:
        loop = asyncio.get_running_loop()
        pending: asyncio.Future[Answer] = loop.create_future()
        self._pending, self.began = pending, time.monotonic()

        def run() -> None:
            answer = self._run()
            try:
                loop.call_soon_threadsafe(self._done, pending, answer)
            except RuntimeError:  # the loop has ended: nobody waits
                if self._pending is pending:
                    self.last, self._pending = answer, None

        self._worker.run(run)
        return pending

    def _run(self) -> Answer:
        try:
            self.check()
        except Exception as exc:
            public = exc.public if isinstance(exc, NotReady) else MESSAGES[self.part]
            return Answer(False, time.monotonic(), f"{type(exc).__name__}: {exc}", public)
        return Answer(True, time.monotonic())

    def _done(self, pending: asyncio.Future[Answer], answer: Answer) -> None:
        self.last, self._pending = answer, None
        if not pending.done():
            pending.set_result(answer)


class Readiness:
    """What `/readyz` reports: each part's check, the index's first load, and whether a
    shutdown has begun (`drain`, called on SIGTERM by `opendata serve`); and the served
    versions `/healthz` names, read on a thread of its own."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.index_loaded = False
        self.draining = False
        self._loading = threading.Lock()  # one load of the index at a time
        self.checks = {
            "store": PartCheck("store", self._check_store),
            "database": PartCheck("database", self._check_database),
        }
        self._logs = {part: QuietLog(logger, LOG_SECONDS) for part in (*PARTS, "shutdown")}
        self.served: dict[str, str | None] = {}
        self._served_at = float("-inf")
        self._reading = threading.Lock()
        self._reader = Worker("healthz")

    def warm(self) -> None:
        """Load the catalogue index now, on a thread of its own, instead of at the first
        search (`/readyz` says `index` until it has loaded); read the served versions."""
        # Not a daemon: DuckDB aborts the process if the interpreter ends inside its call.
        threading.Thread(target=self._load_index, name="index-warm").start()
        self.refresh_served()

    def _load_index(self) -> None:
        with self._loading:  # a second caller waits for the running load, then sees it
            if self.index_loaded:
                return
            try:
                self.app.state.index.packages()
            except Exception:
                logger.exception("the catalogue index could not be loaded")
                return
            # The start's work is done: what it freed goes back before /readyz says ready.
            trim_freed_memory()
            self.index_loaded = True

    def drain(self) -> None:
        self.draining = True

    async def not_ready(self) -> list[tuple[str, str]]:
        """The parts that are not ready, in order, each with what the 503 says of it; every
        one is logged with its reason (`LOG_SECONDS` apart at most per part)."""
        if self.draining:
            self._logs["shutdown"].warning("readiness: not ready: the server is shutting down")
            return [("shutdown", MESSAGES["shutdown"])]
        found = []
        for part in PARTS:
            answer = await (self._index() if part == "index" else self.checks[part].answer())
            if not answer.ok:
                self._logs[part].warning("readiness: %s not ready: %s", part, answer.reason)
                found.append((part, answer.message))
        return found

    def _check_store(self) -> None:
        check_store(self.app.state.store, self.app.state.settings.store)

    def _check_database(self) -> None:
        check_database(self.app.state.private.database)

    async def _index(self) -> Answer:
        """Loaded once, the index stays loaded (it is kept current incrementally): no check.
        Before, a load is started if none runs (the warm-up failed), and awaited a while."""
        if not self.index_loaded and not self._loading.locked():
            threading.Thread(target=self._load_index, name="index-load").start()
        deadline = time.monotonic() + CHECK_SECONDS
        while not self.index_loaded and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        if self.index_loaded:
            return Answer(True, time.monotonic())
        return Answer(False, time.monotonic(), "not loaded (yet)", MESSAGES["index"])

    def served_versions(self) -> dict[str, str | None]:
        """The served versions as last read; a read on a thread of its own when they are
        older than `SNAPSHOT_SECONDS` (the caller never waits for it)."""
        if time.monotonic() - self._served_at >= SNAPSHOT_SECONDS and not self._reading.locked():
            self._reader.run(self.refresh_served)
        return self.served

    def refresh_served(self) -> None:
        if not self._reading.acquire(blocking=False):
            return  # one read at a time
        if time.monotonic() - self._served_at < SNAPSHOT_SECONDS:
            self._reading.release()  # read meanwhile (several probes asked for it)
            return
        try:
            store: Store = self.app.state.store
            self.served = {slug: store.current(slug) for slug in store.slugs()}
        except Exception as exc:  # the store is away: the last read stands
            self._logs["store"].warning("healthz: the served versions were not read: %s", exc)
        finally:
            self._served_at = time.monotonic()
            self._reading.release()


def drain(app: FastAPI) -> None:
    """Answer 503 at `/readyz` from now on: the server is about to stop."""
    readiness: Readiness = app.state.readiness
    readiness.drain()


def check_store(store: Store, location: Any) -> None:
    """A cheap read of the store: its generation (one small read). A folder store's folder
    must exist (a share not mounted leaves none), and a store must hold something ever
    published: an empty one is a wrong prefix or folder (or a store nothing was built into)."""
    folder = store_folder(location)
    if folder is not None and not folder.is_dir():
        raise FileNotFoundError("the store folder is missing")
    if not store.generation() and not store.slugs():
        raise NotReady(
            f"the store {location} holds nothing published (no GENERATION, no dataset):"
            " is OPENDATA_STORE the location `opendata build` published to?",
            EMPTY,
        )


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
    """`ok`, with the current version of every served dataset as last read: a probe starts
    a new read when the last is over a second old, and answers what the previous one found.

    It answers from memory, never waiting on the store or the database: it says the process
    is alive, whatever they do (`/readyz` says whether it can serve).
    """
    readiness: Readiness = request.app.state.readiness
    return Health(status="ok", datasets=dict(readiness.served_versions()))


@router.get(
    "/readyz",
    summary="Readiness check",
    tags=["health"],
    response_model=Ready,
    responses=responses(json_example({"status": "ready"}), problem_responses(400, 503)),
)
async def readyz(request: Request) -> Response:
    """`ready` when the store answers a read and holds something published, the state
    database answers a read, the catalogue index is loaded and no shutdown has begun; else
    503, naming the parts that are not ready in `not_ready` (`store`, `database`, `index`,
    `shutdown`). Never rate-limited nor queued."""
    readiness: Readiness = request.app.state.readiness
    found = await readiness.not_ready()
    if not found:
        return JSONResponse({"status": "ready"}, headers={"Cache-Control": "no-store"})
    return problem_response(
        request,
        status=503,
        slug="not-ready",
        title="Service Unavailable",
        detail="; ".join(message for _part, message in found),
        headers={"Cache-Control": "no-store", "Retry-After": str(math.ceil(CHECK_SECONDS))},
        not_ready=[part for part, _message in found],
    )
