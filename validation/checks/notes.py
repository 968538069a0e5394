"""Note and footer lines in a plain table: nothing becomes data by accident.

A tidy table saved from a spreadsheet often ends with `数据来源：国家统计局` or `注：…` in its
first cell and nothing else. Typing alone catches such a line only when a required field or
a type happens to fail; this rule names it. A row is a note when every cell but the first is
empty and the first either reads as a note (`NOTE_PATTERN`) or is not a valid value of the
first field. The steward declares it (`dialect.commentRows`, `commentChar`) or removes it.
A resource with a `layout` declares its notes and footer itself and is not checked here.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from validation.casting import cast_field, without_missing
from validation.context import ResourceContext
from validation.errors import ReportError, locate
from validation.reading.readers import row_numbers

# How Chinese statistical tables (and their English editions) open a source or a remark.
NOTE_PATTERN = (
    r"^\s*(数据来源|资料来源|注\s*\d*\s*[：:]|说明\s*[：:]|sources?\s*[:：]|notes?\s*[:：])"
)
_ADVICE = "declare it (dialect commentRows) or remove it"


def note_rows(
    ctx: ResourceContext, blank: pa.BooleanArray, missing_values: list[str]
) -> pa.BooleanArray:
    """The rows, other than blank ones, that look like a note or footer line."""
    columns = ctx.raw.columns
    if ctx.descriptor.get("layout") is not None or not columns:
        return pa.array([False] * ctx.raw.num_rows, pa.bool_())
    first = without_missing(columns[0], missing_values)
    matches = pc.match_substring_regex(first, NOTE_PATTERN, ignore_case=True)
    looks = pc.and_kleene(pc.is_valid(first), matches)  # a missing first cell is no note
    if len(columns) > 1 and ctx.fields:
        looks = pc.or_(looks, cast_field(first, ctx.fields[0]).invalid)
    markers = pa.array(missing_values, pa.string())
    alone = pc.invert(blank)
    for column in columns[1:]:
        alone = pc.and_(alone, pc.or_kleene(pc.is_null(column), pc.is_in(column, markers)))
    notes: pa.BooleanArray = pc.and_(alone, looks)
    return notes


def note_row_errors(ctx: ResourceContext, notes: pa.BooleanArray, room: int) -> list[ReportError]:
    rows = row_numbers(ctx.raw.rows.filter(notes).slice(0, room))
    return [_note_error(ctx, row) for row in rows]


def _note_error(ctx: ResourceContext, row: int) -> ReportError:
    cells = ctx.cells(row)
    found = cells[0] if cells else ""
    return ReportError(
        type="note-row",
        message=f"{locate(ctx.path, row, None)}: looks like a note or footer line, not data"
        f' ("{found}"); {_ADVICE}',
        resource=ctx.name,
        path=ctx.path,
        row=row,
        expected="a data row",
        found=found,
        note=f"looks like a note or footer line, not data; {_ADVICE}",
        cells=cells,
    )
