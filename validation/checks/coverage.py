"""The groups a total check leaves unchecked, said in the report rather than passed silently.

`sum_of_parts` with `complete: 31` compares a total with its parts only where all 31 parts
are present, and `components` only where every listed part is: a table that prints 30
provinces is then not checked at all. That is right (an incomplete sum proves nothing), but
a report that says nothing reads as "checked and found consistent". This says which groups
were not checked and why, as a note of the report: not an error, not a flag on rows.
"""

from __future__ import annotations

import duckdb

from validation.checks.domain import CheckDeclarationError, CheckRun
from validation.sql import quote, select, show

SHOWN = 3  # groups named in the note; the rest are counted
TOTALS = ("sum_of_parts", "within_parts")  # a total line against its part lines


def unchecked_note(con: duckdb.DuckDBPyConnection, run: CheckRun) -> str | None:
    """A note naming the groups `run` skipped as incomplete; None when it skipped none (or
    cannot run: that is the check's own error)."""
    kind = run.spec.get("type")
    try:
        if run.spec.get("where") and not _selects(con, run):
            return (
                f"{run.ctx.path or run.ctx.name}: {run.label} checked no row: its where"
                f" ({run.spec['where']}) matches none (a misspelt code?)"
            )
        if kind in TOTALS and run.spec.get("complete") is not None:
            return _note(run, _sum_groups(con, run), int(run.spec["complete"]))
        if kind == "components" and isinstance(run.spec.get("parts"), list):
            return _note(run, _component_groups(con, run), len(run.spec["parts"]))
    except (CheckDeclarationError, duckdb.Error, TypeError, ValueError):
        return None
    return None


def _selects(con: duckdb.DuckDBPyConnection, run: CheckRun) -> bool:
    return bool(select(con, f"SELECT count(*) FROM {run.base()}").fetchone()[0])


def _sum_groups(con: duckdb.DuckDBPyConnection, run: CheckRun) -> list[tuple[str, int]]:
    value, groups = quote(run.column("value")), run.columns("group_by")
    parts, total, complete = run.text("parts"), run.text("total"), run.spec["complete"]
    keys = ", ".join(quote(g) for g in groups)
    join = " AND ".join(f"p.{quote(g)} IS NOT DISTINCT FROM t.{quote(g)}" for g in groups)
    shown = " || ', ' || ".join(f"'{g}=' || CAST(t.{quote(g)} AS VARCHAR)" for g in groups)
    rows = select(con, f"""
        WITH base AS (SELECT * FROM {run.base()}),
        p AS (SELECT {keys}, count(*) AS n FROM base
              WHERE ({parts}) AND {value} IS NOT NULL GROUP BY {keys}),
        t AS (SELECT {keys} FROM base WHERE ({total}) AND {value} IS NOT NULL)
        SELECT DISTINCT {shown} AS g, coalesce(p.n, 0) AS n FROM t LEFT JOIN p ON {join}
        WHERE coalesce(p.n, 0) <> {int(complete)} ORDER BY g
        """).fetchall()  # fmt: skip
    return [(str(g), int(n)) for g, n in rows]


def _component_groups(con: duckdb.DuckDBPyConnection, run: CheckRun) -> list[tuple[str, int]]:
    value, key = quote(run.column("value")), quote(run.column("key"))
    parts = [str(p) for p in run.spec["parts"]]
    match_on = run.columns("match_on", required=False) or []
    on = " AND ".join(f"p.{quote(m)} IS NOT DISTINCT FROM t.{quote(m)}" for m in match_on)
    shown = " || ', ' || ".join(f"'{m}=' || CAST(t.{quote(m)} AS VARCHAR)" for m in match_on)
    keys = ", ".join(quote(m) for m in match_on)
    items = ", ".join("?" for _ in parts)
    rows = select(con, f"""
        WITH base AS (SELECT * FROM {run.base()}),
        p AS (SELECT {keys + ',' if keys else ''} count(DISTINCT {key}) AS n FROM base
              WHERE CAST({key} AS VARCHAR) IN ({items}) AND {value} IS NOT NULL
              {'GROUP BY ' + keys if keys else ''}),
        t AS (SELECT * FROM base WHERE CAST({key} AS VARCHAR) = ? AND {value} IS NOT NULL)
        SELECT DISTINCT {shown or "'all rows'"} AS g, coalesce(p.n, 0) AS n
        FROM t LEFT JOIN p ON {on or 'TRUE'} WHERE coalesce(p.n, 0) <> {len(parts)} ORDER BY g
        """, [*parts, str(run.spec.get("total"))]).fetchall()  # fmt: skip
    return [(str(g), int(n)) for g, n in rows]


def _note(run: CheckRun, groups: list[tuple[str, int]], complete: int) -> str | None:
    if not groups:
        return None
    named = "; ".join(f"{group} ({show(n)} of {complete} parts)" for group, n in groups[:SHOWN])
    more = f"; and {len(groups) - SHOWN} more" if len(groups) > SHOWN else ""
    return (
        f"{run.ctx.path or run.ctx.name}: {run.label} did not check {len(groups)} group(s):"
        f" {_why(groups, complete)}: {named}{more}"
    )


def _why(groups: list[tuple[str, int]], complete: int) -> str:
    if all(n < complete for _, n in groups):
        return "their parts are incomplete, and an incomplete sum proves nothing"
    if all(n > complete for _, n in groups):
        return f"they have more parts than the {complete} expected (a line printed twice?)"
    return f"their parts are not the {complete} expected (some missing, some repeated?)"
