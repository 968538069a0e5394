"""Header labels and row shape: what Frictionless reports before looking at any value."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from validation.context import ResourceContext
from validation.errors import ReportError, locate
from validation.reading.readers import row_numbers


def label_errors(ctx: ResourceContext) -> list[ReportError]:
    """Compare the header with the schema field names, position by position."""
    labels, names = ctx.raw.labels, [str(f["name"]) for f in ctx.fields]
    if ctx.raw.header_row is None:
        return []
    errors: list[ReportError] = []
    for number in range(1, max(len(labels), len(names)) + 1):
        label = labels[number - 1] if number <= len(labels) else None
        name = names[number - 1] if number <= len(names) else None
        found = _label_problem(label, name, labels[: number - 1])
        if found:
            errors.append(_label_error(ctx, found, number, label, name))
    return errors


def _label_problem(label: str | None, name: str | None, before: list[str]) -> str | None:
    if label is None:
        return "missing-label"
    if name is None:
        return "extra-label"
    if not label:
        return "blank-label"
    if label in before:
        return "duplicate-label"
    if label != name:
        return "incorrect-label"
    return None


def _label_error(
    ctx: ResourceContext, type_: str, number: int, label: str | None, name: str | None
) -> ReportError:
    expected = {
        "missing-label": f'a column labelled "{name}"',
        "extra-label": "no further column",
        "blank-label": f'the label "{name}"' if name else "a label",
        "duplicate-label": "a label used once",
        "incorrect-label": f'the label "{name}"',
    }[type_]
    shown = "no label" if label is None else f'"{label}"'
    row = ctx.raw.header_row
    return ReportError(
        type=type_,
        message=f"{locate(ctx.path, row, None)}, column {number}: "
        f"expected {expected}, found {shown}",
        resource=ctx.name,
        path=ctx.path,
        row=row,
        field="" if name is None else name,  # Frictionless leaves extra labels unnamed
        expected=expected,
        found=label,
        field_number=number,
    )


def blank_rows(ctx: ResourceContext, missing_values: list[str]) -> pa.BooleanArray:
    """A mask of rows whose every cell is empty or a missing-value marker."""
    if not ctx.raw.columns:
        return pa.array([True] * ctx.raw.num_rows, pa.bool_())
    markers = pa.array(missing_values, pa.string())
    blank = _empty_cells(ctx.raw.columns[0], markers)
    for column in ctx.raw.columns[1:]:
        blank = pc.and_(blank, _empty_cells(column, markers))
    return blank


def _empty_cells(column: pa.StringArray, markers: pa.StringArray) -> pa.BooleanArray:
    # is_null and is_in never give a null, so neither does their or: no null to fill.
    return pc.or_kleene(pc.is_null(column), pc.is_in(column, markers))


def blank_row_errors(ctx: ResourceContext, blank: pa.BooleanArray, room: int) -> list[ReportError]:
    rows = row_numbers(ctx.raw.rows.filter(blank).slice(0, room))
    return [
        ReportError(
            type="blank-row",
            message=f"{locate(ctx.path, row, None)}: expected a value, found a blank row",
            resource=ctx.name,
            path=ctx.path,
            row=row,
            expected="at least one value",
            found="",
            cells=(),
        )
        for row in rows
    ]


def cell_count_errors(ctx: ResourceContext, blank: pa.BooleanArray, room: int) -> list[ReportError]:
    """extra-cell for cells past the header; missing-cell for short rows' absent cells."""
    errors = [_extra_cell(ctx, row, number, value) for row, number, value in ctx.raw.extra_cells]
    names = _column_names(ctx)
    for position, column in enumerate(ctx.raw.columns):
        absent = pc.and_(pc.is_null(column), pc.invert(blank))
        for row in row_numbers(ctx.raw.rows.filter(absent).slice(0, room)):
            errors.append(_missing_cell(ctx, row, position + 1, names[position]))
    return errors


def _column_names(ctx: ResourceContext) -> list[str]:
    names = [str(f["name"]) for f in ctx.fields]
    return [
        names[i] if i < len(names) else ctx.raw.labels[i] if i < len(ctx.raw.labels) else ""
        for i in range(len(ctx.raw.columns))
    ]


def _extra_cell(ctx: ResourceContext, row: int, number: int, value: str) -> ReportError:
    return ReportError(
        type="extra-cell",
        message=(
            f"{locate(ctx.path, row, None)}, column {number}: expected "
            f'{len(ctx.raw.columns)} cells, found an extra cell "{value}"'
        ),
        resource=ctx.name,
        path=ctx.path,
        row=row,
        field="",
        expected=f"{len(ctx.raw.columns)} cells",
        found=value,
        field_number=number,
        cells=ctx.cells(row),
    )


def _missing_cell(ctx: ResourceContext, row: int, number: int, name: str) -> ReportError:
    return ReportError(
        type="missing-cell",
        message=f"{locate(ctx.path, row, name)}: expected a cell, found the row ended",
        resource=ctx.name,
        path=ctx.path,
        row=row,
        field=name,
        expected="a cell",
        found=None,
        field_number=number,
        cells=ctx.cells(row),
    )


def schema_missing_values(schema: Mapping[str, Any]) -> list[str]:
    value = schema.get("missingValues", [""])
    return [str(v) for v in value] if isinstance(value, list) else [""]
