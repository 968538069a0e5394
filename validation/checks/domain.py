"""The descriptor's domain checks, each compiled to one DuckDB query over the typed views.

A check declaration is validated before it runs; a bad one (unknown type, unknown column,
SQL DuckDB refuses) becomes a ``check-error`` naming the check, never an exception.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import duckdb

from validation.checks.totals import sum_of_parts, tolerance_sql, within_parts
from validation.context import ResourceContext
from validation.errors import ReportError, cell_error, locate
from validation.schema import key_fields
from validation.sql import quote, select, shadowed, show

SEVERITIES = ("error", "warning")
# The string field a warning check appends its flag to, `;`-joined.
FLAGS_FIELD = "flags"
_FLAG = re.compile(r"^[A-Za-z0-9_.-]+$")


class CheckDeclarationError(Exception):
    """The check is declared wrongly; the message says how."""


def _unconstrained_flags(field: Mapping[str, Any], resource: str) -> None:
    """The flags a warning check writes come after the schema's constraints are checked:
    a constraint on the field (an enum, a maxLength) could not hold them, so none but
    `required` is allowed."""
    constraints = field.get("constraints")
    declared = sorted(constraints) if isinstance(constraints, Mapping) else []
    refused = [key for key in declared if key != "required"]
    if refused:
        raise CheckDeclarationError(
            f'is a warning, so it writes the "{FLAGS_FIELD}" field of {resource} after its'
            f" constraints are checked; that field may declare no constraint but required,"
            f" found {', '.join(refused)}"
        )


@dataclass
class CheckRun:
    """One declared check, with what it needs to compile and report."""

    number: int
    spec: Mapping[str, Any]
    ctx: ResourceContext
    temporal: Mapping[str, Any]
    reference_view: Callable[[str | None, str], str]
    view_name: str | None = None  # the table to check, when not the resource's own view

    @property
    def label(self) -> str:
        name = self.spec.get("name")
        kind = self.spec.get("type", "?")
        return f'check "{name}"' if name else f"check {self.number} ({kind} on {self.ctx.name})"

    @property
    def warns(self) -> bool:
        """Declared ``severity: warning``: it publishes and flags the rows it reports."""
        return self.spec.get("severity") == "warning"

    @property
    def flag(self) -> str:
        return str(self.spec.get("flag") or self.spec.get("type"))

    def check_severity(self) -> None:
        """``severity`` and ``flag`` are well declared; a warning check has a field to flag."""
        severity = self.spec.get("severity", "error")
        if severity not in SEVERITIES:
            raise CheckDeclarationError(
                f'has severity "{severity}"; expected one of {", ".join(SEVERITIES)}'
            )
        flag = self.spec.get("flag")
        if flag is not None and not (isinstance(flag, str) and _FLAG.match(flag)):
            raise CheckDeclarationError(
                f'has flag "{flag}"; a flag is one word of letters, digits, "_", "." or "-"'
            )
        if not self.warns:
            return
        number = self.ctx.field_number(FLAGS_FIELD)
        field = self.ctx.fields[number - 1] if number else {}
        if field.get("type", "any") != "string" or not number:
            raise CheckDeclarationError(
                f'is a warning, so {self.ctx.name} needs a "{FLAGS_FIELD}" field of type string '
                "for its flags"
            )
        _unconstrained_flags(field, self.ctx.name)

    @property
    def view(self) -> str:
        return self.view_name or self.ctx.name

    def base(self) -> str:
        """The resource's rows the check looks at, after its optional ``where``."""
        where = self.spec.get("where")
        source = quote(self.view)
        return f"(SELECT * FROM {source} WHERE ({where}))" if where else source

    def column(self, key: str) -> str:
        """The declared column ``spec[key]``, checked to exist."""
        name = self.spec.get(key)
        if not isinstance(name, str) or not name:
            raise CheckDeclarationError(f'needs "{key}" naming a column')
        if self.ctx.field_number(name) is None:
            raise CheckDeclarationError(
                f'"{key}" names "{name}", which is not a field of {self.ctx.name}'
            )
        return name

    def columns(self, key: str, *, required: bool = True) -> list[str]:
        names = key_fields(self.spec.get(key))
        if required and not names:
            raise CheckDeclarationError(f'needs "{key}" naming one or more columns')
        unknown = [name for name in names if self.ctx.field_number(name) is None]
        if unknown:
            raise CheckDeclarationError(
                f'"{key}" names {", ".join(unknown)}, not fields of {self.ctx.name}'
            )
        return names

    def text(self, key: str) -> str:
        value = self.spec.get(key)
        if not isinstance(value, str) or not value.strip():
            raise CheckDeclarationError(f'needs "{key}"')
        return value

    def number_param(self, key: str, default: float | None = None) -> float | None:
        value = self.spec.get(key, default)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise CheckDeclarationError(f'"{key}" must be a number')
        return None if value is None else float(value)

    def error(self, type_: str, row: int, field: str, expected: str, found: Any) -> ReportError:
        error = cell_error(
            type_,
            resource=self.ctx.name,
            path=self.ctx.path,
            row=row,
            field_name=field,
            expected=expected,
            found=show(found) if found is not None else None,
            field_number=self.ctx.field_number(field),
            note=f"{self.label}: expected {expected}",
        )
        return self.ctx.with_cells(error)


def run_check(con: duckdb.DuckDBPyConnection, run: CheckRun, room: int) -> list[ReportError]:
    """The errors one check finds, or one check-error when it cannot run."""
    kind = run.spec.get("type")
    runner = _RUNNERS.get(kind) if isinstance(kind, str) else None
    try:
        if runner is None:
            known = ", ".join(_RUNNERS)
            raise CheckDeclarationError(f'has unknown type "{kind}"; expected one of {known}')
        run.check_severity()
        return runner(con, run, max(room, 0))
    except CheckDeclarationError as exc:
        return [check_error(run.ctx.path, run.ctx.name, f"{run.label} {exc}")]
    except duckdb.Error as exc:
        first_line = str(exc).splitlines()[0]
        return [check_error(run.ctx.path, run.ctx.name, f"{run.label} cannot run: {first_line}")]


def check_error(path: str, resource: str, message: str) -> ReportError:
    return ReportError(
        type="check-error",
        message=f"{path or 'datapackage'}: {message}",
        resource=resource,
        path=path,
        note=message,
    )


def _non_negative(con: duckdb.DuckDBPyConnection, run: CheckRun, room: int) -> list[ReportError]:
    errors: list[ReportError] = []
    for name in run.columns("fields"):
        col = quote(name)
        rows = select(
            con, f"SELECT _row, {col} FROM {run.base()} WHERE {col} < 0 ORDER BY _row LIMIT {room}"
        ).fetchall()
        errors += [run.error("non-negative-error", r, name, "a value ≥ 0", v) for r, v in rows]
    return errors


def _range(con: duckdb.DuckDBPyConnection, run: CheckRun, room: int) -> list[ReportError]:
    name = run.column("field")
    low, high = run.number_param("min"), run.number_param("max")
    if low is None and high is None:
        raise CheckDeclarationError('needs "min", "max" or both')
    col = quote(name)
    tests = ([f"{col} < {low!r}"] if low is not None else []) + (
        [f"{col} > {high!r}"] if high is not None else []
    )
    rows = select(
        con,
        f"SELECT _row, {col} FROM {run.base()} WHERE {' OR '.join(tests)} "
        f"ORDER BY _row LIMIT {room}",
    ).fetchall()
    expected = _between(low, high)
    return [run.error("range-error", r, name, expected, v) for r, v in rows]


def _between(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"a value between {show(low)} and {show(high)}"
    return f"a value ≥ {show(low)}" if low is not None else f"a value ≤ {show(high)}"


def _within_temporal(con: duckdb.DuckDBPyConnection, run: CheckRun, room: int) -> list[ReportError]:
    name = run.column("field")
    start, end = _year_of(run.temporal.get("start")), _year_of(run.temporal.get("end"))
    if start is None or end is None:
        raise CheckDeclarationError('needs the package "temporal" with a start and an end year')
    col = quote(name)
    kind = run.ctx.fields[(run.ctx.field_number(name) or 1) - 1].get("type", "string")
    year = {
        "date": f"year({col})",
        "datetime": f"year({col})",
        "year": col,
        "integer": col,
    }.get(str(kind), f"TRY_CAST(substr(CAST({col} AS VARCHAR), 1, 4) AS INTEGER)")
    rows = select(
        con,
        f"SELECT _row, {col} FROM {run.base()} "
        f"WHERE {year} < {start} OR {year} > {end} ORDER BY _row LIMIT {room}",
    ).fetchall()
    expected = f"a year from {start} to {end} (the package temporal)"
    return [run.error("temporal-error", r, name, expected, v) for r, v in rows]


def _year_of(value: Any) -> int | None:
    text = str(value or "")
    return int(text[:4]) if text[:4].isdigit() else None


def _components(con: duckdb.DuckDBPyConnection, run: CheckRun, room: int) -> list[ReportError]:
    value, key = quote(run.column("value")), quote(run.column("key"))
    total = run.spec.get("total")
    parts = run.spec.get("parts")
    if total is None or not isinstance(parts, list) or not parts:
        raise CheckDeclarationError('needs "total" (an item) and "parts" (a list of items)')
    absent = _absent(con, run, key, [str(total), *map(str, parts)])
    if absent:  # a misspelt code: the check would find no parts and pass
        raise CheckDeclarationError(f"names {', '.join(absent)}, which no row has as its {key}")
    match_on = run.columns("match_on", required=False)
    items = ", ".join("?" for _ in parts)
    keys = ", ".join(quote(m) for m in match_on)
    grouped = f"GROUP BY {keys}" if match_on else ""
    select_keys = f"{keys}," if match_on else ""
    join = (
        " AND ".join(f"p.{quote(m)} IS NOT DISTINCT FROM t.{quote(m)}" for m in match_on) or "TRUE"
    )
    rows = select(
        con,
        f"""
        WITH base AS (SELECT * FROM {run.base()}),
        p AS (SELECT {select_keys} sum({value}) AS s, count(DISTINCT {key}) AS n FROM base
              WHERE CAST({key} AS VARCHAR) IN ({items}) AND {value} IS NOT NULL {grouped}),
        t AS (SELECT _row, {select_keys} {value} AS total FROM base
              WHERE CAST({key} AS VARCHAR) = ?)
        SELECT t._row, t.total, p.s FROM t JOIN p ON {join}
        WHERE p.n = {len(parts)} AND t.total IS NOT NULL
              AND abs(t.total - p.s) > {tolerance_sql(run)}
        ORDER BY t._row LIMIT {room}
        """,
        [*(str(p) for p in parts), str(total)],
    ).fetchall()
    name = str(run.spec["value"])
    expected = f"the sum of {', '.join(map(str, parts))}"
    return [run.error("components-error", r, name, f"{expected}, {show(s)}", t) for r, t, s in rows]


def _absent(con: duckdb.DuckDBPyConnection, run: CheckRun, key: str, items: list[str]) -> list[str]:
    marks, code = ", ".join("?" for _ in items), f"CAST({key} AS VARCHAR)"
    sql = f"SELECT DISTINCT {code} FROM {run.base()} WHERE {code} IN ({marks})"
    found = {row[0] for row in select(con, sql, items).fetchall()}
    return [f'"{item}"' for item in dict.fromkeys(items) if item not in found]


def _not_above(con: duckdb.DuckDBPyConnection, run: CheckRun, room: int) -> list[ReportError]:
    value = run.column("value")
    reference = run.spec.get("reference")
    if (
        not isinstance(reference, Mapping)
        or not reference.get("resource")
        or not reference.get("value")
    ):
        raise CheckDeclarationError('needs "reference" with "resource" and "value"')
    view = run.reference_view(reference.get("package"), str(reference["resource"]))
    match_on = run.spec.get("match_on") or {}
    pairs = (
        list(match_on.items())
        if isinstance(match_on, Mapping)
        else [(m, m) for m in key_fields(match_on)]
    )
    for local, _ in pairs:
        if run.ctx.field_number(local) is None:
            raise CheckDeclarationError(
                f'"match_on" names "{local}", not a field of {run.ctx.name}'
            )
    join = " AND ".join(f"t.{quote(a)} = r.{quote(b)}" for a, b in pairs) or "TRUE"
    ref_value = quote(str(reference["value"]))
    rows = select(
        con,
        f"""
        SELECT t._row, t.{quote(value)}, r.{ref_value} FROM {run.base()} t
        JOIN {quote(view)} r ON {join}
        WHERE t.{quote(value)} > r.{ref_value} ORDER BY t._row LIMIT {room}
        """,
    ).fetchall()
    target = f"{reference['resource']}.{reference['value']}"
    return [
        run.error("not-above-error", r, value, f"at most {show(limit)} ({target})", v)
        for r, v, limit in rows
    ]


def _sql(con: duckdb.DuckDBPyConnection, run: CheckRun, room: int) -> list[ReportError]:
    query = run.text("query").strip().rstrip(";")
    if run.view != run.ctx.name:  # a warning check: the rows numbered by position
        query = shadowed(query, run.ctx.name, run.view)
    message = str(run.spec.get("message") or "no row selected by the check's query")
    field = run.spec.get("field")
    probe = select(con, f"SELECT * FROM ({query}) AS q LIMIT 0")
    names = [d[0] for d in probe.description or []]
    if "_row" not in names:
        raise CheckDeclarationError("must select _row")
    rows = select(con, f"SELECT * FROM ({query}) AS q ORDER BY _row LIMIT {room}").fetchall()
    errors: list[ReportError] = []
    for values in rows:
        record = dict(zip(names, values, strict=True))
        row = int(record.pop("_row"))
        found = ", ".join(f"{k}={show(v)}" for k, v in record.items()) or "this row"
        where = locate(run.ctx.path, row, str(field) if field else None)
        errors.append(
            ReportError(
                type="sql-check-error",
                message=f"{where}: {run.label}: expected {message}, found {found}",
                resource=run.ctx.name,
                path=run.ctx.path,
                row=row,
                field=str(field) if field else None,
                expected=message,
                found=found,
                note=f"{run.label}: {message}",
                cells=run.ctx.cells(row),
            )
        )
    return errors


_RUNNERS: dict[str, Callable[[duckdb.DuckDBPyConnection, CheckRun, int], list[ReportError]]] = {
    "non_negative": _non_negative,
    "range": _range,
    "within_temporal": _within_temporal,
    "sum_of_parts": sum_of_parts,
    "within_parts": within_parts,
    "components": _components,
    "not_above": _not_above,
    "sql": _sql,
}
