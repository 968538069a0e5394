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
it was answered against, and a worker whose views are older rebuilds its database first.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import queue
import select
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Collection, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
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
)
from catalog.sandbox.messages import is_presentable
from catalog.sandbox.protocol import FRAME, AnswerHeader, Limits, SqlRequest
from catalog.sandbox.rules import ViewWithheld
from catalog.sql import ColumnDescription

if TYPE_CHECKING:  # only a type here: importing settings would pull the store into the worker
    from catalog.settings import Settings

logger = logging.getLogger(__name__)

GRACE_SECONDS = 0.25  # past the time limit, before a worker that did not stop is killed
START_SECONDS = 30.0  # for a new worker to import DuckDB and say it is ready
QUEUE_PER_WORKER = 8  # requests that may wait for a busy worker, per worker
RETRY_AFTER = 1
HEADER_BYTES = 4 * 1024 * 1024  # the answer's fields and flags, beside the capped rows
# The project root (above catalog/sandbox/), so that a worker imports this very `catalog`,
# wherever it is installed, and not another checkout's that site-packages may point to.
ROOT = str(Path(__file__).resolve().parents[2])


@dataclass(frozen=True)
class SqlAnswer:
    fields: list[ColumnDescription]
    rows: list[str]  # one JSON object text per row
    truncated: bool


class WorkerGone(Exception):
    """The worker process died or broke the protocol; it must be replaced."""


class _Worker:
    """One worker process and the pipes to it."""

    def __init__(self, limits: Limits) -> None:
        self.generation: str | None = None
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": ROOT}
        env.update({k: os.environ[k] for k in ("TZ", "LANG", "LC_ALL") if k in os.environ})
        # -P: no working directory on sys.path; -s: no user site; -B: no bytecode written.
        command = [sys.executable, "-P", "-s", "-B", "-m", "catalog.sandbox.worker"]
        self.process = subprocess.Popen(
            [*command, json.dumps(asdict(limits))],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd="/",
            env=env,
            close_fds=True,
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self._input = self.process.stdin
        self._output = self.process.stdout.fileno()
        try:
            header, _ = self._read(time.monotonic() + START_SECONDS, HEADER_BYTES)
        except (WorkerGone, TimeoutError):
            self.kill()
            raise
        if not header.get("ready"):
            self.kill()
            raise WorkerGone("the worker did not start")

    @property
    def pid(self) -> int:
        return self.process.pid

    def ask(
        self, request: SqlRequest, deadline: float, limit: int
    ) -> tuple[AnswerHeader, list[str]]:
        """Send `request`; the answer's header and rows. TimeoutError past `deadline`."""
        body = json.dumps(request, ensure_ascii=False).encode()
        try:
            self._input.write(FRAME.pack(len(body)) + body)
            self._input.flush()
        except OSError as exc:
            raise WorkerGone("the worker is gone") from exc
        return self._read(deadline, limit)

    def _read(self, deadline: float, limit: int) -> tuple[AnswerHeader, list[str]]:
        (size,) = FRAME.unpack(self._read_exactly(FRAME.size, deadline))
        if size > limit:
            raise WorkerGone(f"the worker sent {size} bytes, more than {limit}")
        data = self._read_exactly(size, deadline)
        head, _, rest = data.partition(b"\n")
        try:
            header: AnswerHeader = json.loads(head)  # the worker's; checked below as far as used
            rows = rest.decode().split("\n") if rest else []
        except ValueError as exc:
            raise WorkerGone("the worker sent something unreadable") from exc
        if not isinstance(header, dict) or len(rows) != int(header.get("count", 0)):
            raise WorkerGone("the worker's answer does not add up")
        return header, rows

    def _read_exactly(self, size: int, deadline: float) -> bytes:
        chunks = []
        poller = select.poll()
        poller.register(self._output, select.POLLIN | select.POLLHUP | select.POLLERR)
        while size:
            left = deadline - time.monotonic()
            if left <= 0 or not poller.poll(left * 1000):
                raise TimeoutError
            chunk = os.read(self._output, min(size, 1 << 20))
            if not chunk:
                raise WorkerGone("the worker is gone")
            chunks.append(chunk)
            size -= len(chunk)
        return b"".join(chunks)

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        self.process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):  # stuck in the kernel: let it be
            self.process.wait(timeout=5)
        self._input.close()
        if self.process.stdout is not None:
            self.process.stdout.close()

    def stop(self) -> None:
        """Let the worker end by itself (its input closes), killing it if it lingers."""
        try:
            self._input.close()
            self.process.wait(timeout=2)
        except (OSError, subprocess.TimeoutExpired):
            pass
        self.kill()


class _Pool:
    """The workers: idle ones (None: a slot whose worker is not started), busy ones."""

    def __init__(self, size: int) -> None:
        self.idle: queue.LifoQueue[_Worker | None] = queue.LifoQueue()
        for _ in range(size):
            self.idle.put(None)
        self.busy: set[_Worker] = set()
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
        worker: _Worker,
        text: str,
        views: tuple[Mapping[str, str], Collection[str]],
        generation: str,
        postgres: bool = False,
    ) -> tuple[AnswerHeader, list[str]]:
        limit = self.settings.query_timeout_seconds
        request = SqlRequest(
            sql=text,
            timeout=limit,
            row_cap=self.settings.sql_row_cap,
            byte_cap=self.settings.sql_result_bytes,
        )
        if worker.generation != generation:
            request["views"] = dict(views[0])
            request["withheld"] = sorted(views[1])
            if self.files:
                request["files"] = self.files
        if postgres:
            request["postgres"] = True
        try:
            answer = worker.ask(
                request,
                time.monotonic() + limit + GRACE_SECONDS,
                self.settings.sql_result_bytes + HEADER_BYTES,
            )
        except TimeoutError:
            logger.warning("SQL worker %d passed the time limit; killed", worker.pid)
            raise _timeout(limit) from None
        except WorkerGone as exc:
            logger.error("SQL worker %d failed: %s", worker.pid, exc)
            raise ServiceUnavailable(
                "the query stopped the SQL service; it is being restarted, retry in a moment",
                RETRY_AFTER,
            ) from None
        worker.generation = generation
        return answer

    def _answer(self, header: AnswerHeader, rows: list[str]) -> SqlAnswer:
        error = header.get("error")
        if isinstance(error, dict):
            raise _error(str(error.get("kind")), str(error.get("message")), self)
        return SqlAnswer(
            fields=list(header["fields"]), rows=rows, truncated=bool(header["truncated"])
        )

    # -- the pool ----------------------------------------------------------------------------

    def _acquire(self) -> _Worker:
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
                slot = _Worker(self.limits)
            except (OSError, WorkerGone, TimeoutError) as exc:
                pool.idle.put(None)
                logger.error("SQL worker did not start: %s", exc)
                raise ServiceUnavailable("the SQL service is starting; retry", RETRY_AFTER) from exc
        with pool.lock:
            pool.busy.add(slot)
        return slot

    def _release(self, worker: _Worker, *, healthy: bool) -> None:
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
    return QueryFailed("the query failed")
