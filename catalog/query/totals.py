"""The `total` of a page of rows: counted, estimated from a spread sample, or carried along.

`total=exact` counts the matching rows; `estimate` counts them in eight runs of rows spread
evenly through the file and scales up; `none` skips the count; `auto`, the default, counts
exactly when the resource has at most `exact_total_rows` rows and estimates past that, so a
page of a 10M-row file costs a page, not a scan. Which of the two is decided by the file's
size alone, never by how long a count took, so one URL always gets one body. A total known
without counting (no filters, or a first page that holds every match) is exact whatever was
asked, and the cursor carries the first page's total to the pages after it
(`catalog.query.cursor.Total`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal, get_args

from catalog.errors import QueryTimeout, ServiceUnavailable
from catalog.query.cursor import Total
from catalog.settings import Settings

Mode = Literal["auto", "exact", "estimate", "none"]
MODES: tuple[str, ...] = get_args(Mode)
# An estimated total counts the matches in this many runs of rows spread evenly through the
# file (`total_sample_rows` in all); DuckDB reads only the row groups the runs fall in.
ESTIMATE_RUNS = 8

Fetch = Callable[[str, Sequence[Any]], list[tuple[Any, ...]]]


class Totals:
    """Counts and estimates over one Parquet file at a time, through the engine's `fetch`."""

    def __init__(self, settings: Settings, fetch: Fetch) -> None:
        self.settings = settings
        self._fetch = fetch

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
        if carried.exact or not self.exact_wanted(rows, mode):
            return carried
        return None  # an estimate carried, an exact total wanted: count

    def exact_wanted(self, rows: int | None, mode: str) -> bool:
        if mode in ("exact", "estimate"):
            return mode == "exact"
        return rows is None or rows <= self.settings.exact_total_rows

    def count(
        self, path: str, rows: int | None, where: tuple[str, list[Any]], mode: str
    ) -> tuple[int | None, bool]:
        """The rows of `path` matching `where`, counted or estimated as `mode` asks; and
        whether the number is exact."""
        condition, params = where
        small = rows is not None and rows <= self.settings.total_sample_rows
        if rows is not None and not small and not self.exact_wanted(rows, mode):
            return self.estimate(path, rows, condition, params), False
        sql = f"SELECT count(*) FROM read_parquet(?){condition}"
        try:
            return int(self._fetch(sql, [path, *params])[0][0]), True
        except QueryTimeout:
            if mode == "exact":
                raise
            # Not an estimate instead: whether the count finishes depends on the load, and the
            # same URL (and `ETag`) must always get the same body. Busy now; the same
            # request will pass later, or sooner with another `total=`.
            raise ServiceUnavailable(
                "counting the total took longer than the time limit under the present load;"
                " retry, or ask total=estimate or total=none",
                retry_after=1,
            ) from None

    def estimate(self, path: str, rows: int, condition: str, params: list[Any]) -> int:
        """Matching rows, scaled up from evenly spread runs of the file.

        Spread runs see a file sorted by a filtered column (years, say) much as a random
        sample would; the first rows alone would see only its first years. Deterministic
        for a version, so the same request always gets the same answer (and `ETag`).
        """
        test = condition.removeprefix(" WHERE ") or "TRUE"
        run = self.settings.total_sample_rows // ESTIMATE_RUNS
        starts = [(rows - run) * i // (ESTIMATE_RUNS - 1) for i in range(ESTIMATE_RUNS)]
        runs = " OR ".join(["file_row_number BETWEEN ? AND ?"] * ESTIMATE_RUNS)
        sql = (
            f"SELECT count(*) FILTER (WHERE {test}), count(*)"
            " FROM read_parquet(?, file_row_number = true) WHERE " + runs
        )
        bounds = [value for start in starts for value in (start, start + run - 1)]
        matched, sampled = self._fetch(sql, [*params, path, *bounds])[0]
        return round(rows * matched / sampled) if sampled else 0
