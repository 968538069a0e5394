"""Pages of rows: `/rows` and the web pages, by offset or by keyset cursor, with a total.

A page is sorted by the requested keys, then the primary key (or the Parquet row number) as tie-
breaker, so a page boundary is never ambiguous and the `next` cursor (`catalog.query.cursor`)
resumes exactly after it. The total is counted beside the page on a second cursor, estimated, or
carried along (`catalog.query.totals`); with `limit=0`, alone. A page of a file stored in the order
of its first sort key is read from kept row groups (`catalog.query.rowgroups`) when they hold it,
else from the one group it starts in (the footer says which) and only then the next. An offset page
at any depth is read as the keyset page after the row before it: in the file's order or its reverse
(a descending first key the file is stored by, counted from the last group), the row groups' counts
of matches (the footer's, or `GroupCounts`) say which group holds that row; in another order, a
top-N of the sort keys alone finds it without holding whole rows.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from operator import methodcaller
from typing import Any

import duckdb
import pyarrow as pa

from catalog.errors import InvalidQuery, QueryFailed
from catalog.query.cursor import (
    FLAT_ROWS,
    Cursor,
    FoundPage,
    PageQuery,
    PageQuestion,
    PlannedPage,
    RowsPage,
    RowsRequest,
    Total,
    as_text,
    check_depth,
    check_paging,
    filter_signature,
    floor_of,
    keyset_sql,
    sort_signature,
)
from catalog.query.resources import ResourceFile, source_sql
from catalog.query.rowgroups import KeptGroups, Layout, Located, group_sizes, locate
from catalog.query.statistics import Fetch, GroupCounts
from catalog.query.totals import Totals, settled
from catalog.settings import Settings
from catalog.sql import ROW_NUMBER, where_sql

# An offset up to this is skipped by the page query itself, in an order the file is not
# stored in; a deeper one first finds the row before the page by its sort keys alone.
SHALLOW_OFFSET = 10_000
_AS_PY = methodcaller("as_py")  # a kept group's values, compared as Python values


class Pages:
    """Reads pages of rows and their totals through the engine's `fetch`."""

    def __init__(
        self, fetch: Fetch, settings: Settings, kept: KeptGroups, groups: GroupCounts
    ) -> None:
        self._fetch = fetch
        self._max_offset = settings.max_offset
        self._groups = groups
        self._totals = Totals(settings, fetch, self._groups)
        self._kept = kept
        self._counter = ThreadPoolExecutor(max_workers=4, thread_name_prefix="opendata-count")

    def close(self) -> None:
        self._counter.shutdown(wait=True, cancel_futures=True)

    def read(self, resource: ResourceFile, request: RowsRequest, cursor: Cursor | None) -> RowsPage:
        """A page of rows of `resource`, its `next` cursor, and the total asked for."""
        check_paging(request.limit, request.offset, cursor)
        planned = PlannedPage.of(resource.schema, request, cursor)
        carried = cursor.total if cursor is not None else None
        signature = filter_signature(request.filters)
        found, total = self._answer(resource, planned, request, signature, carried)
        more = len(found) > request.limit
        found = found[: request.limit]
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

    def answer(self, resource: ResourceFile, question: PageQuestion) -> FoundPage:
        """A page asked in parsed terms (the CKAN DataStore's), read as `read` reads one."""
        request = RowsRequest(limit=question.limit, offset=question.offset, total=question.total)
        check_paging(question.limit, question.offset, None)
        conditions = [f.sql() for f in question.filters]
        keys = self._kept.quickest_keys(resource.place, resource.schema.columns, question)
        fetch = question.limit + 1
        query = PageQuery(question.columns, keys, conditions, fetch, question.offset)
        planned = PlannedPage(query, conditions, list(question.filters), None)
        found, total = self._answer(resource, planned, request, repr(conditions), None)
        return FoundPage(found[: question.limit], total)

    def _answer(
        self,
        resource: ResourceFile,
        planned: PlannedPage,
        request: RowsRequest,
        signature: str,
        carried: Total | None,
    ) -> tuple[list[tuple[Any, ...]], Total]:
        """The page's rows (and the extra one saying more follow), and its total; `signature`
        is of the filters, `carried` the total of a cursor (then the page is not the first)."""
        filtered = bool(planned.filters)
        known = self._totals.known(resource.rows, request.total, carried, signature, filtered)
        if request.limit == 0:  # the total alone: counted here, no page to read beside it
            if known is not None or request.total == "none":
                return [], known or Total(None, False, signature)
            return [], Total(*self._count(resource, planned, request.total), signature)
        in_order = self._in_file_order(resource, planned)
        counts = self._counts(resource, planned, request, in_order, known)
        if known is None and counts is not None:
            known = Total(sum(counts), True, signature)
        # A count runs beside the page on a second cursor: the answer costs the slower of
        # the two queries, not their sum.
        counting: Future[tuple[int | None, bool]] | None = None
        if known is None:
            counting = self._counter.submit(self._count, resource, planned, request.total)
        found = self._page_at(resource, planned, request.offset, counts if in_order else None)
        more = len(found) > request.limit
        shown = request.offset + min(len(found), request.limit)
        if counting is None:
            return found, known or Total(None, False, signature)
        first = planned.after is None and bool(found)
        return found, settled(counting, signature, first, shown, more)

    def _in_file_order(self, resource: ResourceFile, planned: PlannedPage) -> bool:
        """Whether the page's order is the file's (`catalog.query.rowgroups.Layout`), or its
        reverse: a descending first key the file is stored by is read from the last group."""
        first = planned.query.keys[0]
        if planned.after is not None:
            return False
        try:
            layout = self._kept.layout(resource.place, first.column.name, first.column.type)
        except (OSError, pa.ArrowException):
            return False  # unreadable: the scan reports it as for any query
        return layout is not None

    def _counts(
        self,
        resource: ResourceFile,
        planned: PlannedPage,
        request: RowsRequest,
        in_order: bool,
        known: Total | None,
    ) -> Sequence[int] | None:
        """Matches per row group, when the page needs them or the total can have them at
        no cost: the row counts of the footer unfiltered, else `GroupCounts` (the statistics
        decide some groups; one scan of the others counts them). A first page needs none:
        its start is found from the statistics alone (`Layout.start`)."""
        path = resource.place
        if not planned.filters:
            return group_sizes(self._kept.footer(path)) if in_order else None
        wanted = known is None and self._exact_wanted(resource, planned, request.total)
        if not (wanted or (in_order and request.offset > 0)):
            return None
        if self._groups.scanned_rows(path, planned.parsed) and not (in_order and request.offset):
            return None  # counted beside the page instead
        return self._groups.counts(path, planned.parsed)

    def _exact_wanted(self, resource: ResourceFile, planned: PlannedPage, mode: str) -> bool:
        scanned = self._groups.scanned_rows(resource.place, planned.parsed)
        return mode != "none" and (scanned == 0 or self._totals.exact_wanted(scanned, mode))

    def _count(
        self, resource: ResourceFile, planned: PlannedPage, mode: str
    ) -> tuple[int | None, bool]:
        """The total counted beside the page: exactly, or estimated as `mode` and the rows
        an exact count would scan decide (`catalog.query.totals`)."""
        if self._exact_wanted(resource, planned, mode):
            return self._totals.exact(resource.place, planned.parsed, mode)
        return self._totals.count(resource.place, resource.rows, planned.parsed, mode)

    def _page_at(
        self,
        resource: ResourceFile,
        planned: PlannedPage,
        offset: int,
        counts: Sequence[int] | None,
    ) -> list[tuple[Any, ...]]:
        """The page `offset` rows in: after the row before it (a keyset page), found from
        the row groups' counts of matches in the file's order, else by a top-N of the sort
        keys alone; a shallow offset in another order is a plain page."""
        query = planned.query
        if resource.rows is not None and offset >= resource.rows:
            return []  # past the last row, however deep
        if counts is None:
            check_depth(offset, self._max_offset)
        if counts is None and offset <= SHALLOW_OFFSET:
            return self._page(resource, planned, offset)
        # From the row before the page (when there is one) to the page's extra row.
        rank, rows = (offset - 1, query.fetch + 1) if offset else (0, query.fetch)
        descending = query.keys[0].descending
        located = None if counts is None else locate(counts, rank, rows, descending=descending)
        if counts is not None and located is None:
            return []  # past the last match
        span = None if located is None else self._groups.span(resource.place, planned.parsed)
        if located is not None and span and self._by_row_number(resource, planned, located):
            return self._rows_numbered(resource, query, offset, span)
        # Bounds on the first key around the page (`Layout.bounds`): DuckDB skips the rest.
        first, bounds = query.keys[0].column, []
        if located is not None:
            layout = self._kept.layout(resource.place, first.name, first.type)
            bounds = [] if layout is None else layout.bounds(located, not offset, first.sql)
        before = None if offset == 0 else self._row_before(resource, planned, offset, located)
        if offset and before is None:
            return []
        conditions = [*query.conditions, *bounds]
        if before is not None:
            conditions.append(keyset_sql(query.keys, before))
        narrowed = replace(query, conditions=conditions, offset=0)
        window = query.fetch
        if located is not None and counts is not None and planned.filters:
            # A first window holding the page's matches twice over at the group's density.
            size = group_sizes(self._kept.footer(resource.place))[located.group]
            window = min(size, 2 * query.fetch * size // max(counts[located.group], 1))
        return self._page(
            resource, replace(planned, query=narrowed, after=before), 0, located, window
        )

    def _by_row_number(self, resource: ResourceFile, planned: PlannedPage, at: Located) -> bool:
        """Whether a page whose matches are a run of rows (unfiltered, or filtered on rising
        columns: `GroupCounts.span`) is a range of row numbers: in the order of a key the
        rows rise strictly in (either way), in a row group not kept (a group asked for
        often is kept, and read faster as kept: `KeptGroups.keep`). A descending page, never
        read from a kept group, asks for none (a copy took 75 ms, then 25-35 ms pages)."""
        path, first = resource.place, planned.query.keys[0]
        ascending = first.column.name == self._kept.ascending(path)
        return ascending and (first.descending or not self._kept.keep(path, at.group))

    def _rows_numbered(
        self, resource: ResourceFile, query: PageQuery, offset: int, span: tuple[int, int]
    ) -> list[tuple[Any, ...]]:
        """The page `offset` rows into the run of matching rows `span` (first, end), stored
        in its first key's order: by row number, from the run's end for a descending key."""
        low, high = span
        first, stop = low + offset, min(low + offset + query.fetch, high)
        if query.keys[0].descending:
            first, stop = max(high - offset - query.fetch, low), high - offset
        between = ("file_row_number BETWEEN ? AND ?", [first, stop - 1])
        numbered = replace(query, conditions=[*query.conditions, between], offset=0)
        sql, params = numbered.sql(source_sql(with_row_number=True))
        return self._fetch(sql, [resource.place, *params])

    def _row_before(
        self, resource: ResourceFile, planned: PlannedPage, offset: int, located: Located | None
    ) -> list[Any] | None:
        """The sort-key values of the row just before `offset` (None past the last match).

        Located, it is the `within`-th match of one row group, found by a top-N over that
        group's sort keys alone (by the row number itself when every row matches); else by
        a top-N of the sort keys over the file, whose memory DuckDB bounds by its limit.
        """
        keys = planned.query.keys
        sizes = group_sizes(self._kept.footer(resource.place)) if located is not None else []
        if located is not None and keys[0].column == ROW_NUMBER and not planned.filters:
            return [sum(sizes) - offset if keys[0].descending else offset - 1]
        if located is not None and len(keys) == 1 and not planned.filters:
            # The group's values in ascending order: a descending rank counts from its end.
            within = located.within
            within = sizes[located.group] - 1 - within if located.descending else within
            kept = self._kept.rank_value(resource.place, located.group, keys[0].column.name, within)
            if kept is not None:
                return kept
        conditions, rank = list(planned.filters), offset - 1
        if located is not None:
            start = sum(sizes[: located.group])
            span = ("file_row_number BETWEEN ? AND ?", [start, start + sizes[located.group] - 1])
            conditions, rank = [*conditions, span], located.within
        where, params = where_sql(conditions)
        names = ", ".join(k.column.sql for k in keys)
        order = ", ".join(k.sql() for k in keys)
        sql = f"SELECT {names} FROM {source_sql(with_row_number=True)}{where}"
        sql += f" ORDER BY {order} LIMIT 1 OFFSET ?"
        found = self._fetch(sql, [resource.place, *params, rank])
        return list(found[0]) if found else None

    def _page(
        self,
        resource: ResourceFile,
        planned: PlannedPage,
        offset: int,
        located: Located | None = None,
        window: int = 0,
    ) -> list[tuple[Any, ...]]:
        page = planned.query
        start = self._start(resource, planned, located) if offset == 0 else None
        if start is not None:
            layout, group = start
            if not 0 <= group < layout.groups:
                return []  # past the cursor's value, or past every group that may match
            after = planned.after[0] if planned.after is not None else None
            after = floor_of(planned.parsed, page.keys[0]) if after is None else after
            found = self._page_of_kept_groups(resource, page, layout, group, after, window)
            return self._page_of_groups(resource, page, layout, group) if found is None else found
        source = source_sql(with_row_number=page.keys[-1].column == ROW_NUMBER)
        sql, params = page.sql(source, stored=self._kept.stored(resource.place, page.keys[0]))
        return self._fetch(sql, [resource.place, *params])

    def _start(
        self, resource: ResourceFile, planned: PlannedPage, located: Located | None
    ) -> tuple[Layout, int] | None:
        """The layout of the first sort key, when the file is stored in its order, and the
        row group the page starts in: the one located, else `Layout.start`'s."""
        first = planned.query.keys[0]
        layout = self._kept.layout(resource.place, first.column.name, first.column.type)
        if layout is None:
            return None
        if located is not None:
            return layout, located.group
        after = planned.after[0] if planned.after is not None else None
        after = floor_of(planned.parsed, first) if after is None else after
        decided = self._groups.decided(resource.place, planned.parsed) if planned.parsed else []
        return layout, layout.start(after, first.descending, decided)

    def _page_of_groups(
        self, resource: ResourceFile, page: PageQuery, layout: Layout, group: int
    ) -> list[tuple[Any, ...]]:
        """The page read from row group `group` alone (bounds on the first key, which the
        file is stored by, let DuckDB skip the others: one decode, where a top-N over the
        file decodes a group per thread), and only if it runs out, the rest of it from the
        groups after, in the page's order."""
        first = page.keys[0]
        source = source_sql(with_row_number=page.keys[-1].column == ROW_NUMBER)

        def read(located: Located) -> list[tuple[Any, ...]]:
            bounds = layout.bounds(located, True, first.column.sql)
            sql, params = page.sql(source, *bounds, stored=self._kept.stored(resource.place, first))
            return self._fetch(sql, [resource.place, *params])

        found = read(Located(group, 0, group, first.descending))
        following = group - 1 if first.descending else group + 1
        if len(found) >= page.fetch or not 0 <= following < layout.groups:
            return found
        last = 0 if first.descending else layout.groups - 1
        return [*found, *read(Located(following, 0, last, first.descending))][: page.fetch]

    def _page_of_kept_groups(
        self,
        resource: ResourceFile,
        page: PageQuery,
        layout: Layout,
        start: int,
        after: Any | None,
        window: int,
    ) -> list[tuple[Any, ...]] | None:
        """The page read from kept row groups (`catalog.query.rowgroups`), or None to scan.

        Only for an ascending first sort key the file is stored in the order of: the page
        then lies in row group `start` and, if that group runs out, the next one. Within
        the group, a bound on the key keeps the query to a few rows: one page's worth above
        `after` (the cursor's value of that key), or the `window` the group's count of
        matches suggests. Filters leaving too few there read the whole group next: a bounded
        query costs about as much as the group's (a millisecond), so a sparse filter is not
        made to pay for several. A page needing more than two groups is left to the scan.
        """
        first = page.keys[0]
        path = resource.place
        if self._kept.budget == 0 or first.descending or not self._kept.admit(path, start):
            return None
        try:
            table = self._kept.tables(path, start, start + 1)
            values = self._kept.sorted_values(path, start, first.column.name)
            low = 0 if after is None else bisect.bisect_right(values, after, key=_AS_PY)
            # The group's matches all lie above `after`: as dense as in the rows left there.
            window = max(window * (len(values) - low) // max(len(values), 1), page.fetch)
            if low + window < len(values):
                # Every row above the bound sorts after every row at or below it, and at
                # least `window` rows lie between `after` and the bound.
                bound = (f"{first.column.sql} <= ?", [values[low + window - 1].as_py()])
                found = self._fetch(*page.sql(table, bound, nested=window > FLAT_ROWS))
                if len(found) >= page.fetch:
                    return found
            for stop in (start + 1, start + 2):
                stop = min(stop, layout.groups)
                found = self._fetch(*page.sql(self._kept.tables(path, start, stop)))
                if len(found) >= page.fetch or stop == layout.groups:
                    return found
        except (InvalidQuery, QueryFailed, duckdb.Error):
            return None  # a kept group dropped under this request: scan instead
        return None
