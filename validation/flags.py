"""Flags a warning check gives its rows, written into the typed table's ``flags`` field."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from validation.checks.domain import FLAGS_FIELD, CheckRun
from validation.errors import ReportError, locate
from validation.report import Flagged
from validation.sql import register

RunCheck = Callable[[duckdb.DuckDBPyConnection, CheckRun, int], list[ReportError]]


def joined(existing: str | None, added: list[str]) -> str:
    """``existing`` (``;``-joined, as the source gave it) with ``added`` after it, each flag
    once, in a stable order: the source's flags first, then the checks' in their order."""
    flags = [flag for flag in (existing or "").split(";") if flag]
    for flag in added:
        if flag not in flags:
            flags.append(flag)
    return ";".join(flags)


def run_warning_check(
    con: duckdb.DuckDBPyConnection, check: CheckRun, run_check: RunCheck
) -> tuple[list[ReportError], list[Flagged]]:
    """A warning check's errors (it could not run) and the rows it flags.

    A layout resource has several rows on one source line (its ``_row``), so the check runs
    over the rows numbered by position: the flag goes to exactly the row it reported, and
    the report still names the source line.
    """
    typed = check.ctx.typed
    assert typed is not None
    index = typed.schema.get_field_index("_row")
    positions = pa.array(range(typed.num_rows), pa.int64())
    view = f"{check.ctx.name}\x1fitems"
    register(con, view, typed.set_column(index, "_row", positions))
    found = run_check(con, replace(check, view_name=view), typed.num_rows)
    lines: list[int] = typed.column("_row").to_numpy().tolist()  # never null: line numbers
    errors = [problem for problem in found if problem.type == "check-error"]
    flagged = [
        Flagged(check.flag, _at_line(check, problem, lines), problem.row)
        for problem in found
        if problem.type != "check-error"
    ]
    return errors, flagged


def _at_line(check: CheckRun, problem: ReportError, lines: list[int]) -> ReportError:
    """``problem`` (located by position) located by its source line, with that line's cells."""
    if problem.row is None:
        return problem
    line = lines[problem.row]
    before, after = (locate(problem.path, row, problem.field) for row in (problem.row, line))
    moved = replace(problem, row=line, message=problem.message.replace(before, after, 1))
    return check.ctx.with_cells(moved)


def flag_rows(table: pa.Table, flags: Mapping[int, list[str]]) -> pa.Table:
    """``table`` with ``flags`` (by row position) appended to its rows' flags field.

    Only the flagged rows are touched; the column keeps its type and every other value.
    """
    if not flags:
        return table
    positions = sorted(flags)
    mask = _at(positions, table.num_rows)
    column = table.column(FLAGS_FIELD).combine_chunks()
    # `replace_with_mask` fills the masked places in order: the positions, sorted.
    replacements = [joined(column[p].as_py(), flags[p]) for p in positions]
    updated = pc.replace_with_mask(column, mask, pa.array(replacements, column.type))
    index = table.schema.get_field_index(FLAGS_FIELD)
    return table.set_column(index, table.schema.field(index), updated)


def _at(positions: list[int], length: int) -> pa.BooleanArray:
    marks = [False] * length
    for position in positions:
        marks[position] = True
    return pa.array(marks, pa.bool_())
