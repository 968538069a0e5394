"""PostgreSQL's column names carried through `*`: the parse tree rewritten so DuckDB binds them.

`catalog.sql.pgnames` names the expressions of the outermost select list. A `*` over a
subquery, a CTE, a join or a UNION brings columns named inside, where DuckDB named them by
its own rules (`count_star()`, `(1 + 1)`). Rather than expand stars ourselves (joins with
USING, `t.*`, EXCLUDE, REPLACE, COLUMNS, recursive CTEs...), the tree is rewritten and
DuckDB binds it (`DESCRIBE`, never run) in the sandbox worker:

- `tokenised`: every unnamed select item of every SELECT in the statement (but columns,
  which both engines name alike, and stars) gets an alias, a token unique to the request,
  mapped to the name PostgreSQL would give the item. A `VALUES` list's columns are named
  `column1`...`columnN`, as PostgreSQL names them (DuckDB: `col0`...). A scalar subquery
  whose first column comes from a `*` is named by its first column once its subquery is
  bound alone (`pending`).
- `probe_tree`: the statement with every `avg` and `sum` called `any_value`: a column whose
  type differs there from DuckDB's comes from one of them, and its probe type is their
  argument's type, which PostgreSQL's type follows (`pgnames.postgres_type`).
- `resolved_names`: the bound names with tokens replaced.

The walk is iterative, and bounded by the tree the sandbox already parsed and checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from catalog.sql.pgnames import TYPED_BY_ARGUMENT, Node, postgres_item_name

# The scalar subqueries named by binding them alone, at most, per query.
MOST_PENDING = 8
# Past this many nodes in its parse tree a query is not rewritten: binding it again would
# cost as much as the query's own planning (700 UNIONs: a second more), for names only.
MOST_NODES = 10_000
QUERY_NODES = ("SELECT_NODE", "SET_OPERATION_NODE", "RECURSIVE_CTE_NODE", "CTE_NODE")


@dataclass
class Tokenised:
    """A statement rewritten by `tokenised`, what its tokens stand for, and the scalar
    subqueries still to name: (item, its subquery's query node alone with the CTEs it sees)."""

    tree: Node
    names: dict[str, str]
    pending: list[tuple[Node, Node]] = field(default_factory=list)
    prefix: str = ""

    def name(self, item: Node, name: str) -> None:
        """Alias `item` by a new token standing for `name`."""
        item["alias"] = self.token(name)

    def token(self, name: str) -> str:
        """A new token standing for `name`."""
        token = f"{self.prefix}{len(self.names)}"
        self.names[token] = name
        return token


def tokenised(tree: Node, prefix: str) -> Tokenised | None:
    """`tree` (copied) with its unnamed select items aliased by tokens `prefix<n>`; None
    when it is not one statement or is too large to rewrite."""
    statements = tree.get("statements")
    copied = _copied(tree)
    if not isinstance(statements, list) or len(statements) != 1 or copied is None:
        return None
    result = Tokenised(copied, {}, prefix=prefix)
    pending: list[tuple[object, tuple[object, ...]]] = [(result.tree["statements"], ())]
    while pending:
        node, ctes = pending.pop()
        if isinstance(node, list):
            pending.extend((child, ctes) for child in node)
            continue
        if not isinstance(node, dict):
            continue
        ctes = _in_scope(node, ctes)
        if node.get("type") == "SELECT_NODE":
            _name_items(result, node, ctes)
        elif node.get("type") == "EXPRESSION_LIST" and not node.get("expected_names"):
            _name_values(result, node)
        pending.extend((child, ctes) for child in node.values() if isinstance(child, dict | list))
    result.pending.reverse()  # inner subqueries first: an outer one may select from them
    return result


def probe_tree(tree: Node) -> Node | None:
    """`tree` (copied) with every `avg(...)` and `sum(...)` called `any_value(...)`; None
    when it calls neither or is too large to rewrite."""
    probe = _copied(tree)
    pending: list[object] = [probe]
    changed = False
    while pending:
        node = pending.pop()
        if isinstance(node, list):
            pending.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        if _typed_by_argument(node):
            node["function_name"] = "any_value"
            node["qualified_name"] = {"path": ["any_value"]}
            changed = True
        pending.extend(child for child in node.values() if isinstance(child, dict | list))
    return probe if changed else None


def serialized_statement(node: Node) -> Node:
    """A query node as a whole serialized statement, for `json_deserialize_sql`."""
    return {"error": False, "statements": [{"node": node, "named_param_map": []}]}


def resolved_names(bound: list[str], duckdb_names: list[str], names: dict[str, str]) -> list[str]:
    """The PostgreSQL names of the columns DuckDB bound as `bound` (tokens and columns'
    names) and named `duckdb_names` when it ran the query (deduplicated: `x_1`)."""
    resolved = []
    for name, original in zip(bound, duckdb_names, strict=True):
        if name in names:
            resolved.append(names[name])
        elif name == original or re.fullmatch(re.escape(name) + r"_[0-9]+", original):
            resolved.append(name)
        else:  # the rewritten text lost something of the name: keep what DuckDB ran
            resolved.append(original)
    return resolved


def _copied(tree: Node) -> Node | None:
    """A copy of a JSON tree, made without recursion (a query may nest deeper than Python
    recurses); None past `MOST_NODES` nodes."""
    copied = dict(tree)
    pending: list[dict[str, Any] | list[Any]] = [copied]
    for _ in range(MOST_NODES):
        if not pending:
            return copied
        node = pending.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                node[key] = _shallow(value, pending)
        else:
            node[:] = [_shallow(value, pending) for value in node]
    return None


def _shallow(value: Any, pending: list[dict[str, Any] | list[Any]]) -> Any:
    """A copy of `value` if it is a container, queued to have its own values copied."""
    if not isinstance(value, dict | list):
        return value
    copied = dict(value) if isinstance(value, dict) else list(value)
    pending.append(copied)
    return copied


def _in_scope(node: Node, ctes: tuple[object, ...]) -> tuple[object, ...]:
    if node.get("type") not in QUERY_NODES:
        return ctes
    cte_map = node.get("cte_map")
    entries = cte_map.get("map") if isinstance(cte_map, dict) else None
    return (*ctes, *entries) if isinstance(entries, list) and entries else ctes


def _name_items(result: Tokenised, node: Node, ctes: tuple[object, ...]) -> None:
    items = node.get("select_list")
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict) or item.get("alias"):
            continue
        if item.get("class") in ("STAR", "COLUMN_REF", None):
            continue  # named alike by both engines (a star through the rewritten tree)
        query = _starred_subquery(item)
        if query is None:
            result.name(item, postgres_item_name(item))
        elif len(result.pending) < MOST_PENDING:
            alone = dict(query)
            own = (query.get("cte_map") or {}).get("map") or []
            alone["cte_map"] = {"map": [*ctes, *own]}
            result.pending.append((item, alone))


def _starred_subquery(item: Node) -> Node | None:
    """The query node of a scalar subquery whose first column comes from a `*`."""
    subquery = item.get("subquery")
    if item.get("class") != "SUBQUERY" or item.get("subquery_type") != "SCALAR":
        return None
    node = subquery.get("node") if isinstance(subquery, dict) else None
    first = node
    while isinstance(first, dict) and first.get("type") in ("SET_OPERATION_NODE",):
        children = first.get("children") or [first.get("left")]
        first = children[0] if isinstance(children, list) and children else None
    items = first.get("select_list") if isinstance(first, dict) else None
    if not isinstance(items, list) or not items or not isinstance(items[0], dict):
        return None
    return node if items[0].get("class") == "STAR" and isinstance(node, dict) else None


def _name_values(result: Tokenised, node: Node) -> None:
    rows = node.get("values")
    if isinstance(rows, list) and rows and isinstance(rows[0], list):
        width = range(1, len(rows[0]) + 1)
        node["expected_names"] = [result.token(f"column{i}") for i in width]


def _typed_by_argument(node: Node) -> bool:
    return (
        node.get("class") in ("FUNCTION", "WINDOW")
        and not node.get("is_operator")
        and str(node.get("function_name", "")).lower() in TYPED_BY_ARGUMENT
    )
