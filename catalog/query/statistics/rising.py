"""Columns whose values never fall from one row of a file to the next, and the row each of
their values starts at.

A published file is stored in its key's order, and other columns often rise with the key: a
call log's date. In such a column the rows of any range of values are consecutive, so a
range filter on it matches the rows between two row numbers, and its matches in every row
group follow with no scan: an exact total of a date range, and the row group of a page at
any offset, come from two binary searches where the footer's statistics leave the two edge
groups to count.

Whether a column rises is proved, not assumed: the footer's statistics only say that each
row group's values lie between the previous group's and the next's (a shuffle inside a group
keeps them). The proof is one count per row group of the rows of each value: every value's
rows must be one run, the runs in the values' order. It reads one row group at a time and
gives up past `MAX_VALUES` values (a column of mostly distinct values is no index worth
keeping); it runs on a thread of its own, the first time a range filter asks for a column
whose statistics allow it, and until it is done the filter is counted as before.
"""

from __future__ import annotations

import bisect
import itertools
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from catalog.sql import Column, Filter

logger = logging.getLogger(__name__)

Fetch = Callable[[str, Sequence[Any]], list[tuple[Any, ...]]]
Background = Callable[[Callable[[], None]], None]

# Distinct values an index holds at most (ten years of days is 3,653): a bound on its memory.
MAX_VALUES = 20_000
# Values all kept indexes hold at most (about 80 bytes each: 16 MB), the least recently used
# index dropped first; a verdict of a column that does not rise counts as one.
KEPT_VALUES = 200_000
# How long closing waits for a running proof.
CLOSE_SECONDS = 30
RANGES = frozenset({"eq", "gt", "gte", "lt", "lte"})


@dataclass(frozen=True)
class RisingIndex:
    """A rising column of one file: its distinct values in order, the first row of each,
    and the file's rows (one past the last value's last row)."""

    values: tuple[Any, ...]
    starts: tuple[int, ...]
    rows: int

    def span(self, test: Filter) -> tuple[int, int] | None:
        """The rows `test` matches, as (first, end), end excluded; None when this index
        cannot say (not a range, or a value of another type than the column's)."""
        if test.operator not in RANGES or not self.values:
            return None
        value = test.values[0]
        if type(value) is not type(self.values[0]):
            return None
        left = bisect.bisect_left(self.values, value)
        right = bisect.bisect_right(self.values, value)
        every = len(self.values)
        bounds = {
            "eq": (left, right),
            "gt": (right, every),
            "gte": (left, every),
            "lt": (0, left),
            "lte": (0, right),
        }
        first, end = bounds[test.operator]
        return self._row(first), self._row(end)

    def _row(self, value: int) -> int:
        """The first row of the `value`-th value; the file's end past the last."""
        return self.starts[value] if value < len(self.starts) else self.rows


def may_rise(nulls: Sequence[int | None], lows: Sequence[Any], highs: Sequence[Any]) -> bool:
    """Whether a column's row-group statistics allow it to rise: no nulls, every group's
    minimum and maximum known, each group's values between the previous group's and the
    next's."""
    if any(n != 0 for n in nulls) or any(v is None for v in (*lows, *highs)):
        return False
    return all(low <= high for low, high in zip(lows, highs, strict=True)) and all(
        before <= after for before, after in zip(highs, lows[1:], strict=False)
    )


def prove_rising(
    fetch: Fetch, path: str, column: Column, sizes: Sequence[int]
) -> RisingIndex | None:
    """The index of `column` in the file at `path` (row groups of `sizes` rows) if its
    values never fall from row to row and are at most `MAX_VALUES`; else None. One count of
    each value's rows per row group, one group at a time."""
    sql = (
        f"SELECT {column.sql}, min(file_row_number), max(file_row_number), count(*)"
        " FROM read_parquet(?, file_row_number = true)"
        f" WHERE file_row_number BETWEEN ? AND ? GROUP BY 1 ORDER BY 1 LIMIT {MAX_VALUES + 1}"
    )
    values: list[Any] = []
    starts: list[int] = []
    end = 0  # one past the last row proved
    group_starts = [0, *itertools.accumulate(sizes)]
    for first, size in zip(group_starts, sizes, strict=False):
        for value, low, high, count in fetch(sql, [str(path), first, first + size - 1]):
            if value is None or low != end or high - low + 1 != count:
                return None  # a null, or a value's rows not one run in the values' order
            if values and value == values[-1]:
                end = high + 1  # the last group's last value goes on in this group
                continue
            if values and not values[-1] < value:
                return None
            values.append(value)
            starts.append(low)
            end = high + 1
            if len(values) > MAX_VALUES:
                return None
    return RisingIndex(tuple(values), tuple(starts), end) if end == sum(sizes) else None


class RisingColumns:
    """The rising columns' indexes of published files, proved on a thread of their own the
    first time a range filter asks, and kept (published files never change).

    One proof runs at a time: a request that finds another running leaves its column for a
    later request. A proof that fails (a timeout under load) is tried again later; its
    verdict, an index or no index, is kept."""

    def __init__(self, fetch: Fetch, background: Background | None = None) -> None:
        self._fetch = fetch
        self._background = background  # None: `on_a_thread`
        self._lock = threading.Lock()
        self._known: OrderedDict[tuple[str, str], RisingIndex | None] = OrderedDict()
        self._held = 0  # the values of the kept indexes
        self._proving = False
        self._closed = False
        self._proved = threading.Condition(self._lock)

    def close(self) -> None:
        """Start no proof again, and wait for a running one to end (its queries are bounded
        by the engine's time limit): the engine's connection closes next."""
        with self._lock:
            self._closed = True
            self._proved.wait_for(lambda: not self._proving, timeout=CLOSE_SECONDS)

    def has_verdict(self, path: str, column: Column) -> bool:
        """Whether `column` of the file at `path` is kept as proved to rise or not to."""
        with self._lock:
            return (str(path), column.name) in self._known

    def index(self, path: str, column: Column, sizes: Sequence[int]) -> RisingIndex | None:
        """`column`'s index in the file at `path` if proved; else None, and its proof
        started when none is running."""
        key = (str(path), column.name)
        with self._lock:
            if key in self._known:
                self._known.move_to_end(key)
                return self._known[key]
            if self._proving or self._closed:
                return None
            self._proving = True
        start = self._background or on_a_thread
        start(lambda: self._prove(key, path, column, tuple(sizes)))
        with self._lock:
            return self._known.get(key)  # a synchronous `background` has proved it

    def _prove(
        self, key: tuple[str, str], path: str, column: Column, sizes: tuple[int, ...]
    ) -> None:
        try:
            found = prove_rising(self._fetch, path, column, sizes)
        except Exception:  # a timeout or a closing engine: the column waits for a later ask
            logger.debug("proving %s of %s rising failed", column.name, path, exc_info=True)
        else:
            with self._lock:
                self._known[key] = found
                self._held += _size(found)
                while self._held > KEPT_VALUES and len(self._known) > 1:
                    self._held -= _size(self._known.popitem(last=False)[1])
        finally:
            with self._lock:
                self._proving = False
                self._proved.notify_all()


def _size(index: RisingIndex | None) -> int:
    return 1 if index is None else len(index.values)


def on_a_thread(work: Callable[[], None]) -> None:
    """`work` on a thread of its own. Not a daemon: DuckDB aborts the process if the
    interpreter ends inside its call."""
    threading.Thread(target=work, name="rising-index").start()
