"""Decoded row groups of Parquet files stored in key order, kept for keyset pages.

DuckDB answers a page of a large file by checking every row group's statistics and decoding
the row group the page falls in: about 6 ms on the 10M-row benchmark file, every time, though
a client walking the file with `next` asks for a hundred rows of the same 122,880-row group
over a thousand times. When the file is stored in the order of the page's first sort key
(each row group's values all below the next one's, as a primary key written in order is),
the footer alone says which row groups hold the page, and the decoded groups can be kept:
the page query then runs in DuckDB over those Arrow tables. When a group is also sorted
within, by that key, the page needs only a slice of it: a binary search finds the cursor's
row, and DuckDB reads a thousand rows instead of decoding 122,880.

Published files never change, so nothing here is ever stale; the cache is bounded by bytes
and drops the least recently used group first.
"""

from __future__ import annotations

import bisect
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

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


class Group:
    """One decoded row group, and which of its columns it is sorted by."""

    def __init__(self, table: pa.Table) -> None:
        self.table = table
        self._sorted: dict[str, bool] = {}

    def slice_from(self, column: str, value: Any | None, rows: int) -> tuple[pa.Table, bool] | None:
        """The rows from the first whose `column` is `value` or more (from the start when
        None): at least `rows` of them, and every tie of the last, so any row left out
        sorts after all that are in; and whether they run to the group's end. None when
        the group is not sorted by `column`."""
        values = self.table.column(column)
        if column not in self._sorted:
            ahead = pc.less_equal(values[:-1], values[1:])
            self._sorted[column] = len(values) < 2 or bool(pc.all(ahead).as_py())
        if not self._sorted[column]:
            return None
        count = len(values)
        start = 0 if value is None else bisect.bisect_left(values, value, key=_as_py)
        end = min(start + rows, count)
        if start < end < count:
            end = bisect.bisect_right(values, values[end - 1].as_py(), lo=end, key=_as_py)
        return self.table.slice(start, end - start), end == count


def _as_py(scalar: pa.Scalar) -> Any:
    return scalar.as_py()


class RowGroupCache:
    """Which files are stored in a column's order, and their recently used row groups."""

    def __init__(self, budget_bytes: int) -> None:
        self.budget = budget_bytes
        self._lock = threading.Lock()
        self._layouts: dict[tuple[str, str], Layout | None] = {}
        self._metadata: dict[str, pq.FileMetaData] = {}
        self._groups: OrderedDict[tuple[str, int], Group] = OrderedDict()
        self._bytes = 0

    def layout(self, path: Path, column: str, kind: str) -> Layout | None:
        """The layout of `column` when the file is stored strictly in its order, else None."""
        key = (str(path), column)
        if key not in self._layouts:
            found = _layout(self._footer(path), column, ORDERED_TYPES.get(kind, ()))
            with self._lock:
                self._layouts[key] = found
        return self._layouts[key]

    def read(self, path: Path, first: int, stop: int) -> pa.Table:
        """Row groups `first` to `stop - 1` of the file, decoded, as one table."""
        return pa.concat_tables([self.group(path, index).table for index in range(first, stop)])

    def group(self, path: Path, index: int) -> Group:
        key = (str(path), index)
        with self._lock:
            if key in self._groups:
                self._groups.move_to_end(key)
                return self._groups[key]
        # Decoded outside the lock: two requests may both decode a group, none waits on one.
        group = Group(pq.ParquetFile(path, metadata=self._footer(path)).read_row_group(index))
        size = group.table.nbytes
        with self._lock:
            if key not in self._groups and size <= self.budget:
                self._groups[key] = group
                self._bytes += size
                while self._bytes > self.budget:
                    _, dropped = self._groups.popitem(last=False)
                    self._bytes -= dropped.table.nbytes
        return group

    def _footer(self, path: Path) -> pq.FileMetaData:
        name = str(path)
        if name not in self._metadata:
            footer = pq.read_metadata(path)
            with self._lock:
                self._metadata[name] = footer
        return self._metadata[name]


def _layout(footer: pq.FileMetaData, column: str, kinds: tuple[type, ...]) -> Layout | None:
    if not kinds or footer.num_row_groups == 0:
        return None
    index = next(
        (i for i in range(footer.num_columns) if footer.schema.column(i).path == column), None
    )
    if index is None:
        return None
    minima, maxima = [], []
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
