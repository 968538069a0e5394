"""The SQL sandbox: user SQL runs in a small pool of worker processes, never in the server.

`/api/v1/sql` and CKAN's `datastore_search_sql` hand their text to `Sandbox.run`. A worker
(`catalog.sandbox.worker`) is a separate Python process with its own in-memory DuckDB whose
only objects are the views of the current versions, which may open no file but theirs, and
whose memory the operating system caps. So whatever a query does — a path as a table name,
a catalogue function, `repeat('x', 1e9)`, a 20,000-term `OR` that plans for seconds — it
can reach nothing but the published files and can exhaust nothing but its own worker:

- time: the worker interrupts its own query at the time limit; when that does not stop it
  (DuckDB checks for interrupts while executing, not while parsing or planning), the parent
  kills the worker at the limit plus `GRACE_SECONDS` and answers 504;
- memory: past DuckDB's limit or the OS cap the query fails with out-of-memory, a 400
  ("needs more memory than allowed"); a worker that dies all the same is replaced and the
  request answered 503 with Retry-After, never a 500;
- results: at most `sql_row_cap` rows and `sql_result_bytes` bytes, then `truncated`;
- waiting: a request waits for a free worker at most as long as a query may hold one,
  behind at most `QUEUE_PER_WORKER` others per worker; past either it gets 503 with
  Retry-After. A worker that was killed is replaced by the next request that needs it,
  before that request's time limit starts.

Workers run at a lower scheduling priority than the server, so a core busy with user SQL
does not slow the pages and `/healthz`. `api.routes.sql` admits at most `capacity` requests
at once and refuses the rest with 503 before they take a thread.

Before it reaches a worker the text is bounded in length (`sql_max_chars`); every check that
parses it runs in the worker (`catalog.sandbox.rules`), so parsing hostile text costs the
server nothing. The views follow `CURRENT`: each request carries the generation of the views
it was answered against, and a worker whose views are older rebuilds its database first,
before the query's time limit starts (within `BUILD_SECONDS`; a view the store failed to
give fails the build with 503, and the views are sent again with the next request).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import weakref
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from catalog.errors import (
    InvalidParameter,
    InvalidQuery,
    OpenDataError,
    QueryFailed,
    QueryForbidden,
    QueryTimeout,
    QueryTooLarge,
    ServiceUnavailable,
    StoreUnavailable,
)
from catalog.sandbox.messages import is_presentable
from catalog.sandbox.process import HEADER_BYTES, WorkerGone, WorkerProcess
from catalog.sandbox.protocol import AnswerHeader, Limits, SqlRequest, ViewsRequest
from catalog.sandbox.rules import ViewWithheld
from catalog.sql import ColumnDescription

if TYPE_CHECKING:  # only a type here: importing settings would pull the store into the worker
    from catalog.settings import Settings

logger = logging.getLogger(__name__)

GRACE_SECONDS = 0.25  # past the time limit, before a worker that did not stop is killed
# For a worker to build its views (a footer read per file; a hung store fails a read within
# about twice OPENDATA_S3_TIMEOUT_SECONDS, and the first failure ends the build).
BUILD_SECONDS = 30.0
QUEUE_PER_WORKER = 8  # requests that may wait for a busy worker, per worker
RETRY_AFTER = 1


@dataclass(frozen=True)
class SqlAnswer:
    fields: list[ColumnDescription]
    rows: list[str]  # one JSON object text per row
    truncated: bool


class _Pool:
    """The workers: idle ones (None: a slot whose worker is not started), busy ones."""

    def __init__(self, size: int) -> None:
        self.idle: queue.LifoQueue[WorkerProcess | None] = queue.LifoQueue()
        for _ in range(size):
            self.idle.put(None)
        self.busy: set[WorkerProcess] = set()
        self.lock = threading.Lock()
        self.waiting = 0
        self.closed = False

    def close(self) -> None:
        with self.lock:
            self.closed = True
            busy = list(self.busy)
        while True:
            try:
                slot = self.idle.get_nowait()
            except queue.Empty:
                break
            if slot is not None:
                slot.stop()
        for worker in busy:
            worker.kill()


class Sandbox:
    """A pool of sandbox processes, started on first use and replaced when they die."""

    def __init__(self, settings: Settings, files: Mapping[str, str] | None = None) -> None:
        self.settings = settings
        self.files = dict(files or {})  # with the views, to a worker of an object store
        memory = settings.sql_worker_memory_mb
        self.limits = Limits(memory_mb=memory, duckdb_mb=memory // 2, ranged=bool(self.files))
        self.size = settings.sql_worker_count
        self._pool = _Pool(self.size)
        # An engine dropped without close() (an app whose lifespan never ran) must not
        # leave its workers running.
        self._finalizer = weakref.finalize(self, self._pool.close)

    @property
    def capacity(self) -> int:
        """How many requests may hold or wait for a worker at once."""
        return self.size * (1 + QUEUE_PER_WORKER)

    def close(self) -> None:
        self._finalizer()

    def pids(self) -> list[int]:
        """The process ids of the running workers (for tests and measurements)."""
        pool = self._pool
        with pool.lock:
            idle = [w for w in list(pool.idle.queue) if w is not None]
            return sorted(w.pid for w in [*idle, *pool.busy])

    def run(
        self,
        text: str,
        views: Mapping[str, str],
        generation: str,
        *,
        postgres: bool = False,
        withheld: Collection[str] = (),
    ) -> SqlAnswer:
        """Run `text` in a worker over `views` ({name: Parquet path}) of `generation`;
        `postgres` also names and types the fields as PostgreSQL would. A query naming one
        of `withheld` (views this request may not read; `generation` names them too) is
        `ViewWithheld`."""
        most = self.settings.sql_max_chars
        if len(text) > most:
            raise InvalidParameter(
                "sql", f"the query is {len(text):,} characters long; at most {most:,} are allowed"
            )
        try:
            text.encode()
        except UnicodeEncodeError:
            raise InvalidParameter(
                "sql", "the text is not valid Unicode (a lone surrogate)"
            ) from None
        worker = self._acquire()
        healthy = False
        try:
            header, rows = self._ask(worker, text, (views, withheld), generation, postgres)
            healthy = not header.get("recycle")
        finally:
            self._release(worker, healthy=healthy)
        return self._answer(header, rows)

    def _ask(
        self,
        worker: WorkerProcess,
        text: str,
        views: tuple[Mapping[str, str], Collection[str]],
        generation: str,
        postgres: bool = False,
    ) -> tuple[AnswerHeader, list[str]]:
        if worker.generation != generation:
            self._build(worker, views, generation)
        limit = self.settings.query_timeout_seconds
        request = SqlRequest(
            sql=text,
            timeout=limit,
            row_cap=self.settings.sql_row_cap,
            byte_cap=self.settings.sql_result_bytes,
        )
        if postgres:
            request["postgres"] = True
        try:
            return worker.ask(
                request,
                time.monotonic() + limit + GRACE_SECONDS,
                self.settings.sql_result_bytes + HEADER_BYTES,
            )
        except TimeoutError:
            logger.warning("SQL worker %d passed the time limit; killed", worker.pid)
            raise _timeout(limit) from None
        except WorkerGone as exc:
            raise _gone(worker, exc) from None

    def _build(
        self,
        worker: WorkerProcess,
        views: tuple[Mapping[str, str], Collection[str]],
        generation: str,
    ) -> None:
        """Rebuild the worker's views, before the query's time limit starts: each view reads
        its file's footer (over an object store, from the bucket), which took a fresh worker
        1.3-2.0 s of a 2 s limit on a busy machine (issue 17), and cold workers were killed
        at the limit one after the other."""
        request = ViewsRequest(views=dict(views[0]), withheld=sorted(views[1]))
        if self.files:
            request["files"] = self.files
        try:
            header, _ = worker.ask(request, time.monotonic() + BUILD_SECONDS, HEADER_BYTES)
        except TimeoutError:
            logger.warning("SQL worker %d did not build its views in time; killed", worker.pid)
            raise ServiceUnavailable(
                "the SQL service could not open the data in time; retry in a moment", RETRY_AFTER
            ) from None
        except WorkerGone as exc:
            raise _gone(worker, exc) from None
        self._answer(header, [])  # its error, if any: the views are sent again next time
        worker.generation = generation

    def _answer(self, header: AnswerHeader, rows: list[str]) -> SqlAnswer:
        error = header.get("error")
        if isinstance(error, dict):
            raise _error(str(error.get("kind")), str(error.get("message")), self)
        return SqlAnswer(
            fields=list(header["fields"]), rows=rows, truncated=bool(header["truncated"])
        )

    # -- the pool ----------------------------------------------------------------------------

    def _acquire(self) -> WorkerProcess:
        pool = self._pool
        with pool.lock:
            if pool.closed:
                raise ServiceUnavailable("the SQL service is shutting down", RETRY_AFTER)
            if pool.waiting >= QUEUE_PER_WORKER * self.size:
                raise ServiceUnavailable("the SQL service is busy; retry in a moment", RETRY_AFTER)
            pool.waiting += 1
        try:
            # The longest a running query can hold a worker: then it is free or replaced.
            slot = pool.idle.get(timeout=self.settings.query_timeout_seconds + GRACE_SECONDS)
        except queue.Empty:
            raise ServiceUnavailable(
                "the SQL service is busy; retry in a moment", RETRY_AFTER
            ) from None
        finally:
            with pool.lock:
                pool.waiting -= 1
        if slot is not None and not slot.alive():  # died while idle (killed from outside)
            slot.kill()
            slot = None
        if slot is None:
            try:
                slot = WorkerProcess(self.limits)
            except (OSError, WorkerGone, TimeoutError) as exc:
                pool.idle.put(None)
                logger.error("SQL worker did not start: %s", exc)
                raise ServiceUnavailable("the SQL service is starting; retry", RETRY_AFTER) from exc
        with pool.lock:
            pool.busy.add(slot)
        return slot

    def _release(self, worker: WorkerProcess, *, healthy: bool) -> None:
        pool = self._pool
        with pool.lock:
            pool.busy.discard(worker)
            closed = pool.closed
        if healthy and not closed:
            pool.idle.put(worker)
            return
        worker.kill()
        if not closed:
            # The next request starts a new worker, before its own time limit starts.
            pool.idle.put(None)


def _timeout(limit: float) -> QueryTimeout:
    return QueryTimeout(
        f"the query ran longer than the {limit:g} s limit and was stopped; "
        "narrow the filters or lower the limit, or download the file"
    )


def _gone(worker: WorkerProcess, exc: WorkerGone) -> ServiceUnavailable:
    logger.error("SQL worker %d failed: %s", worker.pid, exc)
    return ServiceUnavailable(
        "the query stopped the SQL service; it is being restarted, retry in a moment", RETRY_AFTER
    )


def _error(kind: str, message: str, sandbox: Sandbox) -> OpenDataError:
    """A worker's error as ours; its message shown only if it passes our own check again."""
    if kind == "refused":  # the name of a view withheld from the request
        return ViewWithheld(message)
    if not is_presentable(message):
        message = "the query could not be run as written"
    if kind == "timeout":
        return _timeout(sandbox.settings.query_timeout_seconds)
    if kind == "forbidden":
        return QueryForbidden(message)
    if kind == "memory":
        return QueryTooLarge(
            f"{message} (each query may use {sandbox.limits.memory_mb} MB); narrow it with "
            "filters, fewer columns or an aggregate, or download the file"
        )
    if kind == "invalid":
        return InvalidQuery(message)
    if kind == "broken":
        return ServiceUnavailable("the SQL service had to restart a database; retry", RETRY_AFTER)
    if kind == "unavailable":
        return StoreUnavailable("the object store failed a read of a file the query needed")
    return QueryFailed("the query failed")
