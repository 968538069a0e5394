"""Types and per-cell constraints, a whole column at a time."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from validation.casting import Cast, as_text, cast_field, cast_scalar, without_missing
from validation.context import ResourceContext
from validation.errors import ReportError, cell_error
from validation.reading.readers import row_numbers


def type_table(
    ctx: ResourceContext, keep: pa.BooleanArray, missing_values: list[str], room: int
) -> tuple[pa.Table, list[ReportError]]:
    """The typed table (rows in ``keep``, plus ``_row``) and its type and constraint errors."""
    rows = ctx.raw.rows.filter(keep)
    columns: dict[str, pa.Array[Any]] = {}
    errors: list[ReportError] = []
    for number, field in enumerate(ctx.fields, start=1):
        text = _text(ctx, number - 1, keep, len(rows))
        cast = cast_field(without_missing(text, missing_values), field)
        columns[str(field["name"])] = cast.values
        errors += _type_errors(ctx, field, number, text, rows, cast, room - len(errors))
        errors += constraint_errors(ctx, field, number, text, rows, cast, room - len(errors))
    for number, field in enumerate(ctx.fields, start=1):
        if field.get("type") == "number" and isinstance(field.get("decimalsField"), str):
            text = _text(ctx, number - 1, keep, len(rows))
            errors += decimals_errors(ctx, field, number, text, columns, rows, room - len(errors))
    columns["_row"] = rows
    return pa.table(columns), errors


def _text(
    ctx: ResourceContext, position: int, keep: pa.BooleanArray, length: int
) -> pa.StringArray:
    if position < len(ctx.raw.columns):
        return ctx.raw.columns[position].filter(keep)
    # A field with no column (a missing label) reads as all missing, as in Frictionless.
    return pa.nulls(length, pa.string())


def _type_errors(
    ctx: ResourceContext,
    field: Mapping[str, Any],
    number: int,
    text: pa.StringArray,
    rows: pa.Int64Array,
    cast: Cast,
    room: int,
) -> list[ReportError]:
    if room <= 0:
        return []
    bad_rows = row_numbers(rows.filter(cast.invalid).slice(0, room))
    bad_text = text.filter(cast.invalid).slice(0, room).to_pylist()
    note = f'type is "{field.get("type", "string")}/{field.get("format", "default")}"'
    return [
        ctx.with_cells(
            cell_error(
                "type-error",
                resource=ctx.name,
                path=ctx.path,
                row=row,
                field_name=str(field["name"]),
                expected=cast.expected,
                found=value,
                field_number=number,
                note=note,
            ),
        )
        for row, value in zip(bad_rows, bad_text, strict=True)
    ]


def constraint_errors(
    ctx: ResourceContext,
    field: Mapping[str, Any],
    number: int,
    text: pa.StringArray,
    rows: pa.Int64Array,
    cast: Cast,
    room: int,
) -> list[ReportError]:
    """required, minimum, maximum, minLength, maxLength, pattern, enum (unique is a key)."""
    errors: list[ReportError] = []
    constraints: Mapping[str, Any] = field.get("constraints") or {}
    for name, value in constraints.items():
        if name == "unique" or room - len(errors) <= 0:
            continue
        failing = _violations(name, value, field, cast)
        if failing is None:
            continue
        # A null in ``failing`` (no value to compare) is dropped by filter, as False would be.
        shown = "True" if value is True else str(value)
        hits = zip(
            row_numbers(rows.filter(failing).slice(0, room - len(errors))),
            text.filter(failing).slice(0, room - len(errors)).to_pylist(),
            strict=True,
        )
        errors += [
            ctx.with_cells(
                cell_error(
                    "constraint-error",
                    resource=ctx.name,
                    path=ctx.path,
                    row=row,
                    field_name=str(field["name"]),
                    expected=_expectation(name, value),
                    found=found,
                    field_number=number,
                    note=f'constraint "{name}" is "{shown}"',
                ),
            )
            for row, found in hits
        ]
    return errors


def decimals_errors(
    ctx: ResourceContext,
    field: Mapping[str, Any],
    number: int,
    text: pa.StringArray,
    columns: Mapping[str, pa.Array[Any]],
    rows: pa.Int64Array,
    room: int,
) -> list[ReportError]:
    """Rows whose value has more decimals, trailing zeros aside, than its `decimalsField` says.

    Served with its row's decimals, such a value would show digits the row says were never
    printed (the renderer keeps them rather than drop a digit): the row is wrong, not the
    value. A null or negative decimals field is left to its own constraints.
    """
    declared = columns.get(str(field["decimalsField"]))
    if room <= 0 or declared is None or not pa.types.is_integer(declared.type):
        return []
    exact = as_text(columns[str(field["name"])])  # at the column's scale: `211.50000`
    fraction = pc.utf8_rtrim(pc.replace_substring_regex(exact, r"^[^.]*\.?", ""), characters="0")
    failing = pc.greater(pc.utf8_length(fraction), declared)
    expected = f'at most the decimals its "{field["decimalsField"]}" field gives'
    hits = zip(
        row_numbers(rows.filter(failing).slice(0, room)),
        text.filter(failing).slice(0, room).to_pylist(),
        declared.filter(failing).slice(0, room).to_pylist(),
        strict=True,
    )
    return [
        ctx.with_cells(
            cell_error(
                "constraint-error",
                resource=ctx.name,
                path=ctx.path,
                row=row,
                field_name=str(field["name"]),
                expected=f"{expected} ({places})",
                found=found,
                field_number=number,
                note=f'decimalsField is "{field["decimalsField"]}"',
            ),
        )
        for row, found, places in hits
    ]


def _violations(
    name: str, value: Any, field: Mapping[str, Any], cast: Cast
) -> pa.BooleanArray | None:
    values = cast.values
    if name == "required":
        return pc.and_(pc.is_null(values), pc.invert(cast.invalid)) if value else None
    if name in ("minimum", "maximum"):
        bound = cast_scalar(value, field)
        if bound is None:
            return None
        compare = pc.less if name == "minimum" else pc.greater
        return compare(values, _bound(bound, values.type, ceiling=name == "minimum"))
    if name in ("minLength", "maxLength"):
        length = pc.utf8_length(as_text(values))
        limit = pa.scalar(int(value))
        return pc.less(length, limit) if name == "minLength" else pc.greater(length, limit)
    if name == "pattern":
        return pc.invert(pc.match_substring_regex(as_text(values), f"^(?:{value})$"))
    if name == "enum":
        allowed = _members([cast_scalar(member, field) for member in value], values.type)
        return pc.and_(pc.is_valid(values), pc.invert(pc.is_in(values, allowed)))
    return None


def _bound(bound: Any, kind: pa.DataType, *, ceiling: bool) -> pa.Scalar[Any]:
    """`bound` as a scalar of the values' type. Exact decimals (a `decimalsField` number)
    have a scale the bound may pass: a value of that scale is below `b` exactly when it is
    below `b` rounded up to the scale (above `b`: above `b` rounded down), so the comparison
    stays exact without widening the values (which Arrow refuses past 38 digits)."""
    if isinstance(kind, pa.Decimal128Type):
        step = Decimal(1).scaleb(-kind.scale)
        bound = Decimal(bound).quantize(step, rounding=ROUND_CEILING if ceiling else ROUND_FLOOR)
    return pa.scalar(bound, kind)


def _members(members: list[Any], kind: pa.DataType) -> pa.Array[Any]:
    """Enum members as an array of the values' type; a member with more decimals than an
    exact decimal's scale can equal no value, so it is left out rather than rounded."""
    if isinstance(kind, pa.Decimal128Type):
        step = Decimal(1).scaleb(-kind.scale)
        members = [m for m in members if m is None or Decimal(m) == Decimal(m).quantize(step)]
    return pa.array(members, kind)


def _expectation(name: str, value: Any) -> str:
    return {
        "required": "a value (the field is required)",
        "minimum": f"at least {value}",
        "maximum": f"at most {value}",
        "minLength": f"at least {value} characters",
        "maxLength": f"at most {value} characters",
        "pattern": f"text matching {value}",
        "enum": f"one of {', '.join(map(str, value)) if isinstance(value, list) else value}",
    }[name]


def pattern_problem(pattern: str) -> str | None:
    """Why a constraint pattern cannot be used, or None."""
    try:
        re.compile(pattern)
        pc.match_substring_regex(pa.array([""]), f"^(?:{pattern})$")
    except (re.error, pa.ArrowInvalid) as exc:
        return f'pattern "{pattern}" is not a valid regular expression ({exc})'
    return None
