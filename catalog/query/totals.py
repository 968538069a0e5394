"""The `total` of a page of rows: counted, estimated from a spread sample, or carried along.

`total=exact` counts the matching rows per row group (`GroupCounts`: groups the footer's
statistics decide are not scanned); `estimate` counts them in eight runs of rows spread evenly
through the file and scales up; `none` skips the count; `auto`, the default, counts exactly
when at most `exact_total_rows` rows need scanning and estimates past that. Which of the two is
decided by the file and filters alone (the footer's statistics: not by a rising column's
index, which a thread proves in its own time), never by how long a count took, so one URL
always gets one body. A total known
without counting (no filters, or a first page that holds every match) is exact whatever was
asked, and the cursor carries the first page's total to the pages after it
(`catalog.query.cursor.Total`).
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future
from typing import Literal, get_args

from catalog.errors import QueryTimeout, ServiceUnavailable
from catalog.query.cursor import Total
from catalog.query.statistics import Fetch, GroupCounts
from catalog.settings import Settings
from catalog.sql import Filter, where_sql

Mode = Literal["auto", "exact", "estimate", "none"]
MODES: tuple[str, ...] = get_args(Mode)
# An estimated total counts the matches in this many runs of rows spread evenly through the
# file (`total_sample_rows` in all); DuckDB reads only the row groups the runs fall in.
ESTIMATE_RUNS = 8


class Totals:
    """Counts and estimates over one Parquet file at a time, through the engine's `fetch`."""

    def __init__(self, settings: Settings, fetch: Fetch, groups: GroupCounts | None = None) -> None:
        self.settings = settings
        self._fetch = fetch
        self.groups = groups

    def known(
        self, rows: int | None, mode: str, carried: Total | None, signature: str, filtered: bool
    ) -> Total | None:
        """The total when it needs no count: none asked, unfiltered, or carried by a cursor
        made for the same filters (`signature`)."""
        if mode == "none":
            return Total(None, False, signature)
        if not filtered and rows is not None:
            return Total(rows, True, signature)
        if carried is None or carried.filters != signature:
            return None
        if carried.rows is not None and rows is not None and carried.rows > rows:
            return None  # more than the file holds: not a total this API made; count
        if carried.exact or not self.exact_wanted(rows, mode):
            return carried
        return None  # an estimate carried, an exact total wanted: count

    def exact_wanted(self, rows: int | None, mode: str) -> bool:
        if mode in ("exact", "estimate"):
            return mode == "exact"
        return rows is None or rows <= self.settings.exact_total_rows

    def count(
        self, path: str, rows: int | None, filters: Sequence[Filter], mode: str
    ) -> tuple[int | None, bool]:
        """The rows of `path` matching `filters`, counted or estimated as `mode` asks; and
        whether the number is exact."""
        condition, params = where_sql([f.sql() for f in filters])
        small = rows is not None and rows <= self.settings.total_sample_rows
        if rows is not None and not small and not self.exact_wanted(rows, mode):
            return self.estimate(path, rows, filters)
        # With the row number, which a filter may name (the DataStore's `_id`).
        sql = f"SELECT count(*) FROM read_parquet(?, file_row_number = true){condition}"
        try:
            return int(self._fetch(sql, [path, *params])[0][0]), True
        except QueryTimeout:
            if mode == "exact":
                raise
            raise _busy() from None

    def exact(self, path: str, filters: Sequence[Filter], mode: str) -> tuple[int | None, bool]:
        """The rows matching `filters`, counted exactly: the row groups the statistics decide
        from the footer, the others by one count of only them (`GroupCounts.total`)."""
        if self.groups is None:
            return self.count(path, None, filters, mode)
        try:
            return self.groups.total(path, filters), True
        except QueryTimeout:
            if mode == "exact":
                raise
            raise _busy() from None

    def estimate(self, path: str, rows: int, filters: Sequence[Filter]) -> tuple[int, bool]:
        """Matching rows, and whether the number is exact: the row groups the footer's
        statistics decide are counted from them (`GroupCounts.decided`), those a bound of
        a range on an ordered column falls inside are counted (`GroupCounts.edges`); the
        others are sampled in evenly spread runs, and their matches scaled up (all counted,
        so exact, when they are no more than the sample).

        Spread runs see a file sorted by a filtered column (years, say) much as a random
        sample would; the first rows alone would see only its first years. Sampling only
        the undecided groups keeps a range of such a column from being scaled up from the
        runs that miss it (a date range at 10M rows was 14.6 % off). Deterministic for a
        version, so the same request always gets the same answer (and `ETag`).
        """
        known, spans = 0, [(0, rows)]
        if self.groups is not None:
            # Not the rising columns' indexes: an estimate must not change once one is proved.
            known, spans = self.groups.undecided(path, filters, rising=False)
            edges = [e for e in self.groups.edges(path, filters) if _within(e, spans)]
            if sum(size for _, size in edges) <= self.settings.total_sample_rows:
                known += self.groups.matches_in(path, filters, edges)
                spans = _without(spans, edges)
        undecided = sum(size for _, size in spans)
        if undecided == 0:
            return known, True
        run = self.settings.total_sample_rows // ESTIMATE_RUNS
        whole = undecided <= self.settings.total_sample_rows
        if whole:
            ranges = [(start, start + size - 1) for start, size in spans]
        else:
            offsets = [(undecided - run) * i // (ESTIMATE_RUNS - 1) for i in range(ESTIMATE_RUNS)]
            ranges = [r for offset in offsets for r in _file_ranges(spans, offset, run)]
        condition, params = where_sql([f.sql() for f in filters])
        test = condition.removeprefix(" WHERE ") or "TRUE"
        sql = (
            f"SELECT count(*) FILTER (WHERE {test}), count(*)"
            " FROM read_parquet(?, file_row_number = true) WHERE "
            + " OR ".join(["file_row_number BETWEEN ? AND ?"] * len(ranges))
        )
        bounds = [value for low_high in ranges for value in low_high]
        matched, sampled = self._fetch(sql, [*params, path, *bounds])[0]
        if whole or not sampled:
            return known + int(matched), whole
        return known + round(undecided * matched / sampled), False


def _within(span: tuple[int, int], spans: Sequence[tuple[int, int]]) -> bool:
    return any(start <= span[0] < start + size for start, size in spans)


def _without(
    spans: Sequence[tuple[int, int]], holes: Sequence[tuple[int, int]]
) -> list[tuple[int, int]]:
    """`spans` (first row, rows) less the `holes` (in order) that lie inside them."""
    found: list[tuple[int, int]] = []
    for start, size in spans:
        end = start + size
        for first, rows in holes:
            if start <= first < end:
                if first > start:
                    found.append((start, first - start))
                start = first + rows
        if end > start:
            found.append((start, end - start))
    return found


def _file_ranges(spans: Sequence[tuple[int, int]], offset: int, rows: int) -> list[tuple[int, int]]:
    """The file's row numbers (first, last) of `rows` rows from `offset` on, counted through
    `spans` (each a first row number and a row count) as if they followed each other."""
    found: list[tuple[int, int]] = []
    for start, size in spans:
        if rows == 0:
            break
        if offset >= size:
            offset -= size
            continue
        taken = min(rows, size - offset)
        found.append((start + offset, start + offset + taken - 1))
        rows -= taken
        offset = 0
    return found


def settled(
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


def _busy() -> ServiceUnavailable:
    # Not an estimate instead: whether the count finishes depends on the load, and the same
    # URL (and `ETag`) must always get the same body. Busy now; the same request will pass
    # later, or sooner with another `total=`.
    return ServiceUnavailable(
        "counting the total took longer than the time limit under the present load;"
        " retry, or ask total=estimate or total=none",
        retry_after=1,
    )
