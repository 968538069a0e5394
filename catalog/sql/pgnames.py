"""A SQL result's columns named and typed as PostgreSQL names and types them.

CKAN's `datastore_search_sql` runs on PostgreSQL: its `fields` carry the names PostgreSQL
gives the result's columns and the names of their types in `pg_type`. Our SQL runs on DuckDB,
which names an expression without an alias by its text (`count_star()`, `(x + 1)`, `1`) where
PostgreSQL names it by its function (`count`) or `?column?`, and types some aggregates apart
(`avg` of integers is a double in DuckDB, `numeric` in PostgreSQL). The sandbox worker
(`catalog.sandbox.worker`) reads these names from DuckDB's parse of the query
(`json_serialize_sql`), before any row is read.

- `postgres_names`: an alias stays as written; other expressions are named by the rules of
  PostgreSQL's `FigureColname` (src/backend/parser/parse_target.c): a column by its last
  name, a function call or window by the function's name, a cast by its operand or else its
  type, `CASE` by its `ELSE` or `case`, `coalesce`, `EXISTS` as `exists`, a scalar subquery
  by its own first column, anything else (constants, operators) `?column?`. Columns that
  come through a `*` are named by `catalog.sql.pgtree`, which rewrites the whole statement.
- `postgres_type`: the PostgreSQL type of a column: DuckDB's type by name, but a column that
  comes from `avg` or `sum` by their argument's type as PostgreSQL types it (the argument's
  DuckDB type is found by binding the query with those aggregates called `any_value`).
"""

from __future__ import annotations

import re
from typing import Any

UNNAMED = "?column?"
# The aggregates whose PostgreSQL result type follows their argument differently from DuckDB's.
TYPED_BY_ARGUMENT = ("avg", "sum")
# DuckDB's parse spells some calls by its own function names; PostgreSQL names them so.
FUNCTION_NAMES = {"count_star": "count", "list_value": "array", "struct_pack": "row"}
IDENTIFIER = re.compile(r"[a-z_][a-z0-9_$]*", re.IGNORECASE)
# DuckDB type (upper case, no parameters) → PostgreSQL's `pg_type.typname`.
TYPE_NAMES = {
    "BIGINT": "int8", "INTEGER": "int4", "INT": "int4", "SMALLINT": "int2", "TINYINT": "int2",
    "UTINYINT": "int2", "USMALLINT": "int4", "UINTEGER": "int8", "UBIGINT": "numeric",
    "HUGEINT": "numeric", "UHUGEINT": "numeric", "DECIMAL": "numeric", "DOUBLE": "float8",
    "FLOAT": "float4", "REAL": "float4", "BOOLEAN": "bool", "DATE": "date", "TIME": "time",
    "TIME WITH TIME ZONE": "timetz", "TIMESTAMP": "timestamp", "TIMESTAMP_S": "timestamp",
    "TIMESTAMP_MS": "timestamp", "TIMESTAMP_NS": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz", "INTERVAL": "interval", "VARCHAR": "text",
    "BLOB": "bytea", "UUID": "uuid", "JSON": "json", "BIT": "varbit",
}  # fmt: skip
COMPOSITE = ("STRUCT", "MAP", "UNION")
SMALL_INTEGERS = ("INTEGER", "SMALLINT", "TINYINT", "UTINYINT", "USMALLINT")

# A node of DuckDB's serialized parse tree: read defensively, key by key (`sandbox.rules`).
Node = dict[str, Any]


def select_list(tree: Node) -> list[Node] | None:
    """The expressions of the statement's outermost select list (of the leftmost SELECT of a
    set operation, which names its columns); None when the statement has none."""
    statements = tree.get("statements")
    if not isinstance(statements, list) or len(statements) != 1:
        return None
    node = statements[0].get("node") if isinstance(statements[0], dict) else None
    return _select_list_of(node)


def postgres_names(items: list[Node], count: int) -> list[str | None]:
    """Each of the `count` result columns' PostgreSQL name, None where the column comes from
    a `*` or the list cannot be matched to the columns (`catalog.sql.pgtree` names those
    when DuckDB can bind its rewriting of the query)."""
    stars = [i for i, item in enumerate(items) if item.get("class") == "STAR"]
    if not stars:
        names: list[str | None] = [postgres_item_name(item) for item in items]
        return names if len(names) == count else [None] * count
    head = [postgres_item_name(item) for item in items[: stars[0]]]
    tail = [postgres_item_name(item) for item in items[stars[-1] + 1 :]]
    if len(head) + len(tail) > count:
        return [None] * count
    return [*head, *[None] * (count - len(head) - len(tail)), *tail]


def postgres_type(sql_type: str, probed: str | None = None) -> str:
    """The PostgreSQL type name of a DuckDB result column of type `sql_type`; `probed` is its
    type with `avg` and `sum` called `any_value` (`pgtree.probe_tree`): where the two differ
    the column comes from one of them, typed by its argument as PostgreSQL types it."""
    upper = sql_type.strip().upper()
    if probed is not None and probed.strip().upper() != upper:
        found = _by_argument(_base(upper), _base(probed))
        if found is not None:
            return found
    if upper.endswith("[]"):
        element = probed.strip()[:-2] if probed and probed.strip().endswith("[]") else None
        return "_" + postgres_type(upper[:-2], element)
    base = _base(upper)
    if base in COMPOSITE:
        return "record"
    return TYPE_NAMES.get(base, "text")


def postgres_item_name(item: Node) -> str:
    """The name PostgreSQL gives one select item: its alias, or FigureColname's."""
    alias = item.get("alias")
    if isinstance(alias, str) and alias:
        return alias
    name, strength = _figure(item)
    return name if strength else UNNAMED


def _by_argument(base: str, argument: str) -> str | None:
    """The type of `sum` or `avg` (DuckDB's `base`) of an `argument` in PostgreSQL: sum of
    int2/int4 is int8, of int8 or numeric numeric, avg of any of them numeric (DuckDB:
    HUGEINT, DECIMAL, DOUBLE); None when no such rule applies."""
    exact = TYPE_NAMES.get(argument) in ("int2", "int4", "int8", "numeric")
    if base == "HUGEINT" and argument in SMALL_INTEGERS:
        return "int8"
    if base in ("HUGEINT", "DECIMAL", "DOUBLE") and exact:
        return "numeric"
    return None


def _base(sql_type: str) -> str:
    """A DuckDB type without its parameters: `DECIMAL(18,2)` → `DECIMAL`."""
    return sql_type.strip().upper().split("(", 1)[0].strip()


def _select_list_of(node: Any) -> list[Node] | None:
    while isinstance(node, dict) and node.get("type") == "SET_OPERATION_NODE":
        children = node.get("children") or [node.get("left")]
        node = children[0] if isinstance(children, list) and children else None
    if not isinstance(node, dict) or node.get("type") != "SELECT_NODE":
        return None
    items = node.get("select_list")
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        return None
    return items


def _figure(node: Any) -> tuple[str, int]:
    """PostgreSQL's FigureColnameInternal: a name and its strength (0 none, 1 weak, 2)."""
    if not isinstance(node, dict):
        return UNNAMED, 0
    kind, figure = node.get("class"), _FIGURES.get(str(node.get("class")))
    if figure is not None:
        return figure(node)
    if kind == "OPERATOR":
        return _operator(node)
    return UNNAMED, 0


def _column(node: Node) -> tuple[str, int]:
    names = node.get("column_names")
    return (str(names[-1]), 2) if isinstance(names, list) and names else (UNNAMED, 0)


def _function(node: Node) -> tuple[str, int]:
    name = str(node.get("function_name", ""))
    if node.get("is_operator") or not IDENTIFIER.fullmatch(name):
        return UNNAMED, 0
    return FUNCTION_NAMES.get(name.lower(), name.lower()), 2


def _cast(node: Node) -> tuple[str, int]:
    name, strength = _figure(node.get("child"))
    if strength > 1:
        return name, strength
    type_expr = node.get("type_expr")
    type_name = type_expr.get("type_name") if isinstance(type_expr, dict) else None
    if not isinstance(type_name, str):
        return name, strength
    return postgres_type(type_name), 1


def _case(node: Node) -> tuple[str, int]:
    name, strength = _figure(node.get("else_expr"))
    return (name, strength) if strength > 1 else ("case", 1)


def _subquery(node: Node) -> tuple[str, int]:
    kind = node.get("subquery_type")
    if kind == "EXISTS":
        return "exists", 2
    if kind == "ARRAY":
        return "array", 2
    subquery = node.get("subquery")
    items = _select_list_of(subquery.get("node")) if isinstance(subquery, dict) else None
    if kind != "SCALAR" or not items or items[0].get("class") == "STAR":
        return UNNAMED, 0
    name = postgres_item_name(items[0])
    return (name, 2) if name != UNNAMED else (UNNAMED, 0)


def _operator(node: Node) -> tuple[str, int]:
    kind = node.get("type")
    children = node.get("children")
    if kind == "OPERATOR_COALESCE":
        return "coalesce", 2
    if kind == "STRUCT_EXTRACT" and isinstance(children, list) and len(children) == 2:
        field = children[1].get("literal") if isinstance(children[1], dict) else None
        text = field.get("text") if isinstance(field, dict) else None
        return (str(text), 2) if text else (UNNAMED, 0)
    if kind in ("ARRAY_EXTRACT", "ARRAY_SLICE") and isinstance(children, list) and children:
        return _figure(children[0])  # a subscript is named by what it subscripts
    return UNNAMED, 0


_FIGURES = {
    "COLUMN_REF": _column,
    "FUNCTION": _function,
    "WINDOW": _function,
    "CAST": _cast,
    "COLLATE": lambda node: _figure(node.get("child")),
    "CASE": _case,
    "SUBQUERY": _subquery,
}
