"""Row groups of Parquet files stored in key order, kept as DuckDB tables for keyset pages.

DuckDB answers a page of a large Parquet file by checking every row group's statistics and
decoding the row group the page falls in: about 6 ms on the 10M-row benchmark file, every
time, though a client walking the file with `next` asks for a hundred rows of the same
122,880-row group over a thousand times. When the file is stored in the order of the page's
first sort key (each row group's values all below the next one's, as a primary key written in
order is, and as the Parquet row number always is), the footer alone says which row group
holds the page. That group is copied once into an in-memory DuckDB table, with the sorted
values of the sort key beside it: a binary search there gives a bound (`key <= u`) that
leaves a thousand rows or so, and the page query finds them by the table's own min/max index
in about a millisecond.

The tables live in the schema `opendata_kept`, out of reach of the SQL endpoint. Published
files never change, so a kept group is never stale; the groups kept are bounded by the memory
DuckDB reports for them (on the benchmark file, ten times what the Parquet footer calls the
group's uncompressed size), and the least recently used is dropped first.

`locate` turns each row group's count of matches (its row count, or the counts of
`catalog.query.statistics.GroupCounts`) into the groups an offset page lies in.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from catalog.errors import InvalidQuery, QueryFailed
from catalog.query.cursor import Condition, PageQuestion
from catalog.sql import ROW_NUMBER, Column, SortKey, quote
from catalog.store import ASCENDING_KEY

SCHEMA = "opendata_kept"
# Opens a place for reading (`Files.open`): footers are read through it.
Opener = Callable[[str], pa.NativeFile]
# Row groups asked for and not kept, remembered with their count of asks.
ASKED_REMEMBERED = 4096
# A row group is kept from this request for it on; the ones before are read from the file.
# Copying a group costs about four reads of it (measured on the benchmark file): it is made
# once reading the group has cost about as much, so that no order of requests costs much
# more than twice what knowing them ahead would have (as renting skis until their price is
# paid does).
KEEP_FROM_ASK = 5
# Table Schema types whose Parquet statistics compare, in Python, as DuckDB orders them:
# integers numerically, text by code point (as UTF-8 bytes sort), dates by day.
ORDERED_TYPES: dict[str, tuple[type, ...]] = {
    "integer": (int,),
    "year": (int,),
    "string": (str,),
    "yearmonth": (str,),
    "date": (date,),
}


@dataclass(frozen=True)
class Layout:
    """The largest value of one column in each row group of a file stored in its order."""

    maxima: tuple[Any, ...]

    @property
    def groups(self) -> int:
        return len(self.maxima)

    def first_holding(self, value: Any) -> int:
        """The first row group that may hold `value` or anything after it."""
        return bisect.bisect_left(self.maxima, value)

    def start(self, after: Any | None, descending: bool, decided: Sequence[int | None]) -> int:
        """The row group a page in this column's order starts in: the one that may hold
        `after` (the cursor's value), else the first in the page's order; past the groups
        that `decided` (`GroupCounts.decided`) says hold no match. Out of range: none is
        left."""
        group = 0 if after is None else self.first_holding(after)
        if descending:
            group = self.groups - 1 if after is None else min(group, self.groups - 1)
        step = -1 if descending else 1
        while decided and 0 <= group < self.groups and decided[group] == 0:
            group += step
        return group

    def bounds(self, located: Located, first_page: bool, column: str) -> list[Condition]:
        """Conditions on the column (`column` is its SQL) that keep a page to the row groups
        it lies in, which DuckDB then reads alone: none past the group of its last row, and
        on a first page none before the group of its first. Descending, the page runs
        towards group 0."""
        end, start = located.last, located.group
        found: list[tuple[str, Any]] = []
        if located.descending:
            if end > 0:
                found.append((">", self.maxima[end - 1]))
            if first_page and start + 1 < self.groups:
                found.append(("<=", self.maxima[start]))
        else:
            if end + 1 < self.groups:
                found.append(("<=", self.maxima[end]))
            if first_page and start > 0:
                found.append((">", self.maxima[start - 1]))
        return [(f"{column} {op} ?", [value]) for op, value in found]


@dataclass
class Kept:
    """A row group kept as a table, and the sorted values of the columns asked about."""

    table: str
    size: int
    sorted_values: dict[str, pa.Array[Any]]


class KeptGroups:
    """Which files are stored in a column's order, and their recently used row groups."""

    def __init__(
        self, con: duckdb.DuckDBPyConnection, budget_bytes: int, opener: Opener | None = None
    ) -> None:
        self.budget = budget_bytes
        self._con = con
        self._open: Opener = opener or (lambda path: pa.OSFile(path, "rb"))
        self._lock = threading.Lock()
        self._footers: dict[str, pq.FileMetaData] = {}
        self._layouts: dict[tuple[str, str], Layout | None] = {}
        self._kept: OrderedDict[tuple[str, int], Kept] = OrderedDict()
        self._asked: OrderedDict[tuple[str, int], int] = OrderedDict()
        self._bytes = 0
        if budget_bytes:
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")

    def layout(self, path: str, column: str, kind: str) -> Layout | None:
        """The layout of `column` when the file is stored strictly in its order, else None.

        `file_row_number` (the row number DuckDB gives a Parquet file) always is.
        """
        key = (str(path), column)
        if key not in self._layouts:
            footer = self.footer(path)
            if column == "file_row_number":
                ends, found = 0, []
                for index in range(footer.num_row_groups):
                    ends += footer.row_group(index).num_rows
                    found.append(ends - 1)
                layout: Layout | None = Layout(tuple(found))
            else:
                layout = _layout(footer, column, ORDERED_TYPES.get(kind, ()))
            with self._lock:
                self._layouts[key] = layout
        return self._layouts[key]

    def ascending(self, path: str) -> str | None:
        """The column the file's rows rise strictly in, as its writer checked and recorded
        (`catalog.store.ASCENDING_KEY`); None when it recorded none."""
        found = (self.footer(path).metadata or {}).get(ASCENDING_KEY)
        return found.decode() if found else None

    def stored(self, path: str, key: SortKey) -> bool:
        """Whether the file's rows are stored in the order of sort key `key`: ascending by
        the row number, or by the column they rise strictly in (`ascending`)."""
        if key.descending or key.column == ROW_NUMBER:
            return not key.descending
        try:
            return key.column.name == self.ascending(path)
        except (OSError, pa.ArrowException):
            return False  # unreadable: the scan reports it as for any query

    def quickest_keys(
        self, path: str, columns: dict[str, Column], question: PageQuestion
    ) -> list[SortKey]:
        """The question's keys, which end in the row number (the DataStore's `_id`), in the
        form read fastest when their order is the file's own: a first key the rows rise
        strictly in orders them as the row number does, either way, and nothing after it
        breaks a tie. The row number alone (a page is a range of row numbers, and a filter
        on `_id` says where it starts), unless a filter names that column: then the column,
        then the row number (the filter on it says where the page starts). At 10M rows
        `sort=id` took 2x /rows's time, and `id > N` without a sort 2-3x, before."""
        keys, first = question.keys, question.keys[0]
        try:
            name = self.ascending(path)
        except (OSError, pa.ArrowException):
            return keys  # unreadable: the scan reports it as for any query
        if name is None or name not in columns or keys[-1].column != ROW_NUMBER:
            return keys
        filtered = any(f.column.name == name for f in question.filters)
        if first.column == ROW_NUMBER:
            return [SortKey(columns[name], first.descending), first] if filtered else keys
        if first.column.name != name:
            return keys
        return [first, keys[-1]] if filtered else [SortKey(ROW_NUMBER, first.descending)]

    def admit(self, path: str, index: int) -> bool:
        """Whether row group `index` is kept, or asked for often enough to be worth keeping:
        from its `KEEP_FROM_ASK`-th request on.

        The requests before are left to the file: a client walking the file earns the copy
        back within a few pages, but one jumping about never would, nor would a keyset page,
        an offset page and a first page of other filters that happen to meet in one group.
        """
        key = (str(path), index)
        with self._lock:
            if key in self._kept:
                return True
            asks = self._asked.pop(key, 0) + 1
            if asks >= KEEP_FROM_ASK:
                return True
            self._asked[key] = asks
            if len(self._asked) > ASKED_REMEMBERED:
                self._asked.popitem(last=False)
            return False

    def keep(self, path: str, index: int) -> bool:
        """Whether row group `index` is kept now: it was, or `admit` takes it and it is
        copied here. False leaves the request to read the file (and counts its ask)."""
        if self.budget == 0 or not self.admit(path, index):
            return False
        try:
            self._group(path, index)
        except duckdb.Error:
            return False  # the copy failed (out of memory, say): read the file instead
        return True

    def holds(self, path: str, index: int) -> bool:
        """Whether row group `index` of the file is kept now (asking changes nothing)."""
        with self._lock:
            return (str(path), index) in self._kept

    def rank_value(self, path: str, index: int, column: str, rank: int) -> list[Any] | None:
        """[the `rank`-th smallest value of `column` in row group `index`] when the group is
        kept; None to ask DuckDB (the page's own read decides whether to keep the group)."""
        if not self.holds(path, index):
            return None
        try:
            return [self.sorted_values(path, index, column)[rank].as_py()]
        except (InvalidQuery, QueryFailed, duckdb.Error):
            return None  # the group dropped under this request: ask DuckDB

    def tables(self, path: str, first: int, stop: int) -> str:
        """Row groups `first` to `stop - 1` of the file, kept, as one SQL table expression."""
        names = [self._group(path, index).table for index in range(first, stop)]
        if len(names) == 1:
            return names[0]
        return "(" + " UNION ALL ".join(f"SELECT * FROM {name}" for name in names) + ")"

    def kept(self) -> list[tuple[str, int]]:
        """The (file, row group) pairs kept, least recently used first."""
        with self._lock:
            return list(self._kept)

    def sorted_values(self, path: str, index: int, column: str) -> pa.Array[Any]:
        """The values of `column` in row group `index`, in ascending order."""
        kept = self._group(path, index)
        if column not in kept.sorted_values:
            cursor = self._con.cursor()
            try:
                sql = f"SELECT {quote(column)} FROM {kept.table} ORDER BY 1"
                values = cursor.sql(sql).to_arrow_table().column(0).combine_chunks()
            finally:
                cursor.close()
            with self._lock:
                if column not in kept.sorted_values:
                    kept.sorted_values[column] = values
                    kept.size += values.nbytes
                    if self._kept.get((str(path), index)) is kept:  # not dropped meanwhile
                        self._bytes += values.nbytes
        return kept.sorted_values[column]

    def _group(self, path: str, index: int) -> Kept:
        key = (str(path), index)
        footer = self.footer(path)
        with self._lock:
            if key in self._kept:
                self._kept.move_to_end(key)
                return self._kept[key]
            digest = hashlib.sha256(str(path).encode()).hexdigest()[:16]
            name = f'{SCHEMA}."g_{digest}_{index}"'
            start = sum(footer.row_group(i).num_rows for i in range(index))
            rows = footer.row_group(index).num_rows
            # Made under the lock: a second request for the group waits for this one
            # rather than copying it again. The row number comes along for resources
            # without a primary key, whose pages end their sort with it. (File order is
            # kept without an ORDER BY, which would double the copy's cost; the pages do
            # not depend on it, only the table's min/max index does.)
            cursor = self._con.cursor()
            try:
                before = _table_memory(cursor)
                cursor.execute(
                    f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM"
                    " read_parquet(?, file_row_number = true)"
                    " WHERE file_row_number BETWEEN ? AND ?",
                    [str(path), start, start + rows - 1],
                )
                size = _table_memory(cursor) - before
                kept = self._kept[key] = Kept(name, size, {})
                self._bytes += size
                while self._bytes > self.budget and len(self._kept) > 1:
                    _, dropped = self._kept.popitem(last=False)
                    cursor.execute(f"DROP TABLE IF EXISTS {dropped.table}")
                    self._bytes -= dropped.size
            finally:
                cursor.close()
            return kept

    def footer(self, path: str) -> pq.FileMetaData:
        """The file's Parquet footer, read once (published files never change): on an
        object store one or two byte ranges of its end, not the file."""
        name = str(path)
        if name not in self._footers:
            with self._open(name) as source:
                footer = pq.read_metadata(source)
            with self._lock:
                self._footers[name] = footer
        return self._footers[name]


def _table_memory(cursor: duckdb.DuckDBPyConnection) -> int:
    """Bytes DuckDB holds for in-memory tables: the kept groups are the only ones."""
    found = cursor.execute(
        "SELECT coalesce(sum(memory_usage_bytes), 0) FROM duckdb_memory()"
        " WHERE tag = 'IN_MEMORY_TABLE'"
    ).fetchone()
    return int(found[0]) if found else 0


def _layout(footer: pq.FileMetaData, column: str, kinds: tuple[type, ...]) -> Layout | None:
    if not kinds or footer.num_row_groups == 0:
        return None
    index = next(
        (i for i in range(footer.num_columns) if footer.schema.column(i).path == column), None
    )
    if index is None:
        return None
    minima: list[Any] = []
    maxima: list[Any] = []
    for group in range(footer.num_row_groups):
        stats = footer.row_group(group).column(index).statistics
        if stats is None or not stats.has_min_max or stats.null_count != 0:
            return None
        low, high = stats.min, stats.max
        # A datetime is a date to isinstance, but compares with neither dates nor text.
        if any(not isinstance(v, kinds) or isinstance(v, datetime) for v in (low, high)):
            return None
        minima.append(low)
        maxima.append(high)
    # Strictly in order: every value of a group below every value of the next, so a value
    # (and all its ties) lives in one group and the groups after it hold only larger ones.
    if any(maxima[i] >= minima[i + 1] for i in range(len(maxima) - 1)):
        return None
    return Layout(tuple(maxima))


@dataclass(frozen=True)
class Located:
    """Where the rows from the `rank`-th match on lie, in a file stored in the order of the
    page's first sort key.

    `group` holds the match of that rank, the `within`-th of its matches in the page's
    order; the page of `rows` matches starting there ends in group `last` at the latest.
    Groups are numbered in file order; a `descending` page runs from the last one down.
    """

    group: int
    within: int
    last: int
    descending: bool = False


def locate(
    counts: Sequence[int], rank: int, rows: int, *, descending: bool = False
) -> Located | None:
    """The row groups holding matches `rank` to `rank + rows - 1`, from each group's count of
    matches; None when fewer than `rank + 1` rows match. `descending`: the matches are taken
    in the reverse of the file's order, so the ranks count from the end of the file."""
    order = list(reversed(counts)) if descending else list(counts)
    ends = list(itertools.accumulate(order))
    group = bisect.bisect_right(ends, rank)
    if group == len(ends):
        return None
    last = min(bisect.bisect_right(ends, rank + rows - 1), len(ends) - 1)
    within = rank - (ends[group] - order[group])
    if descending:
        top = len(ends) - 1
        return Located(top - group, within, top - last, descending=True)
    return Located(group, within, last)


def group_sizes(footer: pq.FileMetaData) -> list[int]:
    return [footer.row_group(index).num_rows for index in range(footer.num_row_groups)]
