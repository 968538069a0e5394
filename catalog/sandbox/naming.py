"""A sandboxed result's columns named and typed as PostgreSQL would (CKAN's datastore_search_sql).

Runs in the worker, on the cursor of the request, under its deadline, after the query ran:
the statement's parse tree is rewritten (`catalog.sql.pgtree`) and DuckDB binds the
rewriting (`DESCRIBE`, never run), so names flow through `*` over subqueries, CTEs, joins
and UNIONs as DuckDB expands them. Every rewriting is turned back into text by DuckDB and
checked again by `catalog.sandbox.rules` before it is bound: what is bound is what the
check read. Where a rewriting does not bind (a query that names a column by DuckDB's own
name for an expression), the outermost select list is named alone (`pgnames`) and what
comes through a `*` keeps DuckDB's name; naming never fails a query that ran.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Collection

import duckdb

from catalog.errors import OpenDataError
from catalog.sandbox.rules import TreeNode, parsed_statement
from catalog.sql import (
    ColumnDescription,
    postgres_names,
    postgres_type,
    probe_tree,
    resolved_names,
    select_list,
    serialized_statement,
    tokenised,
)

# What a rewriting that cannot be bound raises; an interrupt (the deadline) is not one.
UNBOUND = (duckdb.Error, OpenDataError, RecursionError, ValueError, TypeError)


def name_as_postgres(
    cursor: duckdb.DuckDBPyConnection,
    tree: TreeNode,
    views: Collection[str],
    fields: list[ColumnDescription],
) -> None:
    """Give each field of the result of `tree` the name (`pg_name`) and type (`pg_type`)
    PostgreSQL would."""
    duckdb_names = [field["name"] for field in fields]
    try:
        names = _through_stars(cursor, tree, views, duckdb_names)
        names = names or _outermost(tree, duckdb_names)
        probe = probe_tree(tree)
        probed = _bound(cursor, probe, views) if probe is not None else None
    except RecursionError:  # a select list nested deeper than Python recurses
        names, probed = duckdb_names, None
    for i, field in enumerate(fields):
        field["pg_name"] = names[i]
        argument = probed[i][1] if probed and len(probed) == len(fields) else None
        field["pg_type"] = postgres_type(field.get("sql_type", ""), argument)


def _through_stars(
    cursor: duckdb.DuckDBPyConnection,
    tree: TreeNode,
    views: Collection[str],
    duckdb_names: list[str],
) -> list[str] | None:
    """The names of the rewritten statement as DuckDB binds it; None if it does not bind."""
    rewritten = tokenised(tree, f"_pg{secrets.token_hex(4)}_")
    if rewritten is None:
        return None
    for item, alone in rewritten.pending:
        first = _bound(cursor, serialized_statement(alone), views)
        if first:  # else (a correlated subquery) DuckDB's name stays
            rewritten.name(item, rewritten.names.get(first[0][0], first[0][0]))
    bound = _bound(cursor, rewritten.tree, views)
    if bound is None or len(bound) != len(duckdb_names):
        return None
    return resolved_names([name for name, _ in bound], duckdb_names, rewritten.names)


def _outermost(tree: TreeNode, duckdb_names: list[str]) -> list[str]:
    named = postgres_names(select_list(tree) or [], len(duckdb_names))
    pairs = zip(named, duckdb_names, strict=True)
    return [mine if mine is not None else theirs for mine, theirs in pairs]


def _bound(
    cursor: duckdb.DuckDBPyConnection, tree: TreeNode, views: Collection[str]
) -> list[tuple[str, str]] | None:
    """The (name, type) of each column of the serialized statement `tree`, bound, not run;
    None when it cannot be turned into text, passes no check or does not bind."""
    try:
        found = cursor.execute("SELECT json_deserialize_sql(?)", [json.dumps(tree)]).fetchone()
        query, _ = parsed_statement(cursor, str(found[0] if found else ""), views)
        described = cursor.execute(f"DESCRIBE {query}").fetchall()
    except duckdb.InterruptException:
        raise
    except UNBOUND:
        return None
    return [(str(name), str(kind)) for name, kind, *_ in described]
