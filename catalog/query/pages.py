"""Pages of rows: `/rows` and the web pages, by offset or by keyset cursor, with a total.

A page is sorted by the requested keys, then the primary key (or the Parquet row number) as
tie-breaker, so a page boundary is never ambiguous and the `next` cursor
(`catalog.query.cursor`) resumes exactly after it. The total is counted beside the page on a
second cursor, estimated, or carried along (`catalog.query.totals`). A first page of a file
stored in the order of its first sort key is read from kept row groups
(`catalog.query.rowgroups`) when they hold it.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa

from catalog.errors import InvalidParameter, InvalidQuery, QueryFailed
from catalog.query.cursor import (
    Cursor,
    Total,
    as_text,
    filter_signature,
    keyset_sql,
    sort_signature,
)
from catalog.query.resources import ResourceFile, source_sql
from catalog.query.rowgroups import KeptGroups
from catalog.query.totals import Fetch, Totals
from catalog.settings import Settings
from catalog.sql import (
    ROW_NUMBER,
    Column,
    Schema,
    ServedField,
    SortKey,
    json_row_sql,
    parse_filters,
    parse_names,
    parse_sort,
    rendered_from,
    where_sql,
)

MAX_ROWS_LIMIT = 10_000
DEFAULT_LIMIT = 100
# A page query whose bound leaves at most this many rows renders them in one pass.
FLAT_ROWS = 4096

Condition = tuple[str, list[Any]]


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
    fields: list[ServedField]
    rows: list[str]  # one JSON object text per row
    total: int | None
    total_exact: bool
    next: str | None


@dataclass(frozen=True)
class PageQuery:
    """The SQL of one page of rows, over whichever source holds them.

    `fetch` is the page size plus one, the extra row saying whether a next page exists.
    """

    columns: list[Column]
    keys: list[SortKey]
    conditions: list[Condition]
    fetch: int
    offset: int

    def sql(self, source: str, *bounds: Condition, nested: bool = True) -> Condition:
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
                dict.fromkeys([*rendered_from(self.columns), *(k.column.sql for k in self.keys)])
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
class _Planned:
    """A page request parsed against its resource's schema."""

    query: PageQuery
    filters: list[Condition]  # without the cursor's keyset condition: what a total counts
    after: list[Any] | None  # the cursor's values of the sort keys


class Pages:
    """Reads pages of rows and their totals through the engine's `fetch`."""

    def __init__(self, fetch: Fetch, settings: Settings, kept: KeptGroups) -> None:
        self._fetch = fetch
        self._max_offset = settings.max_offset
        self._totals = Totals(settings, fetch)
        self._kept = kept
        self._counter = ThreadPoolExecutor(max_workers=4, thread_name_prefix="opendata-count")

    def close(self) -> None:
        self._counter.shutdown(wait=True, cancel_futures=True)

    def read(self, resource: ResourceFile, request: RowsRequest, cursor: Cursor | None) -> RowsPage:
        """A page of rows of `resource`, its `next` cursor, and the total asked for."""
        check_paging(request, cursor, self._max_offset)
        planned = _plan(resource.schema, request, cursor)
        signature = filter_signature(request.filters)
        carried = cursor.total if cursor is not None else None
        filtered = bool(planned.filters)
        known = self._totals.known(resource.rows, request.total, carried, signature, filtered)
        # A count runs beside the page on a second cursor: the answer costs the slower of
        # the two queries, not their sum.
        counting: Future[tuple[int | None, bool]] | None = None
        if known is None:
            where = where_sql(planned.filters)
            path, rows, mode = str(resource.path), resource.rows, request.total
            counting = self._counter.submit(self._totals.count, path, rows, where, mode)
        found = self._page(resource, planned, request.offset)
        more = len(found) > request.limit
        found = found[: request.limit]
        shown = request.offset + len(found)
        if counting is None:
            total = known or Total(None, False, signature)
        else:
            total = _settled(counting, signature, cursor is None, shown, more)
        following = None
        if more:
            values = tuple(as_text(value) for value in found[-1][1:])
            keys = planned.query.keys
            following = Cursor(resource.version, sort_signature(keys), values, total).encode()
        return RowsPage(
            dataset=resource.dataset,
            resource=resource.name,
            version=resource.version,
            fields=resource.schema.describe(c.name for c in planned.query.columns),
            rows=[row[0] for row in found],
            total=total.rows,
            total_exact=total.exact,
            next=following,
        )

    def _page(
        self, resource: ResourceFile, planned: _Planned, offset: int
    ) -> list[tuple[Any, ...]]:
        page, after = planned.query, planned.after
        found = None
        if offset == 0:
            found = self._page_of_kept_groups(resource, page, None if after is None else after[0])
        if found is None:
            sql, params = page.sql(source_sql(with_row_number=page.keys[-1].column == ROW_NUMBER))
            found = self._fetch(sql, [str(resource.path), *params])
        return found

    def _page_of_kept_groups(
        self, resource: ResourceFile, page: PageQuery, after: Any | None
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


def _plan(schema: Schema, request: RowsRequest, cursor: Cursor | None) -> _Planned:
    columns = parse_names(schema, request.fields, "fields") or list(schema.columns.values())
    keys = sort_keys(schema, request.sort)
    filters = [f.sql() for f in parse_filters(schema, request.filters)]
    conditions = list(filters)
    after = None
    if cursor is not None:
        if cursor.sort != sort_signature(keys):
            raise InvalidParameter("next", "the cursor was made for another sort")
        after = cursor.typed_values(keys)
        conditions.append(keyset_sql(keys, after))
    query = PageQuery(columns, keys, conditions, request.limit + 1, request.offset)
    return _Planned(query, filters, after)


def _settled(
    counting: Future[tuple[int | None, bool]],
    signature: str,
    first_page: bool,
    shown: int,
    more: bool,
) -> Total:
    """The total once the page is read: the page itself when it holds the last match, else
    the count running beside it."""
    if first_page and not more:  # this page holds the last match: no count needed
        counting.cancel()
        return Total(shown, True, signature)
    rows, exact = counting.result()
    if not exact and rows is not None and first_page:
        # An estimate never claims fewer rows than this page has shown to exist.
        rows = max(rows, shown + (1 if more else 0))
    return Total(rows, exact, signature)


def pinned_version(requested: str | None, cursor: Cursor | None) -> str | None:
    """The version a page reads: the cursor's, which a `version=` may only repeat."""
    if cursor is None:
        return requested
    if requested is not None and requested != cursor.version:
        raise InvalidParameter("next", f"the cursor pages version {cursor.version!r}")
    return cursor.version


def check_paging(request: RowsRequest, cursor: Cursor | None, max_offset: int) -> None:
    if not 1 <= request.limit <= MAX_ROWS_LIMIT:
        raise InvalidParameter("limit", f"give a number from 1 to {MAX_ROWS_LIMIT}")
    if request.offset and cursor is not None:
        raise InvalidParameter("offset", "give either offset or next, not both")
    if not 0 <= request.offset <= max_offset:
        raise InvalidParameter(
            "offset", f"give a number from 0 to {max_offset}; page deeper with the next cursor"
        )


def sort_keys(schema: Schema, text: str | None) -> list[SortKey]:
    """The requested sort, then the primary key (or the row number) as tie-breaker."""
    keys = parse_sort(schema, text)
    named = {key.column.name for key in keys}
    tie = [SortKey(schema.columns[n]) for n in schema.primary_key if n in schema.columns]
    if not tie:
        tie = [SortKey(ROW_NUMBER)]
    return keys + [key for key in tie if key.column.name not in named]


def _as_py(scalar: pa.Scalar[Any]) -> Any:
    return scalar.as_py()
