"""Query parameters → SQL over one resource, typed by its Table Schema.

Every value the caller sends is parsed by the column's Table Schema type and bound as a
parameter; identifiers come only from the schema and are quoted. A parameter that names no
column, or holds a value the column's type cannot take, is an `InvalidParameter` naming it.

    col=v              equal            col__ne=v        not equal
    col__gt/gte/lt/lte=v   ordered      col__in=a,b,c    one of (comma-separated)
    col__contains=s    substring        col__startswith=s   prefix (string columns)
    col__isnull=true|false
    col__eq=v          equal, for a column named like a parameter of the route (`total`)
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, NotRequired, Required, TypedDict, cast

from catalog.errors import InvalidParameter

# Comparisons whose SQL is `<column> <operator> ?`.
COMPARISONS = {"eq": "=", "ne": "<>", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
OPERATORS = (*COMPARISONS, "in", "contains", "startswith", "isnull")
TEXT_TYPES = ("string", "yearmonth")
NUMERIC_TYPES = ("integer", "number", "year")
INTEGER = re.compile(r"[+-]?[0-9]+")
TRUE = ("true", "1", "yes")
FALSE = ("false", "0", "no")


def quote(identifier: str) -> str:
    """A SQL identifier, quoted: the only way a name reaches SQL text."""
    return '"' + identifier.replace('"', '""') + '"'


class ColumnDescription(TypedDict):
    """A result column as a response describes it: its name and Table Schema type, and for
    an answer of the SQL sandbox also the type DuckDB gave it (and, when asked, the name and
    type PostgreSQL would give it)."""

    name: str
    type: str
    sql_type: NotRequired[str]
    # Asked of the sandbox by CKAN's datastore_search_sql (`catalog.sql.pgnames`).
    pg_name: NotRequired[str]
    pg_type: NotRequired[str]


class ServedField(TypedDict, total=False):
    """A resource's Table Schema field as a page of its rows serves it: every property the
    descriptor gives (`catalog.store.TableField`, which admits no others) but `constraints`.
    Typed here, not taken from the model: the sandbox's workers import this package and
    must not import pydantic."""

    name: Required[str]
    type: str
    format: str
    title: str
    title_en: str
    description: str
    description_en: str
    example: object
    rdfType: str
    missingValues: list[object]
    trueValues: list[str]
    falseValues: list[str]
    bareNumber: bool
    groupChar: str
    decimalChar: str
    categories: object
    categoriesOrdered: bool
    unit: str
    decimals: int


@dataclass(frozen=True)
class Column:
    name: str
    type: str = "string"
    decimals: int | None = None
    nullable: bool = True
    # The integer column holding each row's printed decimals (`decimalsField`), if any.
    decimals_field: str | None = None

    @property
    def sql(self) -> str:
        return quote(self.name)

    def describe(self) -> ColumnDescription:
        return {"name": self.name, "type": self.type}


# The Parquet row number, the keyset tie-breaker of a resource without a primary key.
ROW_NUMBER = Column("file_row_number", "integer", nullable=False)


@dataclass(frozen=True)
class Schema:
    columns: dict[str, Column]
    primary_key: tuple[str, ...]
    fields: tuple[dict[str, Any], ...]

    @classmethod
    def from_table_schema(cls, schema: Mapping[str, Any]) -> Schema:
        fields = tuple(dict(field) for field in schema.get("fields", []))
        key = schema.get("primaryKey") or []
        primary_key = (key,) if isinstance(key, str) else tuple(key)
        columns = {str(f["name"]): _column(f, str(f["name"]) in primary_key) for f in fields}
        return cls(columns, primary_key, fields)

    def column(self, name: str, parameter: str) -> Column:
        if name not in self.columns:
            known = ", ".join(self.columns)
            raise InvalidParameter(parameter, f"no column {name!r}; the columns are {known}")
        return self.columns[name]

    def describe(self, names: Iterable[str]) -> list[ServedField]:
        """The schema's own field descriptions of `names` (type, title, unit, ...)."""
        described = {str(f["name"]): f for f in self.fields}
        return [_served(described[name]) for name in names]


def _served(field: Mapping[str, Any]) -> ServedField:
    # The descriptor was checked against catalog.store's model, whose fields are those of
    # ServedField (and `constraints`), so the cast states what that check established.
    return cast(ServedField, {k: v for k, v in field.items() if k != "constraints"})


def _column(field: Mapping[str, Any], in_key: bool) -> Column:
    constraints = field.get("constraints") or {}
    decimals = field.get("decimals") if field.get("type") == "number" else None
    return Column(
        name=str(field["name"]),
        type=str(field.get("type", "string")),
        decimals=int(decimals) if decimals is not None else None,
        nullable=not (in_key or bool(constraints.get("required"))),
        decimals_field=field.get("decimalsField") if field.get("type") == "number" else None,
    )


def parse_value(column: Column, text: str, parameter: str) -> Any:
    """`text` as a value of `column`'s type, ready to bind."""
    try:
        exact = column.decimals is not None or column.decimals_field is not None
        return _decimal(text) if exact else _PARSERS.get(column.type, str)(text)
    except _OutOfRange as exc:
        raise InvalidParameter(
            parameter, f"{text!r} is out of range for column {column.name!r} ({exc})"
        ) from exc
    except ValueError as exc:
        raise InvalidParameter(
            parameter, f"{text!r} is not a valid {column.type} for column {column.name!r}"
        ) from exc


class _OutOfRange(ValueError):
    """A well-formed number no column holds: the message says which range it left."""


def _integer(text: str) -> int:
    if not INTEGER.fullmatch(text.strip()):
        raise ValueError(text)
    value = int(text)
    if not -(2**63) <= value < 2**63:  # no integer column is wider than 64 bits
        raise _OutOfRange("integers are 64-bit")
    return value


def _number(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def _decimal(text: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation as exc:
        raise ValueError(text) from exc
    if not value.is_finite():
        raise ValueError(text)
    if not math.isfinite(float(value)):  # 1e400: finite as a Decimal, infinite as stored
        raise _OutOfRange("numbers are 64-bit floating point")
    return value


def _boolean(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered not in TRUE + FALSE:
        raise ValueError(text)
    return lowered in TRUE


_PARSERS: dict[str, Any] = {
    "integer": _integer,
    "year": _integer,
    "number": _number,
    "boolean": _boolean,
    "date": date.fromisoformat,
    "datetime": datetime.fromisoformat,
}


@dataclass(frozen=True)
class Filter:
    column: Column
    operator: str
    values: tuple[Any, ...]

    def sql(self) -> tuple[str, list[Any]]:
        name = self.column.sql
        if self.operator in COMPARISONS:
            return f"{name} {COMPARISONS[self.operator]} ?", list(self.values)
        if self.operator == "in":
            marks = ", ".join("?" for _ in self.values)
            return f"{name} IN ({marks})", list(self.values)
        if self.operator == "contains":
            return f"contains({name}, ?)", list(self.values)
        if self.operator == "startswith":
            return f"starts_with({name}, ?)", list(self.values)
        return f"{name} IS {'' if self.values[0] else 'NOT '}NULL", []


def parse_filter(schema: Schema, parameter: str, text: str) -> Filter:
    name, _, operator = parameter.partition("__")
    operator = operator or "eq"
    if operator not in OPERATORS:
        raise InvalidParameter(
            parameter, f"unknown operator {operator!r}; use one of {', '.join(OPERATORS)}"
        )
    column = schema.column(name, parameter)
    if operator == "isnull":
        return Filter(column, operator, (_flag(text, parameter),))
    if operator in ("contains", "startswith"):
        if column.type not in TEXT_TYPES:
            raise InvalidParameter(parameter, f"column {name!r} is {column.type}, not text")
        return Filter(column, operator, (text,))
    if operator == "in":
        items = [item for item in text.split(",") if item != ""]
        if not items:
            raise InvalidParameter(parameter, "give one or more comma-separated values")
        return Filter(column, operator, tuple(parse_value(column, v, parameter) for v in items))
    return Filter(column, operator, (parse_value(column, text, parameter),))


def _flag(text: str, parameter: str) -> bool:
    try:
        return _boolean(text)
    except ValueError as exc:
        raise InvalidParameter(parameter, f"{text!r} is not true or false") from exc


def parse_filters(schema: Schema, params: Sequence[tuple[str, str]]) -> list[Filter]:
    return [parse_filter(schema, parameter, text) for parameter, text in params]


def where_sql(conditions: Sequence[tuple[str, list[Any]]]) -> tuple[str, list[Any]]:
    """`WHERE a AND b ...` (or nothing) and its parameters, in order."""
    if not conditions:
        return "", []
    sql = " WHERE " + " AND ".join(f"({text})" for text, _ in conditions)
    return sql, [value for _, values in conditions for value in values]


@dataclass(frozen=True)
class SortKey:
    column: Column
    descending: bool = False

    def sql(self) -> str:
        # NULLS LAST in both directions: the keyset predicate in catalog.query.cursor relies on it.
        return f"{self.column.sql} {'DESC' if self.descending else 'ASC'} NULLS LAST"


def parse_sort(schema: Schema, text: str | None, parameter: str = "sort") -> list[SortKey]:
    keys: list[SortKey] = []
    for item in _names(text):
        descending = item.startswith("-")
        column = schema.column(item.lstrip("-"), parameter)
        if any(key.column.name == column.name for key in keys):
            raise InvalidParameter(parameter, f"column {column.name!r} is named twice")
        keys.append(SortKey(column, descending))
    return keys


def parse_names(schema: Schema, text: str | None, parameter: str) -> list[Column]:
    """Comma-separated column names, each known, none twice."""
    names = _names(text)
    if len(set(names)) != len(names):
        raise InvalidParameter(parameter, "a column is named twice")
    return [schema.column(name, parameter) for name in names]


def _names(text: str | None) -> list[str]:
    return [item.strip() for item in (text or "").split(",") if item.strip()]
