"""CKAN 2.12's DataStore `filters` (ckanext/datastore/filters.py) as SQL conditions.

`{"f": v}` is equality, `{"f": [a, b]}` one of, `{"f": {"gt"|"gte"|"lt"|"lte"|"eq"|"in": v}}`
ranges, `{"$or": [...]}` and `{"$and": [...]}` nest, and a list of dicts means OR. Values are
parsed by their column's Table Schema type and bound as parameters. An unknown field is a
`Validation Error` `filters: ["Unknown field: f"]`; a list or object where a value belongs
(`{"f": [[0], [1]]}`, `{"f": {"eq": [1]}}`) is refused naming the field; past 100
operations or 10 levels of nesting the filters are refused, as CKAN refuses them. CKAN
counts a list of values (`IN`) as one operation whatever its length; here one field takes
at most `MAX_FIELD_VALUES` values and all the filters `MAX_FILTER_VALUES`, refused (409,
naming the field) before any is parsed: each value is a bound parameter DuckDB plans one
by one (10,000 cost ~0.2 s a query).

`plain_filters` gives the same filters as the page engine's `Filter`s (`catalog.sql`) when
they are plain comparisons of fields, all of which must hold: then a search is read as
`/rows` reads a page (`catalog.ckan.datastore.plans`).
"""

from __future__ import annotations

from typing import Any

from catalog.ckan.datastore.tables import ID, ID_SQL
from catalog.errors import InvalidFields, InvalidParameter
from catalog.sql import ROW_NUMBER, Column, Filter, parse_value

MAX_FILTER_OPS = 100  # ckanext/datastore/filters.py MAX_FILTER_OPS_NUM
MAX_FILTER_DEPTH = 10
MAX_FIELD_VALUES = 1_000  # values one field is compared with (`IN`), over all its filters
MAX_FILTER_VALUES = 5_000  # values all the filters compare with
RANGE_OPERATORS = {"eq": "=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
# One dict of the client's filters: field or `$or`/`$and` → any JSON value, checked only as
# it is compiled (a fault is reported, not assumed away by a type).
FilterGroup = dict[str, Any]


def filters_sql(filters: Any, columns: dict[str, Column]) -> tuple[list[str], list[Any]]:
    """CKAN filters as SQL conditions (none or one) and their parameters."""
    if not filters:
        return [], []
    if not isinstance(filters, dict | list) or (
        isinstance(filters, list) and not all(isinstance(item, dict) for item in filters)
    ):
        raise InvalidFields({"filters": ["Filters must be defined as a dict or a list of dicts"]})
    _check_values(filters)
    compiler = _Compiler(columns)
    sql = compiler.top(filters)
    if compiler.errors:
        raise InvalidFields({"filters": compiler.errors})
    return [sql], compiler.params


def plain_filters(filters: Any, columns: dict[str, Column]) -> list[Filter] | None:
    """Filters `filters_sql` has accepted, as `Filter`s that must all hold: a dict of field
    → value, list of values, or range operations. None for any other filters (`$or`,
    `$and`, a list of dicts, a range inside a list, a null), which only SQL expresses."""
    if not filters:
        return []
    if not isinstance(filters, dict):
        return None
    found: list[Filter] = []
    for key, value in filters.items():
        column = columns.get(key)
        if key.startswith("$") or column is None:
            return None
        ranges = (
            value if isinstance(value, dict) else {"in" if isinstance(value, list) else "eq": value}
        )
        for operator, operand in ranges.items():
            plain = _plain(column, operator, operand)
            if plain is None:
                return None
            found.append(plain)
    return found


def _plain(column: Column, operator: str, operand: Any) -> Filter | None:
    """One comparison as a `Filter`; `_id` (the row number plus one) as the row number."""
    items = operand if isinstance(operand, list) else [operand]
    if operator not in (*RANGE_OPERATORS, "in") or not items:
        return None
    if operator != "in" and isinstance(operand, list):
        return None
    if any(item is None or isinstance(item, dict | list) for item in items):
        return None
    values = [_typed(column, item) for item in items]
    if column is ID:
        return Filter(ROW_NUMBER, operator, tuple(value - 1 for value in values))
    return Filter(column, operator, tuple(values))


class _Compiler:
    """One filters argument on its way to SQL: the parameters bound and the faults found
    so far (all of them are reported at once), and the operations counted."""

    def __init__(self, columns: dict[str, Column]) -> None:
        self.columns = columns
        self.params: list[Any] = []
        self.errors: list[str] = []
        self._operations = 0

    def top(self, filters: FilterGroup | list[FilterGroup]) -> str:
        """The whole argument: a list of dicts means any of them."""
        if isinstance(filters, list):
            return self.any_of(filters, 0)
        return self.all_of(filters, 0)

    def all_of(self, item: FilterGroup, depth: int) -> str:
        if depth >= MAX_FILTER_DEPTH:
            raise InvalidFields(
                {"filters": ["Maximum nesting depth for filter operations reached"]}
            )
        parts = []
        for key, value in item.items():
            if key.startswith("$") and not key.startswith("$$"):
                part = self._operation(key, value, depth)
                if part is not None:
                    parts.append(part)
            else:
                parts.append(self._field(key.removeprefix("$"), value))
        return "(" + " AND ".join(parts) + ")" if parts else "true"

    def any_of(self, items: list[FilterGroup], depth: int) -> str:
        parts = [self.all_of(item, depth + 1) for item in items]
        return "(" + " OR ".join(parts) + ")" if parts else "false"

    def _operation(self, key: str, value: Any, depth: int) -> str | None:
        if key not in ("$or", "$and"):
            self.errors.append(f"Unknown operators (must be one of $or, $and): {key}")
            return None
        if not (isinstance(value, list) and all(isinstance(v, dict) for v in value)):
            self.errors.append(f"Filter operations must be defined as a list of dicts: {value}")
            return None
        self._count()
        if key == "$or":
            return self.any_of(value, depth + 1)
        joined = [self.all_of(v, depth + 1) for v in value]
        return "(" + " AND ".join(joined) + ")" if joined else "true"

    def _field(self, name: str, value: Any) -> str:
        self._count()
        column = self.columns.get(name)
        if column is None:
            self.errors.append(f"Unknown field: {name}")
            return "true"
        if isinstance(value, dict):
            parts = [self._range(name, column, op, operand) for op, operand in value.items()]
            return "(" + " AND ".join(parts) + ")" if parts else "true"
        if isinstance(value, list):
            ranges = [v for v in value if isinstance(v, dict)]
            plain = [v for v in value if not isinstance(v, dict)]
            parts = [self._field(name, r) for r in ranges]
            if plain or not ranges:
                parts.append(self._in(column, plain))
            return "(" + " OR ".join(parts) + ")"
        self.params.append(_typed(column, value))
        return f"{_sql(column)} = ?"

    def _range(self, name: str, column: Column, operator: str, operand: Any) -> str:
        if operator == "in":
            return self._in(column, operand)
        if operator in RANGE_OPERATORS:
            self.params.append(_typed(column, operand))
            return f"{_sql(column)} {RANGE_OPERATORS[operator]} ?"
        raise InvalidFields({"filters": [f"Unknown filter operation: {operator!r} on {name!r}"]})

    def _in(self, column: Column, values: Any) -> str:
        items = values if isinstance(values, list) else [values]
        if not items:
            return "false"
        self.params.extend(_typed(column, item) for item in items)
        return f"{_sql(column)} IN ({', '.join('?' for _ in items)})"

    def _count(self) -> None:
        self._operations += 1
        if self._operations > MAX_FILTER_OPS:
            raise InvalidFields({"filters": ["Maximum number of filter operations exceeded"]})


def _check_values(filters: FilterGroup | list[FilterGroup]) -> None:
    """Refuse filters whose lists of values (IN) are too long, for one field or in all:
    counted over the whole argument before any value is parsed."""
    counts: dict[str, int] = {}
    pending: list[Any] = [filters]
    while pending:  # iterative: the argument nests as deep as the client made it
        item = pending.pop()
        for group in item if isinstance(item, list) else [item]:
            for key, value in group.items() if isinstance(group, dict) else ():
                if key.startswith("$") and not key.startswith("$$"):
                    pending.append(value)
                else:
                    name = key.removeprefix("$")
                    counts[name] = counts.get(name, 0) + _values_in(value)
                    _refuse_values(name, counts)


def _values_in(value: Any) -> int:
    """The values one field's filter compares with as a list (a plain list, or `in`)."""
    ranges = [value] if isinstance(value, dict) else []
    count = 0
    if isinstance(value, list):
        ranges = [item for item in value if isinstance(item, dict)]
        count = len(value) - len(ranges)
    for operation in ranges:
        operand = operation.get("in")
        count += len(operand) if isinstance(operand, list) else 0
    return count


def _refuse_values(name: str, counts: dict[str, int]) -> None:
    if counts[name] > MAX_FIELD_VALUES:
        raise InvalidFields(
            {"filters": [f'{counts[name]:,} values for "{name}"; a field takes at most '
                         f"{MAX_FIELD_VALUES:,}"]}
        )  # fmt: skip
    total = sum(counts.values())
    if total > MAX_FILTER_VALUES:
        raise InvalidFields(
            {"filters": [f"{total:,} values in all; the filters take at most "
                         f"{MAX_FILTER_VALUES:,}"]}
        )  # fmt: skip


def _sql(column: Column) -> str:
    """A column in a condition; `_id` is computed from the row number, so it is spelled out."""
    return ID_SQL if column is ID else column.sql


def _typed(column: Column, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, dict | list):
        # CKAN hands it to PostgreSQL as an array (refused, 409), or compares its text: one
        # more level of lists means nothing a filter can say, so it is refused by name.
        kind = "a list" if isinstance(value, list) else "an object"
        raise InvalidFields(
            {"filters": [f'"{column.name}": {kind} is not a value; give a string, number, '
                         "boolean or null, or a list of them for any of them"]}
        )  # fmt: skip
    text = ("true" if value else "false") if isinstance(value, bool) else str(value)
    try:
        return parse_value(column, text, "filters")
    except InvalidParameter as exc:
        raise InvalidFields({"filters": [str(exc).removeprefix("filters: ")]}) from None
