"""The DuckDB query engine over the published Parquet.

One in-memory DuckDB database serves every request of the rows, aggregate and download
endpoints; each query runs on its own cursor, which a watchdog thread (`catalog.sql.deadlines`)
interrupts when it passes `query_timeout_seconds` (DuckDB has no statement timeout of its
own). The database may read files only under the store (`allowed_directories`, then
`enable_external_access = false`, then `lock_configuration`), and its memory limit is 40 %
of `memory_budget_mb` unless `duckdb_memory_limit` says otherwise. These endpoints build
their SQL themselves from parsed parameters; they read a version's Parquet file directly
(bound as a parameter), so a pinned `version=` costs no view.

User SQL never runs here: `sql` hands it to the sandbox (`catalog.sandbox.pool`), worker
processes whose databases hold only the views `<slug>__<resource>` of the current versions,
every character other than a letter, digit or underscore becoming `_` (`wages-test` /
`wages` → `wages_test__wages`). The views follow `CURRENT`, compared through the store's
`generation()`.

Results come back as one JSON object text per row, rendered by DuckDB's `to_json`
(`catalog.sql.jsonrows`): decimals keep their digits, dates are ISO strings, NaN and infinities
become null.
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import hashlib
import os
import re
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from catalog.errors import (
    InvalidParameter,
    InvalidQuery,
    NotFound,
    OpenDataError,
    QueryFailed,
    QueryForbidden,
    QueryTimeout,
    ServiceUnavailable,
)
from catalog.query.cursor import (
    Cursor,
    Total,
    as_text,
    filter_signature,
    keyset_sql,
    sort_signature,
)
from catalog.query.rowgroups import KeptGroups
from catalog.query.totals import MODES, Totals
from catalog.sandbox import Sandbox, explain
from catalog.settings import Settings
from catalog.sql import (
    NUMERIC_TYPES,
    ROW_NUMBER,
    Column,
    Schema,
    SortKey,
    Watchdog,
    parse_filters,
    parse_names,
    parse_sort,
    where_sql,
)
from catalog.sql import json_row_sql as json_row_sql  # re-exported: pages and exports
from catalog.store import Store

MAX_LIMIT = 10_000
DEFAULT_LIMIT = 100
MEASURES = ("count", "sum", "avg", "min", "max")
# A page query whose bound leaves at most this many rows renders them in one pass.
FLAT_ROWS = 4096
SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
# An unsorted export reads runs of whole row groups of at most this many rows (a larger group
# is a run alone), each run ordered by the row number: what DuckDB sorts at once is one run.
EXPORT_RUN_ROWS = 131_072
# The alias of the stored table in an export's query: its ORDER BY names columns through it.
EXPORT_ALIAS = "_t"


def view_name(slug: str, resource: str) -> str:
    """The SQL view of a resource: `<slug>__<resource>`, non-word characters as `_`."""
    return re.sub(r"[^0-9A-Za-z_]", "_", f"{slug}__{resource}")


@dataclass(frozen=True)
class Resource:
    """One resource of one published version, resolved to its Parquet file."""

    dataset: str
    name: str
    version: str
    path: Path
    schema: Schema
    rows: int | None


@dataclass(frozen=True)
class RowsRequest:
    filters: Sequence[tuple[str, str]] = ()
    sort: str | None = None
    fields: str | None = None
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    cursor: str | None = None
    version: str | None = None
    total: str = "auto"


@dataclass(frozen=True)
class RowsPage:
    dataset: str
    resource: str
    version: str
    fields: list[dict[str, Any]]
    rows: list[str]  # one JSON object text per row
    total: int | None
    total_exact: bool
    next: str | None


@dataclass(frozen=True)
class AggregateRequest:
    filters: Sequence[tuple[str, str]] = ()
    group_by: str | None = None
    measures: dict[str, str] = field(default_factory=dict)  # "sum" -> "a,b", "count" -> "*"
    sort: str | None = None
    limit: int = DEFAULT_LIMIT
    version: str | None = None


@dataclass(frozen=True)
class ExportRequest:
    """The rows of a download: the filters, sort and fields of /rows, without paging."""

    filters: Sequence[tuple[str, str]] = ()
    sort: str | None = None
    fields: str | None = None
    version: str | None = None


@dataclass(frozen=True)
class Selection:
    """The rows a download asks for: a resource, the chosen columns, filters and order.

    With `sort`, the rows come in the typed order of the sort keys (never in the order of the
    text a format renders them as), the primary key (or the row number) breaking ties as it
    does for /rows. Without, they keep the published file's order (see `QueryEngine.export`).
    """

    resource: Resource
    columns: list[Column]
    where: str
    params: list[Any]
    keys: tuple[SortKey, ...] = ()

    @property
    def whole(self) -> bool:
        """Every row and column in file order: the stored file itself is the answer."""
        return (
            not self.where
            and not self.keys
            and self.columns == list(self.resource.schema.columns.values())
        )

    def sql(self, select: str, *, ordered: bool = True) -> tuple[str, list[Any]]:
        """`SELECT <select>` over every selected row, in order unless told otherwise."""
        keys = (self.keys or (SortKey(ROW_NUMBER),)) if ordered else ()
        return self._query(select, self.where, self.params, keys, row_number=False)

    def queries(self, select: str, runs: Sequence[tuple[int, int]]) -> list[tuple[str, list[Any]]]:
        """The export as queries read one after the other: a sorted one is one query; an
        unsorted one is one query per run of row numbers (`export_runs`), each in row order."""
        if self.keys or not runs:
            return [self.sql(select)]
        queries = []
        for first, last in runs:
            where = " WHERE file_row_number BETWEEN ? AND ?"
            where += self.where.replace(" WHERE ", " AND ", 1)
            params = [first, last, *self.params]
            queries.append(
                self._query(select, where, params, (SortKey(ROW_NUMBER),), row_number=True)
            )
        return queries

    def _query(
        self,
        select: str,
        where: str,
        params: list[Any],
        keys: Sequence[SortKey],
        *,
        row_number: bool,
    ) -> tuple[str, list[Any]]:
        # The sort keys name the stored columns through the table's alias: a bare name in
        # ORDER BY would be the output column of that name, the value as a format renders it
        # (CSV text sorts 10 before 2).
        row_number = row_number or any(key.column == ROW_NUMBER for key in keys)
        order = f" ORDER BY {', '.join(_export_order(key) for key in keys)}" if keys else ""
        return (
            f"SELECT {select} FROM {_source(with_row_number=row_number)} AS {EXPORT_ALIAS}"
            f"{where}{order}",
            [str(self.resource.path), *params],
        )


def _export_order(key: SortKey) -> str:
    direction = "DESC" if key.descending else "ASC"
    return f"{EXPORT_ALIAS}.{key.column.sql} {direction} NULLS LAST"


def export_runs(path: Path, rows: int = EXPORT_RUN_ROWS) -> list[tuple[int, int]]:
    """First and last row number of each run of `path`, in file order: whole row groups
    joined while a run stays within `rows` rows, a larger group cut into runs of `rows`."""
    runs: list[tuple[int, int]] = []
    start = end = 0
    for size in _row_group_sizes(str(path)):
        if end > start and end - start + size > rows:
            runs.append((start, end - 1))
            start = end
        end += size
        while end - start > rows:
            runs.append((start, start + rows - 1))
            start += rows
    if end > start:
        runs.append((start, end - 1))
    return runs


@functools.lru_cache(maxsize=1024)
def _row_group_sizes(path: str) -> tuple[int, ...]:
    # Published files never change: their footers are read once.
    metadata = pq.ParquetFile(path).metadata
    return tuple(metadata.row_group(i).num_rows for i in range(metadata.num_row_groups))


@dataclass(frozen=True)
class PageQuery:
    """The SQL of one page of rows, over whichever source holds them.

    `fetch` is the page size plus one, the extra row saying whether a next page exists.
    """

    columns: list[Column]
    keys: list[SortKey]
    conditions: list[tuple[str, list[Any]]]
    fetch: int
    offset: int

    def sql(
        self, source: str, *bounds: tuple[str, list[Any]], nested: bool = True
    ) -> tuple[str, list[Any]]:
        """The page from `source`, narrowed by `bounds` too, and its parameters.

        Nested, the page is cut first and rendered after: DuckDB would otherwise build the
        JSON of every matching row before its top-N keeps a hundred (6× slower on a deep
        page of a file). Flat is for bounds that leave only a few rows to render, where
        the second sort costs more than it saves.
        """
        where, params = where_sql([*self.conditions, *bounds])
        keys = ", ".join(k.column.sql for k in self.keys)
        order = ", ".join(k.sql() for k in self.keys)
        if nested:
            selected = ", ".join(
                dict.fromkeys([*(c.sql for c in self.columns), *(k.column.sql for k in self.keys)])
            )
            sql = (
                f"SELECT {json_row_sql(self.columns)}, {keys} FROM"
                f" (SELECT {selected} FROM {source}{where} ORDER BY {order} LIMIT ? OFFSET ?)"
                f" ORDER BY {order}"
            )
        else:
            sql = (
                f"SELECT {json_row_sql(self.columns)}, {keys} FROM {source}{where}"
                f" ORDER BY {order} LIMIT ? OFFSET ?"
            )
        return sql, [*params, self.fetch, self.offset]


@dataclass(frozen=True)
class Table:
    """A result that is not a page of a resource: aggregates and SQL."""

    fields: list[dict[str, Any]]
    rows: list[str]  # one JSON object text per row
    truncated: bool
    dataset: str | None = None
    resource: str | None = None
    version: str | None = None


class QueryEngine:
    """Answers row pages, aggregates and read-only SQL over the store's current Parquet."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self._con = connect(store.readable_root(), settings)
        self._lock = threading.Lock()
        self._served: dict[str, str] = {}
        self._generation = ""
        self._counter = ThreadPoolExecutor(max_workers=4, thread_name_prefix="opendata-count")
        self._views: dict[str, tuple[str, str, Path]] = {}
        self._views_token = ""
        self.sandbox = Sandbox(settings)
        self._descriptors: dict[tuple[str, str], dict[str, Any]] = {}
        self._resources: dict[tuple[str, str, str], Resource] = {}
        self._watchdog = Watchdog()
        self._totals = Totals(settings, self._fetch)
        self._kept = KeptGroups(self._con, settings.row_group_cache_mb * 1024 * 1024)

    def close(self) -> None:
        self.sandbox.close()
        self._counter.shutdown(wait=True, cancel_futures=True)
        self._watchdog.close()
        self._con.close()

    # -- resources ---------------------------------------------------------------------------

    def resource(self, slug: str, name: str, version: str | None = None) -> Resource:
        if not SLUG.fullmatch(slug):
            raise NotFound(f"dataset {slug!r} is not in the store")
        # Asked every time: the version may have been withdrawn since it was last read.
        chosen = self.store.served_version(slug, version)
        key = (slug, chosen, name)
        if key not in self._resources:  # versions are immutable: cache forever
            self._resources[key] = self._read_resource(slug, chosen, name)
        return self._resources[key]

    def _read_resource(self, slug: str, version: str, name: str) -> Resource:
        if (slug, version) not in self._descriptors:
            self._descriptors[(slug, version)] = self.store.descriptor(slug, version)
        for entry in self._descriptors[(slug, version)].get("resources", []):
            if entry.get("name") == name:
                rows = entry.get("rows")
                return Resource(
                    dataset=slug,
                    name=name,
                    version=version,
                    path=self.store.local_path(slug, version, str(entry["path"])),
                    schema=Schema.from_table_schema(entry.get("schema", {})),
                    rows=rows if isinstance(rows, int) else None,
                )
        raise NotFound(f"dataset {slug!r} version {version!r} has no resource {name!r}")

    # -- rows --------------------------------------------------------------------------------

    def rows(self, slug: str, name: str, request: RowsRequest) -> RowsPage:
        """A page of rows, its `next` cursor, and the total asked for (`catalog.query.totals`)."""
        if request.total not in MODES:
            raise InvalidParameter("total", f"give one of {', '.join(MODES)}")
        cursor = Cursor.decode(request.cursor) if request.cursor else None
        version = _pinned_version(request.version, cursor)
        resource = self.resource(slug, name, version)
        schema = resource.schema
        _check_paging(request, cursor, self.settings.max_offset)
        columns = parse_names(schema, request.fields, "fields") or list(schema.columns.values())
        keys = _sort_keys(schema, request.sort)
        filters = [f.sql() for f in parse_filters(schema, request.filters)]
        conditions = list(filters)
        after = None
        if cursor is not None:
            if cursor.sort != sort_signature(keys):
                raise InvalidParameter("next", "the cursor was made for another sort")
            after = cursor.typed_values(keys)
            conditions.append(keyset_sql(keys, after))
        page = PageQuery(columns, keys, conditions, request.limit + 1, request.offset)
        signature = filter_signature(request.filters)
        carried = cursor.total if cursor is not None else None
        known = self._totals.known(resource.rows, request.total, carried, signature, bool(filters))
        # A count runs beside the page on a second cursor: the answer costs the slower of
        # the two queries, not their sum.
        counting: Future[tuple[int | None, bool]] | None = None
        if known is None:
            path, filtering = str(resource.path), where_sql(filters)
            counting = self._counter.submit(
                self._totals.count, path, resource.rows, filtering, request.total
            )
        found = None
        if request.offset == 0:
            found = self._page_of_kept_groups(resource, page, None if after is None else after[0])
        if found is None:
            sql, params = page.sql(_source(with_row_number=keys[-1].column == ROW_NUMBER))
            found = self._fetch(sql, [str(resource.path), *params])
        more = len(found) > request.limit
        found = found[: request.limit]
        if counting is None:
            total = known or Total(None, False, signature)
        elif cursor is None and not more:  # this page holds the last match: no count needed
            counting.cancel()
            total = Total(request.offset + len(found), True, signature)
        else:
            rows, exact = counting.result()
            if not exact and rows is not None and cursor is None:
                # An estimate never claims fewer rows than this page has shown to exist.
                rows = max(rows, request.offset + len(found) + (1 if more else 0))
            total = Total(rows, exact, signature)
        following = None
        if more:
            values = tuple(as_text(value) for value in found[-1][1:])
            following = Cursor(resource.version, sort_signature(keys), values, total).encode()
        return RowsPage(
            dataset=slug,
            resource=name,
            version=resource.version,
            fields=schema.describe(c.name for c in columns),
            rows=[row[0] for row in found],
            total=total.rows,
            total_exact=total.exact,
            next=following,
        )

    def _page_of_kept_groups(
        self, resource: Resource, page: PageQuery, after: Any | None
    ) -> list[tuple[Any, ...]] | None:
        """The page read from kept row groups (`catalog.query.rowgroups`), or None to scan.

        Only for a file stored in the order of the first (ascending) sort key: the page
        then lies in the row group holding `after`, the cursor's value of that key, and,
        if that group runs out, the next one. Within the group, a bound on the key keeps
        the query to a few rows: one page's worth above `after` first, eight times more
        each try after, as filters need. A page needing more than two groups is left to
        the scan.
        """
        first = page.keys[0]
        if self._kept.budget == 0 or first.descending:
            return None
        path = resource.path
        layout = self._kept.layout(path, first.column.name, first.column.type)
        if layout is None:
            return None
        start = 0 if after is None else layout.first_holding(after)
        if start == layout.groups:
            return []  # the cursor is past the largest value
        if not self._kept.admit(path, start):
            return None
        try:
            table = self._kept.tables(path, start, start + 1)
            values = self._kept.sorted_values(path, start, first.column.name)
            low = 0 if after is None else bisect.bisect_right(values, after, key=_as_py)
            window = page.fetch
            while low + window < len(values):
                # Every row above the bound sorts after every row at or below it, and at
                # least `window` rows lie between `after` and the bound.
                bound = (f"{first.column.sql} <= ?", [values[low + window - 1].as_py()])
                found = self._fetch(*page.sql(table, bound, nested=window > FLAT_ROWS))
                if len(found) >= page.fetch:
                    return found
                window *= 8
            for stop in (start + 1, start + 2):
                stop = min(stop, layout.groups)
                found = self._fetch(*page.sql(self._kept.tables(path, start, stop)))
                if len(found) >= page.fetch or stop == layout.groups:
                    return found
        except (InvalidQuery, QueryFailed, duckdb.Error):
            return None  # a kept group dropped under this request: scan instead
        return None

    # -- downloads ---------------------------------------------------------------------------

    def select(self, slug: str, name: str, request: ExportRequest) -> Selection:
        """The rows and columns a download of `name` asks for; filters parsed as for /rows."""
        resource = self.resource(slug, name, request.version)
        schema = resource.schema
        columns = parse_names(schema, request.fields, "fields") or list(schema.columns.values())
        where, params = where_sql([f.sql() for f in parse_filters(schema, request.filters)])
        keys = tuple(_sort_keys(schema, request.sort)) if request.sort else ()
        return Selection(resource, columns, where, params, keys)

    def count(self, selection: Selection, cap: int) -> int:
        """The number of selected rows, counting no further than `cap`."""
        inner, params = selection.sql("1", ordered=False)
        sql = f"SELECT count(*) FROM ({inner} LIMIT ?) AS _c"
        return int(self._fetch(sql, [*params, cap])[0][0])

    def export(
        self, selection: Selection, select: str, batch_rows: int
    ) -> Iterator[pa.RecordBatch]:
        """The selected rows rendered by `select` (aliased to their column names), as Arrow
        batches in the export's order, read lazily: memory stays one batch deep.

        Unsorted, the rows keep the file's order: DuckDB's streamed results do not (with two
        threads, whole row groups of a 3M-row CSV export came out of order, differently on
        each run), and one ORDER BY over the file would hold all of it; so the file is read
        in runs of row groups (`export_runs`), each sorted by the row number on its own.
        """
        runs: list[tuple[int, int]] = []
        # Unreadable, the file is one query, whose error DuckDB reports as for any other.
        with contextlib.suppress(OSError, pa.ArrowException):
            runs = [] if selection.keys else export_runs(selection.resource.path)
        rows = selection.resource.rows if not selection.where else None
        return self.stream_all(selection.queries(select, runs), batch_rows, rows=rows)

    def stream_all(
        self, queries: Sequence[tuple[str, list[Any]]], batch_rows: int, *, rows: int | None
    ) -> Iterator[pa.RecordBatch]:
        """The results of `queries`, one after the other, as `stream` reads each; the first
        is planned here, the others when the one before is read to its end.

        `rows`, when known, is how many rows they hold together: fewer or more at the end
        raises rather than end a download that looks complete and is not.
        """
        first = self.stream(*queries[0], batch_rows)
        later = (functools.partial(self.stream, *query, batch_rows) for query in queries[1:])
        return _counted(_chained(first, later), rows)

    def stream(self, sql: str, params: Sequence[Any], batch_rows: int) -> Iterator[pa.RecordBatch]:
        """The result of `sql` as Arrow batches, read lazily: memory stays one batch deep.

        The query is planned here, so a bad query raises before the first batch is asked for;
        exports are not bound by the query time limit (a 10M-row file takes longer).
        """
        cursor = self._con.cursor()
        try:
            reader = cursor.sql(sql, params=list(params)).to_arrow_reader(batch_rows)
        except duckdb.Error as exc:
            cursor.close()
            raise translate(exc, self.settings.query_timeout_seconds) from exc
        return _batches(cursor, reader)

    # -- aggregates --------------------------------------------------------------------------

    def aggregate(self, slug: str, name: str, request: AggregateRequest) -> Table:
        resource = self.resource(slug, name, request.version)
        schema = resource.schema
        groups = parse_names(schema, request.group_by, "group_by")
        outputs = [(c, c.sql) for c in groups] + _measures(schema, request.measures, groups)
        result = Schema({c.name: c for c, _ in outputs}, (), ())
        if len(result.columns) != len(outputs):
            raise InvalidParameter("group_by", "two outputs have the same name")
        keys = parse_sort(result, request.sort) or [SortKey(c) for c in groups]
        where, params = where_sql([f.sql() for f in parse_filters(schema, request.filters)])
        grouping = f" GROUP BY {', '.join(c.sql for c in groups)}" if groups else ""
        inner = (
            f"SELECT {', '.join(f'{expr} AS {c.sql}' for c, expr in outputs)}"
            f" FROM {_source()}{where}{grouping}"
        )
        order = f" ORDER BY {', '.join(k.sql() for k in keys)}" if keys else ""
        sql = f"SELECT {json_row_sql([c for c, _ in outputs])} FROM ({inner}) AS _a{order} LIMIT ?"
        found = self._fetch(sql, [str(resource.path), *params, request.limit + 1])
        return Table(
            fields=[c.describe() for c, _ in outputs],
            rows=[row[0] for row in found[: request.limit]],
            truncated=len(found) > request.limit,
            dataset=slug,
            resource=name,
            version=resource.version,
        )

    # -- read-only SQL -----------------------------------------------------------------------

    def sql(self, text: str) -> Table:
        """One read-only SELECT over the views, run in the sandbox (`catalog.sandbox.pool`)."""
        views, token = self._current_views()
        answer = self.sandbox.run(text, {name: str(v[2]) for name, v in views.items()}, token)
        return Table(fields=answer.fields, rows=answer.rows, truncated=answer.truncated)

    def views(self) -> dict[str, tuple[str, str]]:
        """Every SQL view and the (dataset, resource) it shows."""
        views, _ = self._current_views()
        return {name: (slug, resource) for name, (slug, resource, _) in views.items()}

    def _current_views(self) -> tuple[dict[str, tuple[str, str, Path]], str]:
        """{view: (dataset, resource, file)} of the current versions, and a token naming them.

        Cheap when nothing changed: one read of the store's generation. A metadata-only
        resource (no file) has no view; a withdrawn dataset has no CURRENT, so no views.
        """
        generation = self.store.generation()
        if generation and generation == self._generation:
            return self._views, self._views_token
        served = {slug: v for slug in self.store.slugs() if (v := self.store.current(slug))}
        with self._lock:
            if served != self._served or not self._views_token:
                views: dict[str, tuple[str, str, Path]] = {}
                for slug, version in sorted(served.items()):
                    for name in self._resource_names(slug, version):
                        path = self.resource(slug, name, version).path
                        if path.is_file():
                            views[view_name(slug, name)] = (slug, name, path)
                listed = "\n".join(f"{k}={v[2]}" for k, v in sorted(views.items()))
                self._views = views
                self._views_token = hashlib.sha256(listed.encode()).hexdigest()[:16]
                self._served = served
            self._generation = generation
            return self._views, self._views_token

    def _resource_names(self, slug: str, version: str) -> list[str]:
        described = self._descriptors.get((slug, version)) or self.store.descriptor(slug, version)
        self._descriptors[(slug, version)] = described
        return [str(r["name"]) for r in described.get("resources", []) if "name" in r]

    # -- running -----------------------------------------------------------------------------

    def _fetch(
        self, sql: str, params: Sequence[Any], *, timeout: float | None = None
    ) -> list[tuple[Any, ...]]:
        """Run `sql` on a fresh cursor, interrupted after the time limit."""
        limit = timeout if timeout is not None else self.settings.query_timeout_seconds
        cursor = self._con.cursor()
        deadline = self._watchdog.watch(limit, cursor)
        try:
            return cursor.execute(sql, list(params)).fetchall()
        except duckdb.Error as exc:
            raise translate(exc, limit) from exc
        finally:
            self._watchdog.cancel(deadline)
            cursor.close()


def _batches(
    cursor: duckdb.DuckDBPyConnection, reader: pa.RecordBatchReader
) -> Iterator[pa.RecordBatch]:
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


def _chained(
    first: Iterator[pa.RecordBatch], later: Iterable[Callable[[], Iterator[pa.RecordBatch]]]
) -> Iterator[pa.RecordBatch]:
    # `yield from` closes the stream being read when this generator is closed (a client that
    # went away), which interrupts its query.
    yield from first
    for stream in later:
        yield from stream()


def _counted(batches: Iterator[pa.RecordBatch], rows: int | None) -> Iterator[pa.RecordBatch]:
    read = 0
    for batch in batches:
        read += batch.num_rows
        yield batch
    if rows is not None and read != rows:
        raise QueryFailed(f"the export read {read} rows of the {rows} the file holds")


def connect(root: Path, settings: Settings) -> duckdb.DuckDBPyConnection:
    """The shared database: reads only under `root`, its configuration locked."""
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
    # The trailing separator keeps a sibling such as `<root>2/` out of the allowed prefix.
    allowed = str(root.resolve()).rstrip("/") + "/"
    con.execute("SET allowed_directories = ?", [[allowed]])
    # Order matters: the allowed list cannot change once external access is off.
    con.execute("SET enable_external_access = false")
    con.execute("SET autoinstall_known_extensions = false")
    # Published files never change, so their footers can be parsed once, not per query.
    con.execute("SET parquet_metadata_cache = true")
    con.execute("SET lock_configuration = true")
    return con


def translate(exc: duckdb.Error, limit: float) -> OpenDataError:
    """The one place a DuckDB error of the shared engine becomes one of ours.

    Messages are our own (`catalog.sandbox.rules.explain`): no engine text we have not
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
    return QueryFailed("the query failed; the error is in the server's log")


def _as_py(scalar: pa.Scalar) -> Any:
    return scalar.as_py()


def _source(*, with_row_number: bool = False) -> str:
    return "read_parquet(?, file_row_number = true)" if with_row_number else "read_parquet(?)"


def _pinned_version(requested: str | None, cursor: Cursor | None) -> str | None:
    if cursor is None:
        return requested
    if requested is not None and requested != cursor.version:
        raise InvalidParameter("next", f"the cursor pages version {cursor.version!r}")
    return cursor.version


def _check_paging(request: RowsRequest, cursor: Cursor | None, max_offset: int) -> None:
    if not 1 <= request.limit <= MAX_LIMIT:
        raise InvalidParameter("limit", f"give a number from 1 to {MAX_LIMIT}")
    if request.offset and cursor is not None:
        raise InvalidParameter("offset", "give either offset or next, not both")
    if not 0 <= request.offset <= max_offset:
        raise InvalidParameter(
            "offset", f"give a number from 0 to {max_offset}; page deeper with the next cursor"
        )


def _sort_keys(schema: Schema, text: str | None) -> list[SortKey]:
    """The requested sort, then the primary key (or the row number) as tie-breaker."""
    keys = parse_sort(schema, text)
    named = {key.column.name for key in keys}
    tie = [SortKey(schema.columns[n]) for n in schema.primary_key if n in schema.columns]
    if not tie:
        tie = [SortKey(ROW_NUMBER)]
    return keys + [key for key in tie if key.column.name not in named]


def _measures(
    schema: Schema, requested: dict[str, str], groups: list[Column]
) -> list[tuple[Column, str]]:
    """(output column, SQL) of each requested aggregate; `count(*)` when none is asked."""
    found: list[tuple[Column, str]] = []
    for function in MEASURES:
        for name in [n.strip() for n in requested.get(function, "").split(",") if n.strip()]:
            found.append(_measure(schema, function, name))
    if not found and not groups:
        found.append((Column("count", "integer", nullable=False), "count(*)"))
    return found


def _measure(schema: Schema, function: str, name: str) -> tuple[Column, str]:
    if function == "count" and name == "*":
        return Column("count", "integer", nullable=False), "count(*)"
    column = schema.column(name, function)
    sql = f"{function}({column.sql})"
    output = f"{function}_{column.name}"
    if function == "count":
        return Column(output, "integer", nullable=False), sql
    if function in ("sum", "avg") and column.type not in NUMERIC_TYPES:
        raise InvalidParameter(function, f"column {name!r} is {column.type}, not a number")
    if function == "avg":
        return Column(output, "number"), sql
    if function == "sum":
        kind = "number" if column.type == "number" else "integer"
        return Column(output, kind, column.decimals), sql
    return Column(output, column.type, column.decimals), sql
