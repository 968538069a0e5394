"""Primary keys, unique fields and foreign keys, as DuckDB window and anti-join queries."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import duckdb

from validation.context import ResourceContext
from validation.errors import ReportError, cell_error, locate
from validation.schema import key_fields
from validation.sql import quote, select, show


def primary_key_errors(
    con: duckdb.DuckDBPyConnection, ctx: ResourceContext, view: str, room: int
) -> list[ReportError]:
    """Duplicates are reported on the later row, naming the previous one, as Frictionless does."""
    keys = key_fields(ctx.schema.get("primaryKey"))
    if not keys or room <= 0:
        return []
    cols = ", ".join(quote(k) for k in keys)
    all_null = " AND ".join(f"{quote(k)} IS NULL" for k in keys)
    rows = select(
        con,
        f"""
        SELECT _row, previous, {cols} FROM (
            SELECT _row, {cols}, lag(_row) OVER (PARTITION BY {cols} ORDER BY _row) AS previous
            FROM {quote(view)} WHERE NOT ({all_null})
        ) WHERE previous IS NOT NULL
        UNION ALL
        SELECT _row, NULL, {cols} FROM {quote(view)} WHERE {all_null}
        ORDER BY _row LIMIT {room}
        """,
    ).fetchall()
    return [_primary_key_error(ctx, keys, row[0], row[1], row[2:]) for row in rows]


def _primary_key_error(
    ctx: ResourceContext, keys: list[str], row: int, previous: int | None, values: tuple[Any, ...]
) -> ReportError:
    names = ", ".join(keys)
    shown = ", ".join(show(v) for v in values)
    if previous is None:
        found = "all key cells empty"
        note = 'cells composing the primary keys are all "None"'
    else:
        found = f'"{shown}", already used in row {previous}'
        note = f"the same as in the row at position {previous}"
    return ReportError(
        type="primary-key",
        message=f"{locate(ctx.path, row, None)}: expected a unique key ({names}), found {found}",
        resource=ctx.name,
        path=ctx.path,
        row=row,
        field=names,
        expected=f"a unique primary key ({names})",
        found=shown,
        note=note,
        cells=ctx.cells(row),
    )


def unique_errors(
    con: duckdb.DuckDBPyConnection, ctx: ResourceContext, view: str, room: int
) -> list[ReportError]:
    errors: list[ReportError] = []
    for number, field in enumerate(ctx.fields, start=1):
        constraints: Mapping[str, Any] = field.get("constraints") or {}
        if not constraints.get("unique") or room - len(errors) <= 0:
            continue
        name = str(field["name"])
        col = quote(name)
        rows = select(
            con,
            f"""
            SELECT _row, previous, {col} FROM (
                SELECT _row, {col}, lag(_row) OVER (PARTITION BY {col} ORDER BY _row) AS previous
                FROM {quote(view)} WHERE {col} IS NOT NULL
            ) WHERE previous IS NOT NULL ORDER BY _row LIMIT {room - len(errors)}
            """,
        ).fetchall()
        for row, previous, value in rows:
            error = cell_error(
                "unique-error",
                resource=ctx.name,
                path=ctx.path,
                row=row,
                field_name=name,
                expected=f"a value not used before (it is also in row {previous})",
                found=show(value),
                field_number=number,
                note=f"the same as in the row at position {previous}",
            )
            errors.append(ctx.with_cells(error))
    return errors


def foreign_key_errors(
    con: duckdb.DuckDBPyConnection,
    ctx: ResourceContext,
    view: str,
    fk: Mapping[str, Any],
    target: tuple[str, str],
    room: int,
) -> list[ReportError]:
    """Rows whose key is absent from the referenced table; all-empty keys are not checked."""
    if room <= 0:
        return []
    local = key_fields(fk["fields"])
    remote = key_fields(fk["reference"]["fields"])
    target_view, target_label = target
    match = " AND ".join(
        f"CAST(r.{quote(b)} AS VARCHAR) IS NOT DISTINCT FROM CAST(t.{quote(a)} AS VARCHAR)"
        for a, b in zip(local, remote, strict=True)
    )
    all_null = " AND ".join(f"t.{quote(a)} IS NULL" for a in local)
    cols = ", ".join(f"t.{quote(a)}" for a in local)
    rows = select(
        con,
        f"""
        SELECT t._row, {cols} FROM {quote(view)} t
        WHERE NOT ({all_null})
          AND NOT EXISTS (SELECT 1 FROM {quote(target_view)} r WHERE {match})
        ORDER BY t._row LIMIT {room}
        """,
    ).fetchall()
    return [_foreign_key_error(ctx, local, remote, target_label, r[0], r[1:]) for r in rows]


def _foreign_key_error(
    ctx: ResourceContext,
    local: list[str],
    remote: list[str],
    target: str,
    row: int,
    values: tuple[Any, ...],
) -> ReportError:
    shown = ", ".join(show(v) for v in values)
    expected = f"a value of {', '.join(remote)} in {target}"
    field = ", ".join(local)
    return ReportError(
        type="foreign-key",
        message=f'{locate(ctx.path, row, field)}: expected {expected}, found "{shown}"',
        resource=ctx.name,
        path=ctx.path,
        row=row,
        field=field,
        expected=expected,
        found=shown,
        field_number=ctx.field_number(local[0]),
        note=(
            f'for "{field}": values "{shown}" not found in the lookup table '
            f'"{target}" as "{", ".join(remote)}"'
        ),
        cells=ctx.cells(row),
        extra={
            "fieldNames": local,
            "fieldValues": [show(v) for v in values],
            "referenceName": target,
            "referenceFieldNames": remote,
        },
    )
