"""A total line against its part lines, group by group.

`sum_of_parts`: the total is the sum of its parts (a national line over the provinces).
`within_parts`: the total lies between its parts' lowest and highest values. That holds for
any average or rate of the whole over parts that make it up (an average wage, a growth rate,
an unemployment rate is a weighted mean of the parts'), so a province's average wage printed
above every prefecture's is a contradiction of the source, as a sum that does not add up is.
Both compare only groups whose parts are all printed when `complete` says how many there are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import duckdb

from validation.errors import ReportError
from validation.sql import quote, select, show

if TYPE_CHECKING:
    from validation.checks.domain import CheckRun

# Floats summed in a different order differ in the last bits; never report that as an error.
FLOAT_SLACK = 1e-9


def tolerance_sql(run: CheckRun) -> str:
    """The check's `tolerance`, widened by the float slack of the total `t.total`."""
    tolerance = run.number_param("tolerance", 0.0) or 0.0
    return f"{tolerance!r} + {FLOAT_SLACK} * greatest(abs(t.total), 1)"


def sum_of_parts(con: duckdb.DuckDBPyConnection, run: CheckRun, room: int) -> list[ReportError]:
    value = quote(run.column("value"))
    outside = f"abs(t.total - p.s) > {tolerance_sql(run)}"
    rows = _against_parts(con, run, room, f"sum({value}) AS s", "p.s", outside)
    name = str(run.spec["value"])
    return [
        run.error("sum-error", r, name, f"the sum of its {n} parts, {show(s)}", total)
        for r, total, s, n in rows
    ]


def within_parts(con: duckdb.DuckDBPyConnection, run: CheckRun, room: int) -> list[ReportError]:
    value, slack = quote(run.column("value")), tolerance_sql(run)
    outside = f"t.total < p.lo - ({slack}) OR t.total > p.hi + ({slack})"
    bounds = f"min({value}) AS lo, max({value}) AS hi"
    rows = _against_parts(con, run, room, bounds, "p.lo, p.hi", outside)
    name = str(run.spec["value"])
    return [
        run.error("within-error", r, name, f"between its {n} parts' {show(lo)} and {show(hi)}", t)
        for r, t, lo, hi, n in rows
    ]


def _against_parts(
    con: duckdb.DuckDBPyConnection,
    run: CheckRun,
    room: int,
    aggregates: str,
    shown: str,
    outside: str,
) -> list[tuple[Any, ...]]:
    """The total rows, with `shown` of their parts and the parts' count, where `outside`."""
    value, groups = quote(run.column("value")), run.columns("group_by")
    parts, total = run.text("parts"), run.text("total")
    complete = run.number_param("complete")
    keys = ", ".join(quote(g) for g in groups)
    join = " AND ".join(f"p.{quote(g)} IS NOT DISTINCT FROM t.{quote(g)}" for g in groups)
    only_complete = f"AND p.n = {int(complete)}" if complete is not None else ""
    found: list[tuple[Any, ...]] = select(con, f"""
        WITH base AS (SELECT * FROM {run.base()}),
        p AS (SELECT {keys}, {aggregates}, count(*) AS n FROM base
              WHERE ({parts}) AND {value} IS NOT NULL GROUP BY {keys}),
        t AS (SELECT _row, {keys}, {value} AS total FROM base WHERE ({total}))
        SELECT t._row, t.total, {shown}, p.n FROM t JOIN p ON {join}
        WHERE t.total IS NOT NULL AND ({outside}) {only_complete}
        ORDER BY t._row LIMIT {room}
        """).fetchall()  # fmt: skip
    return found
