"""One SQL sandbox worker: a process that runs user SQL in a database holding only the views.

Started by `catalog.sandbox.pool` as `python -m catalog.sandbox.worker <limits>`; it talks over
its stdin and stdout in frames (a 4-byte big-endian length, then the bytes) and imports
nothing heavier than `duckdb`, so an idle worker costs ~80 MB of resident memory, most of
it DuckDB's shared library.

Before it reads a request it caps its own memory (RLIMIT_DATA: its share of the budget, plus
what loading an object store's filesystem took; measured: RLIMIT_AS counts
address space DuckDB reserves but never touches, refused allocations while resident memory
was a fifth of the cap, and at some caps kept DuckDB from starting at all), forbids core
files and lowers its scheduling priority below the server's. Its database is rebuilt
whenever the views change: an in-memory DuckDB whose only objects are the views
`<slug>__<resource>` over the published files, `allowed_paths` set to exactly those files,
external access off, no extension loading, configuration locked, spilling off
(`temp_directory` empty: a query past the memory limit fails instead of writing to disk),
one thread. A worker whose memory stays high after a query ends after answering
(`"recycle": true` in the header) and the parent starts a fresh one.

A request is a JSON object {"sql", "timeout", "row_cap", "byte_cap", "views"?, "withheld"?};
`views` ({name: path}) comes whenever the parent's views differ from the worker's, with the
names of the views withheld from the request (`withheld`: naming one is error kind
`refused`). The answer is a JSON header line, then the rows, one JSON object text per line
(DuckDB's `to_json` never writes a raw newline): the header holds either {"fields",
"truncated", "count"} or {"error": {"kind", "message"}}, and "recycle". The worker
interrupts its own query at `timeout`; what an interrupt cannot stop (parsing, planning) the
parent stops by killing the process.
"""

from __future__ import annotations

import importlib
import json
import os
import resource
import sys
import time
import traceback
from dataclasses import dataclass
from typing import IO

import duckdb

from catalog.errors import (
    MISSING_RETRY_SECONDS,
    InvalidQuery,
    OpenDataError,
    QueryForbidden,
    QueryTooLarge,
)
from catalog.sandbox.messages import explain
from catalog.sandbox.naming import name_as_postgres
from catalog.sandbox.protocol import (
    FRAME,
    ID_VIEW_SUFFIX,
    AnswerHeader,
    Failure,
    Limits,
    SqlRequest,
    ViewsRequest,
    id_view,
)
from catalog.sandbox.rules import ViewWithheld, parsed_statement
from catalog.sandbox.views import attach, made_id_views, made_views
from catalog.sql import (
    MAX_NESTING,
    Column,
    ColumnDescription,
    Watchdog,
    finite_json,
    json_row_sql,
    nests_deeper,
    result_column,
)

FETCH_ROWS = 512
# A worker whose data segment passed this share of its cap after a query (DuckDB and the
# allocator keep some of a big query's memory) ends after answering and is replaced.
RECYCLE_SHARE = 0.6
NICENESS = 10


@dataclass
class Answer:
    header: AnswerHeader
    rows: list[bytes]


def main() -> None:
    limits = Limits(**json.loads(sys.argv[1]))
    # Reading an object store's files takes pyarrow (with numpy) and fsspec: ~115 MB of data
    # segment before any query, measured, where a folder's worker holds ~25. Loaded before
    # the cap and added to it, so a query has the same room over either store, and a worker
    # is not replaced after every query for memory it held before the first.
    before = _data_kb()
    if limits.ranged:
        importlib.import_module("catalog.store")
    loaded_kb = max(0, _data_kb() - before)
    cap = (limits.memory_mb * 1024 + loaded_kb) * 1024
    resource.setrlimit(resource.RLIMIT_DATA, (cap, cap))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # Below the server in the scheduler: a core busy with user SQL must not slow /healthz,
    # pages or downloads, which answer in milliseconds when they get the CPU.
    os.nice(NICENESS)
    # The protocol gets private copies of stdin and stdout; anything the engine or Python
    # prints lands in the server's log instead of in the middle of a frame.
    output = os.fdopen(os.dup(1), "wb")
    source = os.fdopen(os.dup(0), "rb")
    os.dup2(2, 1)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    worker = Worker(limits, loaded_kb)
    send(output, Answer(AnswerHeader(ready=True), []))
    while (frame := receive(source)) is not None:
        answer = worker.answer(json.loads(frame))
        error = answer.header.get("error")
        spent = (error is not None and error["kind"] == "broken") or worker.spent()
        answer.header["recycle"] = spent
        send(output, answer)
        if spent:  # memory a failed query left behind is returned to the system only so
            return


def receive(source: IO[bytes]) -> bytes | None:
    """The next frame, or None when the parent has gone."""
    head = source.read(FRAME.size)
    if len(head) < FRAME.size:
        return None
    body = source.read(FRAME.unpack(head)[0])
    return body


def send(output: IO[bytes], answer: Answer) -> None:
    """Write `answer` as one frame, the rows streamed rather than joined into a copy."""
    header = json.dumps(answer.header, ensure_ascii=False).encode()
    size = len(header) + sum(len(row) + 1 for row in answer.rows)
    output.write(FRAME.pack(size))
    output.write(header)
    for row in answer.rows:
        output.write(b"\n")
        output.write(row)
    output.flush()


class Worker:
    """The database of the views and the loop body that answers one request."""

    def __init__(self, limits: Limits, loaded_kb: int = 0) -> None:
        self.limits = limits
        self.loaded_kb = loaded_kb  # what the store's filesystem took at start (`main`)
        self.views: dict[str, str] = {}
        self.id_views: dict[str, str] = {}  # `id_view` of each of `views`, for CKAN's SQL
        self.withheld: list[str] = []
        self.asked: tuple[dict[str, str], dict[str, str] | None] = ({}, None)
        self.lost: list[str] = []  # views whose file the store does not hold now
        self.lost_at = 0.0
        self.con = self._connect({}, None)
        # One thread for every deadline, started now: under the memory cap, a thread made
        # per request could fail to get its stack after a query that took all the memory.
        self.watchdog = Watchdog()
        self.watchdog.watch(0, _Nothing())

    def answer(self, request: SqlRequest | ViewsRequest) -> Answer:
        views = request.get("views")
        if views is not None:
            self.withheld = [str(name) for name in request.get("withheld", [])]
            self.asked = (dict(views), request.get("files"))
        if views is not None or (
            self.lost and time.monotonic() - self.lost_at >= MISSING_RETRY_SECONDS
        ):
            # (A view whose file the store lacked is looked for again, at most every second:
            # the views the parent lists do not change when the object comes back.)
            failed = self._rebuild(*self.asked)
            if failed is not None:
                return failed
        if "sql" not in request:  # the views alone
            return Answer(AnswerHeader(fields=[], truncated=False, count=0), [])
        try:
            return self._run(
                str(request["sql"]),
                float(request["timeout"]),
                int(request["row_cap"]),
                int(request["byte_cap"]),
                postgres=bool(request.get("postgres")),
            )
        except ViewWithheld as exc:  # named as the parent names it, without `ID_VIEW_SUFFIX`
            name = exc.view.removesuffix(ID_VIEW_SUFFIX)
            if name in self.lost:
                return _error("unavailable", "the data store did not answer; retry in a moment")
            return _error("refused", name)
        except QueryForbidden as exc:
            return _error("forbidden", str(exc))
        except QueryTooLarge as exc:
            return _error("memory", str(exc))
        except OpenDataError as exc:
            return _error("invalid", str(exc))
        except duckdb.Error as exc:
            # A "broken" database (DuckDB's fatal and internal errors) ends this process.
            explained = explain(exc, self.views)
            return _error(explained.kind, explained.message)
        except MemoryError:
            return _error("memory", "the query needs more memory than allowed")
        except RecursionError:
            return _error("invalid", "the query is nested too deeply")
        except Exception:  # the process may be short of memory: answer, then be replaced
            traceback.print_exc()
            return _error("broken", "the query could not be run")

    def _rebuild(self, views: dict[str, str], files: dict[str, str] | None) -> Answer | None:
        """Build the database of `views`; the error to answer when it could not be made."""
        try:
            self.con.close()
            self.con = self._connect(views, files)
        except duckdb.Error:  # the store failed a read (`_connect`): none of its views kept
            traceback.print_exc()
            self.con = self._connect({}, None)
            return _error("unavailable", "the data store did not answer; retry in a moment")
        except Exception:  # without its database this process is of no use: replace it
            traceback.print_exc()
            return _error("broken", "the SQL service had to restart")
        return None

    def spent(self) -> bool:
        """Whether this process holds so much of its cap that a fresh one should follow it."""
        used = (_data_kb() - self.loaded_kb) / 1024
        return used > self.limits.memory_mb * RECYCLE_SHARE

    def _run(
        self, text: str, timeout: float, row_cap: int, byte_cap: int, *, postgres: bool
    ) -> Answer:
        # A cursor per request: an interrupt that fires late stops only this request's work.
        cursor = self.con.cursor()
        deadline = self.watchdog.watch(timeout, cursor)
        try:
            views, withheld = self._readable(postgres)
            query, tree = parsed_statement(cursor, text, views, withheld)
            wrapped = f"SELECT * FROM (\n{query}\n) AS _q"
            described = cursor.execute(f"DESCRIBE {wrapped}").fetchall()
            columns = [result_column(str(name), str(kind)) for name, kind, *_ in described]
            cursor.execute(
                f"SELECT {json_row_sql(columns)} FROM ({wrapped}) AS _r LIMIT ?", [row_cap + 1]
            )
            rows, truncated = _fetch(cursor, row_cap, byte_cap)
            fields = [
                _described(c, str(kind))
                for c, (_, kind, *_) in zip(columns, described, strict=True)
            ]
            if postgres:
                name_as_postgres(cursor, tree, views, fields)
        finally:
            self.watchdog.cancel(deadline)
            cursor.close()
        return Answer(AnswerHeader(fields=fields, truncated=truncated, count=len(rows)), rows)

    def _readable(self, postgres: bool) -> tuple[dict[str, str], list[str]]:
        """The views a request may name and those withheld from it: a CKAN request
        (`postgres`) also the `id_view`s, each withheld as its view is."""
        if not postgres:
            return self.views, [*self.withheld, *self._lost_names(postgres)]
        withheld = [*self.withheld, *(id_view(name) for name in self.withheld)]
        return {**self.views, **self.id_views}, [*withheld, *self._lost_names(postgres)]

    def _lost_names(self, postgres: bool) -> list[str]:
        """The views whose file the store lacked: named, they are refused as unavailable."""
        return [*self.lost, *(id_view(name) for name in self.lost if postgres)]

    def _connect(
        self, views: dict[str, str], files: dict[str, str] | None
    ) -> duckdb.DuckDBPyConnection:
        """A fresh database whose only objects are `views`, reading only their files, opened
        in place as `files` says (an object store's by byte ranges; none: local files)."""
        con = duckdb.connect(
            ":memory:",
            config={
                "threads": self.limits.threads,
                "memory_limit": f"{self.limits.duckdb_mb}MB",
                "temp_directory": "",
                "allocator_flush_threshold": "8MB",
            },
        )
        if files and views:
            attach(con, files)
        con.execute("SET allowed_paths = ?", [sorted(set(views.values()))])
        con.execute("SET enable_external_access = false")
        made, self.lost = made_views(con, views)
        self.lost_at = time.monotonic()
        self.id_views = made_id_views(con, made)
        con.execute("SET autoinstall_known_extensions = false")
        con.execute("SET autoload_known_extensions = false")
        # Published files never change: their footers are parsed once, not per query; for
        # every cursor (GLOBAL: a plain SET holds for this connection alone).
        con.execute("SET GLOBAL parquet_metadata_cache = true")
        con.execute("SET lock_configuration = true")
        self.views = made
        return con


def _described(column: Column, sql_type: str) -> ColumnDescription:
    """The column as the answer's header gives it: its Table Schema type and DuckDB's."""
    described = column.describe()
    described["sql_type"] = sql_type
    return described


def _fetch(
    cursor: duckdb.DuckDBPyConnection, row_cap: int, byte_cap: int
) -> tuple[list[bytes], bool]:
    """At most `row_cap` rows and `byte_cap` bytes of them; whether more were left."""
    rows: list[bytes] = []
    size = 0
    while batch := cursor.fetchmany(FETCH_ROWS):
        for (text,) in batch:
            if nests_deeper(str(text)):
                # A JSON value built in SQL (json_extract of 100,000 brackets): every
                # reader of the answer recurses, ours (datastore_search_sql) too.
                raise InvalidQuery(
                    f"a value in the result nests arrays or objects deeper than {MAX_NESTING} "
                    "levels; select a part of it (json_extract with a path)"
                )
            row = finite_json(str(text)).encode()
            if len(rows) == row_cap or size + len(row) + 1 > byte_cap:
                if not rows:
                    raise QueryTooLarge(
                        f"one row of the result is larger than the {byte_cap:,}-byte limit"
                    )
                return rows, True
            rows.append(row)
            size += len(row) + 1
    return rows, False


class _Nothing:
    def interrupt(self) -> None:
        pass


def _data_kb() -> int:
    """This process's data segment, the size RLIMIT_DATA caps."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmData:"):
                return int(line.split()[1])
    return 0


def _error(kind: str, message: str) -> Answer:
    return Answer(AnswerHeader(error=Failure(kind=kind, message=message)), [])


if __name__ == "__main__":
    main()
