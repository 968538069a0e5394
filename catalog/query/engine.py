"""The DuckDB query engine over the published Parquet.

One in-memory DuckDB database (`catalog.query.database`) serves every request of the rows,
aggregate and download endpoints; each query runs on its own cursor, which a watchdog thread
(`catalog.sql.deadlines`) interrupts when it passes `query_timeout_seconds` (DuckDB has no
statement timeout of its own). These endpoints build their SQL themselves from parsed
parameters (`pages`, `aggregates`, `selection`); they read a version's Parquet file directly
(bound as a parameter), so a pinned `version=` costs no view.

User SQL never runs here: `sql` hands it to the sandbox (`catalog.sandbox.pool`), worker
processes whose databases hold only the views of the current versions
(`catalog.query.resources`).

Results come back as one JSON object text per row, rendered by DuckDB's `to_json`
(`catalog.sql.jsonrows`): decimals keep their digits, dates are ISO strings, NaN and infinities
become null.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator, Sequence
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from catalog.errors import InvalidParameter, ObjectMissing
from catalog.query.aggregates import Aggregate, AggregateRequest, Table
from catalog.query.cursor import (
    Cursor,
    FoundPage,
    PageQuestion,
    RowsPage,
    RowsRequest,
    pinned_version,
)
from catalog.query.database import (
    batches,
    chained,
    connect,
    counted,
    in_file_order,
    translate,
)
from catalog.query.pages import Pages
from catalog.query.resources import Generation, ResourceFile, Resources
from catalog.query.rowgroups import KeptGroups
from catalog.query.selection import ExportRequest, Query, RowSelection, export_runs
from catalog.query.statistics import GroupCounts
from catalog.query.totals import MODES
from catalog.sandbox import Sandbox, ViewWithheld
from catalog.settings import Settings
from catalog.sql import Watchdog
from catalog.store import Store


class QueryEngine:
    """Answers row pages, aggregates and read-only SQL over the store's current Parquet."""

    def __init__(
        self, store: Store, settings: Settings, generation: Generation | None = None
    ) -> None:
        self.store = store
        self.settings = settings
        self._con = connect(store.readable_root(), settings, store.files())
        self._watchdog = Watchdog()
        self.sandbox = Sandbox(settings, store.files().spec())
        self._resources = Resources(store, generation)
        self._kept = KeptGroups(self._con, settings.row_group_cache_mb * 1024 * 1024, self._open)
        # Matches per row group, which the footer's statistics decide for some filters:
        # for pages and totals, and for the row groups a filtered download skips.
        self._groups = GroupCounts(self.fetch, self._kept.footer)
        self._pages = Pages(self.fetch, settings, self._kept, self._groups)

    def close(self) -> None:
        self.sandbox.close()
        self._groups.close()  # a rising column's proof ends before the connection closes
        self._pages.close()
        self._watchdog.close()
        self._con.close()

    def resource(self, slug: str, name: str, version: str | None = None) -> ResourceFile:
        """A resource of a version (the current one by default), resolved to its file."""
        return self._resources.resource(slug, name, version)

    def footer(self, resource: ResourceFile) -> pq.FileMetaData:
        """The Parquet footer of the resource's file, read once (a few byte ranges of it)."""
        return self._kept.footer(resource.place)

    def _open(self, place: str) -> pa.NativeFile:
        if place.startswith("/"):  # a local file: a publish's staging folder, a folder store
            return pa.OSFile(place, "rb")
        return self.store.files().open(place)

    def file_size(self, resource: ResourceFile) -> int:
        """The bytes of the resource's file (asked of the store once: versions never change)."""
        found = self.store.files().size(resource.place)
        if found is None:  # listed by the version, not in the store now (a partial restore)
            raise ObjectMissing(resource.place)
        return found

    # -- rows --------------------------------------------------------------------------------

    def rows(self, slug: str, name: str, request: RowsRequest) -> RowsPage:
        """A page of rows, its `next` cursor, and the total asked for (`catalog.query.pages`)."""
        if request.total not in MODES:
            raise InvalidParameter("total", f"give one of {', '.join(MODES)}")
        cursor = Cursor.decode(request.cursor) if request.cursor else None
        resource = self.resource(slug, name, pinned_version(request.version, cursor))
        resource.require_grant()
        return self._pages.read(resource, request, cursor)

    def page(self, resource: ResourceFile, question: PageQuestion) -> FoundPage:
        """A page asked in parsed terms (the CKAN DataStore's), read as `rows` reads one."""
        if question.total not in MODES:
            raise InvalidParameter("total", f"give one of {', '.join(MODES)}")
        resource.require_grant()
        return self._pages.answer(resource, question)

    # -- downloads ---------------------------------------------------------------------------

    def select(self, slug: str, name: str, request: ExportRequest) -> RowSelection:
        """The rows and columns a download of `name` asks for; filters parsed as for /rows."""
        resource = self.resource(slug, name, request.version)
        resource.require_grant()
        return RowSelection.of(resource, request)

    def count(self, selection: RowSelection, cap: int) -> int:
        """The number of selected rows, counting no further than `cap`."""
        inner, params = selection.sql("1", ordered=False)
        sql = f"SELECT count(*) FROM ({inner} LIMIT ?) AS _c"
        return int(self.fetch(sql, [*params, cap])[0][0])

    def export(
        self, selection: RowSelection, select: str, batch_rows: int
    ) -> Iterator[pa.RecordBatch]:
        """The selected rows rendered by `select` (aliased to their column names), as Arrow
        batches in the export's order (`catalog.query.selection`), read lazily: memory stays
        one batch deep."""
        runs: list[tuple[int, int]] | None = None
        # Unreadable, the file is one query, whose error DuckDB reports as for any other.
        with contextlib.suppress(OSError, pa.ArrowException):
            if not selection.keys:
                path = selection.resource.place
                found = self._groups.decided(path, selection.filters) if selection.filters else []
                runs = export_runs(self.footer(selection.resource), empty=[n == 0 for n in found])
        rows = selection.resource.rows if not selection.where else None
        stream = self.stream_all(selection.queries(select, runs), batch_rows, rows=rows)
        return stream if selection.keys else in_file_order(stream, keep=False)

    def stream_all(
        self, queries: Sequence[Query], batch_rows: int, *, rows: int | None
    ) -> Iterator[pa.RecordBatch]:
        """The results of `queries`, one after the other, as `stream` reads each; the first
        is planned here, the others when the one before is read to its end.

        `rows`, when known, is how many rows they hold together: fewer or more at the end
        raises rather than end a download that looks complete and is not.
        """
        first = self.stream(*queries[0], batch_rows)
        later = (functools.partial(self.stream, *query, batch_rows) for query in queries[1:])
        return counted(chained(first, later), rows)

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
        return batches(cursor, reader)

    # -- aggregates --------------------------------------------------------------------------

    def aggregate(self, slug: str, name: str, request: AggregateRequest) -> Table:
        resource = self.resource(slug, name, request.version)
        resource.require_grant()
        aggregate = Aggregate.of(resource, request)
        found = self.fetch(aggregate.sql, aggregate.params)
        return Table(
            fields=[c.describe() for c in aggregate.outputs],
            rows=[row[0] for row in found[: request.limit]],
            truncated=len(found) > request.limit,
            dataset=slug,
            resource=name,
            version=resource.version,
        )

    # -- read-only SQL -----------------------------------------------------------------------

    def sql(self, text: str, *, postgres: bool = False) -> Table:
        """One read-only SELECT over the views, run in the sandbox (`catalog.sandbox.pool`);
        `postgres` also names and types the fields as PostgreSQL would (`pg_name`).

        The views are those this request may read (`Resources.readable_views`): a conditional
        dataset's are there only under a grant of it, and a query naming one without the
        grant (as a table of its parsed statement, not in a string) is refused (`DataRefused`)."""
        views, token, withheld = self._resources.readable_views()
        paths = {name: v[2] for name, v in views.items()}
        try:
            answer = self.sandbox.run(text, paths, token, postgres=postgres, withheld=withheld)
        except ViewWithheld as exc:  # its parse named a view left out: a refused read
            self._resources.refuse_view(exc.view)
            raise
        return Table(fields=answer.fields, rows=answer.rows, truncated=answer.truncated)

    def views(self) -> dict[str, tuple[str, str]]:
        """Every SQL view this request may read and the (dataset, resource) it shows."""
        views, _, _ = self._resources.readable_views()
        return {name: (slug, resource) for name, (slug, resource, _) in views.items()}

    # -- running -----------------------------------------------------------------------------

    def fetch(
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

    def database(self) -> duckdb.DuckDBPyConnection:
        """A new cursor of the engine's database, for the catalogue index and the series to
        share: one DuckDB instance per server, not one each. It reads only the store's files;
        user SQL never runs on it (it runs in the sandbox's processes)."""
        return self._con.cursor()
