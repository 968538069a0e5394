"""The engine's one DuckDB database: locked to the store's files, its errors made ours.

The database reads the store's files in place (`Store.files`: an object store's by byte
ranges, through a filesystem registered on it) and may read files only under the store
(`allowed_directories`, then
`enable_external_access = false`, then `lock_configuration`), and its memory limit is 40 %
of `memory_budget_mb` unless `duckdb_memory_limit` says otherwise. Results too large to hold
are read as Arrow batches, lazily: memory stays one batch deep.
"""

from __future__ import annotations

import ctypes
import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import duckdb
import pyarrow as pa

from catalog.errors import (
    InvalidQuery,
    OpenDataError,
    QueryFailed,
    QueryForbidden,
    QueryTimeout,
    ServiceUnavailable,
    store_failure,
)
from catalog.sandbox import explain
from catalog.settings import Settings
from catalog.store import Files
from validation import Refusal

Batches = Iterator[pa.RecordBatch]
# glibc's `mallopt` parameter for the arena cap (malloc.h), and the cap a server takes.
M_ARENA_MAX = -8
MALLOC_ARENAS = 2


def connect(
    root: Path, settings: Settings, files: Files | None = None
) -> duckdb.DuckDBPyConnection:
    """The shared database: reads only under `root` and the places of `files` (a store's
    files read in place: `Store.files`), its configuration locked."""
    # Spill files go to a temporary folder of ours, not `.tmp/` in whatever the working
    # directory happens to be (a checkout, say).
    temp = Path(tempfile.gettempdir()) / f"opendata-duckdb-{os.getpid()}"
    con = duckdb.connect(
        config={
            "threads": settings.duckdb_threads,
            "memory_limit": settings.engine_memory_limit,
            "temp_directory": str(temp),
            # Give memory back after a big query (a deep offset, a wide group-by): by
            # default DuckDB's allocator kept a 1 GB peak for good (measured), and the
            # next 10M-row export started from there.
            "allocator_background_threads": True,
            "allocator_flush_threshold": "32MB",
        }
    )
    if files is not None:
        files.attach(con)
    # The trailing separator keeps a sibling such as `<root>2/` out of the allowed prefix.
    allowed = sorted({*(files.roots if files else ()), str(root.resolve()).rstrip("/") + "/"})
    con.execute("SET allowed_directories = ?", [allowed])
    # Order matters: the allowed list cannot change once external access is off.
    con.execute("SET enable_external_access = false")
    con.execute("SET autoinstall_known_extensions = false")
    # Published files never change, so their footers are parsed once, not per query. GLOBAL:
    # a plain SET holds for this connection alone, and every query runs on a cursor of its
    # own (each parsed the 10M-row benchmark file's footer again: 2.5-3 ms of a 5 ms count).
    con.execute("SET GLOBAL parquet_metadata_cache = true")
    con.execute("SET lock_configuration = true")
    return con


def memory_for_serving() -> None:
    """Settle a server process's memory (`opendata serve`), once, on what a long-running
    threaded server wants: pyarrow on the system allocator, at most `MALLOC_ARENAS` of
    glibc's arenas, and no pandas.

    pyarrow's default allocator (mimalloc) keeps memory per thread that allocated; on a
    server's thread pool it held 15-20 MB more after a round of typical requests than the
    system allocator, which exported as fast (measured on the shipped catalogue and a
    3M-row file). glibc gives a thread that finds the arenas busy one of its own, up to 8 a
    core, each keeping what it freed: two held an idle server 1.4 MB lower (147 MB, not
    148.5). The threads that allocate are few at once (the GIL; DuckDB has its own
    allocator), so two do not queue each other.
    """
    pa.set_memory_pool(pa.system_memory_pool())
    libc = _glibc()
    if libc is not None:
        libc.mallopt(M_ARENA_MAX, MALLOC_ARENAS)
    _without_pandas()


def trim_freed_memory() -> None:
    """Hand the pages glibc's allocator holds free back to the system (`malloc_trim`), once
    a server's start has done its work: what the catalogue's first load freed stays mapped
    otherwise, below memory still in use. An idle server measured 152.2-152.4 MB after it in
    nine starts; 153 or 158 before, depending on where the load's memory had fallen."""
    libc = _glibc()
    if libc is not None:
        libc.malloc_trim(0)


def _glibc() -> ctypes.CDLL | None:
    """The C library when it is glibc (its `mallopt` and `malloc_trim`), else None."""
    try:
        glibc = os.confstr("CS_GNU_LIBC_VERSION")  # "glibc 2.36"; musl has no such name
    except (ValueError, OSError):
        return None
    return ctypes.CDLL(None) if glibc else None


def _without_pandas() -> None:
    """pandas is installed for Frictionless, and pyarrow imports it on the first array built
    from Python values (its type checks, and its C++ side's null checks), though nothing
    here converts to or from pandas: 65 MB of a served catalogue's 320 MB. Both checks try
    the import once and remember the answer; asked here while the import is refused, they
    never load pandas. A process that converts to pandas must not do this."""
    if "pandas" in sys.modules:
        return  # already loaded: nothing left to save
    refusal = Refusal("pandas")
    sys.meta_path.insert(0, refusal)
    try:
        pa.lib._pandas_api.have_pandas  # noqa: B018 - the Python side's one try
        pa.array([None, 0])  # the C++ side's one try, on converting a null
    finally:
        sys.meta_path.remove(refusal)


def translate(exc: duckdb.Error, limit: float) -> OpenDataError:
    """The one place a DuckDB error of the shared engine becomes one of ours.

    Messages are our own (`catalog.sandbox.messages.explain`): no engine text we have not
    read, no path. Out of memory here is the server's state, not the request's fault
    (the engine's limit is shared by every request): 503 with Retry-After.
    """
    explained = explain(exc)
    if explained.kind == "timeout":
        return QueryTimeout(
            f"the query ran longer than the {limit:g} s limit and was stopped; "
            "narrow the filters or lower the limit, or download the file"
        )
    if explained.kind == "memory":
        return ServiceUnavailable(
            "the server is short of memory for this request now; retry in a moment", 2
        )
    if explained.kind == "forbidden":
        return QueryForbidden(explained.message)
    if explained.kind == "invalid":
        return InvalidQuery(explained.message)
    return store_failure(exc) or QueryFailed("the query failed; the error is in the server's log")


def batches(cursor: duckdb.DuckDBPyConnection, reader: pa.RecordBatchReader) -> Batches:
    """The batches of `reader`, running on `cursor`, which is closed with the generator."""
    # Closed early (a client that went away), the generator stops DuckDB mid-scan.
    try:
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                return
            except duckdb.Error as exc:
                raise translate(exc, 0) from exc
            except pa.ArrowException as exc:
                raise QueryFailed("the export failed; the error is in the server's log") from exc
            yield batch
    finally:
        cursor.interrupt()
        cursor.close()


def chained(first: Batches, later: Iterable[Callable[[], Batches]]) -> Batches:
    """`first`, then each of `later` opened in turn when the one before has ended."""
    # `yield from` closes the stream being read when this generator is closed (a client that
    # went away), which interrupts its query.
    yield from first
    for stream in later:
        yield from stream()


def counted(stream: Batches, rows: int | None) -> Batches:
    """`stream`, raising at its end unless it held exactly `rows` rows (when known)."""
    read = 0
    for batch in stream:
        read += batch.num_rows
        yield batch
    if rows is not None and read != rows:
        raise QueryFailed(f"the export read {read} rows of the {rows} the file holds")


def in_file_order(stream: Batches, *, keep: bool) -> Batches:
    """`stream`, whose last column is each row's place in the file (its row number, or the
    DataStore's `_id`), checked to rise from row to row; `keep=False` leaves that column out.

    An unsorted export is a plain scan, which DuckDB streams in the file's order: with
    `preserve_insertion_order` (on, as by default) its result collector puts the scan's
    batches back in order. Sorting each run of row groups by the row number instead cost
    60 % of a 10M-row CSV download's time. Were a scan ever to come out of order, the
    download stops with an error rather than deliver its rows misplaced.
    """
    # Imported at the first export: Arrow's compute library costs a server 8.6 MB at rest.
    import pyarrow.compute as pc

    last: int | None = None
    for batch in stream:
        count = batch.num_rows
        places = batch.column(batch.num_columns - 1)
        if count:
            rises = count == 1 or pc.all(pc.greater(places[1:], places[: count - 1])).as_py()
            first = places[0].as_py()
            if not (rises and (last is None or first > last)):
                raise QueryFailed(
                    f"the export's rows came out of the file's order (after row {last})"
                )
            last = places[count - 1].as_py()
        yield batch if keep else batch.select(list(range(batch.num_columns - 1)))
