"""Aggregates of one resource: counts, sums, averages, minima and maxima, grouped or not.

The answer is a `Table`, as read-only SQL's is: rows rendered as JSON object text, typed by
their output columns (a sum of integers is an integer, an average a number).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from catalog.errors import InvalidParameter
from catalog.query.resources import ResourceFile, source_sql
from catalog.sql import (
    NUMERIC_TYPES,
    Column,
    ColumnDescription,
    Schema,
    SortKey,
    json_row_sql,
    parse_filters,
    parse_names,
    parse_sort,
    quote,
    where_sql,
)

MEASURES = ("count", "sum", "avg", "min", "max")
# Groups one aggregate returns at most, and by default: every group up to it, `truncated`
# past it. 10,000 groups of a few measures stay within a few MB of JSON.
MAX_GROUPS = 10_000


@dataclass(frozen=True)
class AggregateRequest:
    filters: Sequence[tuple[str, str]] = ()
    group_by: str | None = None
    measures: dict[str, str] = field(default_factory=dict)  # "sum" -> "a,b", "count" -> "*"
    sort: str | None = None
    limit: int = MAX_GROUPS
    version: str | None = None


@dataclass(frozen=True)
class Table:
    """A result that is not a page of a resource: aggregates and SQL."""

    fields: list[ColumnDescription]
    rows: list[str]  # one JSON object text per row
    truncated: bool
    dataset: str | None = None
    resource: str | None = None
    version: str | None = None


@dataclass(frozen=True)
class Aggregate:
    """The SQL of one aggregate request, its parameters and its output columns."""

    sql: str
    params: list[Any]
    outputs: list[Column]

    @classmethod
    def of(cls, resource: ResourceFile, request: AggregateRequest) -> Aggregate:
        schema = resource.schema
        groups = parse_names(schema, request.group_by, "group_by")
        outputs = [(c, c.sql) for c in groups] + _measures(schema, request.measures, groups)
        _check_distinct(
            ["group_by"] * len(groups) + [_asked_by(c) for c, _ in outputs[len(groups) :]],
            [c for c, _ in outputs],
        )
        result = Schema({c.name: c for c, _ in outputs}, (), ())
        keys = parse_sort(result, request.sort) or [SortKey(c) for c in groups]
        where, params = where_sql([f.sql() for f in parse_filters(schema, request.filters)])
        grouping = f" GROUP BY {', '.join(c.sql for c in groups)}" if groups else ""
        shown = [*outputs, *_decimals_of(outputs, groups)]
        inner = (
            f"SELECT {', '.join(f'{expr} AS {c.sql}' for c, expr in shown)}"
            f" FROM {source_sql()}{where}{grouping}"
        )
        order = f" ORDER BY {', '.join(k.sql() for k in keys)}" if keys else ""
        columns = [_with_decimals(c) for c, _ in outputs]
        sql = f"SELECT {json_row_sql(columns)} FROM ({inner}) AS _a{order} LIMIT ?"
        return cls(sql, [str(resource.place), *params, request.limit + 1], columns)


# A value with per-row decimals (`decimalsField`) keeps them where it is returned as is: a
# group shows the most decimals of its rows; a minimum or maximum those of the row holding
# it (of equal values, the most); a sum the most of its terms (a sum has no more).
HIDDEN = "_decimals_of_"
DECIMALS = {
    "min": "-((min(struct_pack(v := {value}, d := -{d})) FILTER ({value} IS NOT NULL)).d)",
    "max": "(max(struct_pack(v := {value}, d := {d})) FILTER ({value} IS NOT NULL)).d",
    "sum": "max({d})",
}


def _decimals_of(
    outputs: list[tuple[Column, str]], groups: list[Column]
) -> list[tuple[Column, str]]:
    """The hidden columns holding the decimals of each output with per-row decimals."""
    hidden = []
    for column, expr in outputs:
        source = column.decimals_field
        if source is None:
            continue
        # A measure's SQL is `function("name")` (see `_measure`); a group's is its name.
        function, _, argument = expr.partition("(")
        value = column.sql if column in groups else argument.removesuffix(")")
        template = DECIMALS.get("group" if column in groups else function, "max({d})")
        sql = template.format(value=value, d=quote(source))
        hidden.append((Column(HIDDEN + column.name, "integer"), sql))
    return hidden


def _with_decimals(column: Column) -> Column:
    """`column` rendered with the decimals of its hidden column."""
    if column.decimals_field is None:
        return column
    return replace(column, decimals_field=HIDDEN + column.name)


def _check_distinct(parameters: list[str], outputs: list[Column]) -> None:
    """Refuse two outputs of one name, blaming the parameter that asked for the second."""
    seen: set[str] = set()
    for parameter, column in zip(parameters, outputs, strict=True):
        if column.name in seen:
            raise InvalidParameter(parameter, f"the output {column.name!r} is asked for twice")
        seen.add(column.name)


def _asked_by(output: Column) -> str:
    """The measure parameter an output comes from: `count` for `count`, `sum` for `sum_x`."""
    return output.name.split("_", 1)[0]


def _measures(
    schema: Schema, requested: dict[str, str], groups: list[Column]
) -> list[tuple[Column, str]]:
    """(output column, SQL) of each requested aggregate; `count(*)` when none is asked."""
    found: list[tuple[Column, str]] = []
    for function in MEASURES:
        for name in [n.strip() for n in requested.get(function, "").split(",") if n.strip()]:
            found.append(_measure(schema, function, name))
    if not found and not groups:
        found.append((Column("count", "integer", nullable=False), "count(*)"))
    return found


def _measure(schema: Schema, function: str, name: str) -> tuple[Column, str]:
    if function == "count" and name == "*":
        return Column("count", "integer", nullable=False), "count(*)"
    column = schema.column(name, function)
    sql = f"{function}({column.sql})"
    output = f"{function}_{column.name}"
    if function == "count":
        return Column(output, "integer", nullable=False), sql
    if function in ("sum", "avg") and column.type not in NUMERIC_TYPES:
        raise InvalidParameter(function, f"column {name!r} is {column.type}, not a number")
    if function == "avg":
        return Column(output, "number"), sql
    decimals_field = column.decimals_field if function in DECIMALS else None
    if function == "sum":
        kind = "number" if column.type == "number" else "integer"
        return Column(output, kind, column.decimals, decimals_field=decimals_field), sql
    return Column(output, column.type, column.decimals, decimals_field=decimals_field), sql
