"""Rows as JSON object text, rendered by DuckDB's `to_json`, typed by their columns.

Decimals keep their digits, dates are ISO strings, NaN and infinities become null. Used by
the query engine for pages and aggregates and by the SQL sandbox workers for their results,
so it imports nothing heavier than `catalog.sql.cells`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from catalog.sql.cells import Cells, cell_sql
from catalog.sql.filters import Column


def json_row_sql(columns: Sequence[Column]) -> str:
    """The SQL rendering each row as one JSON object of `columns`, typed.

    A number with per-row decimals is its exact text, which `to_json` would reparse as a
    double (`211.50` → `211.5`): then the object is written member by member, each other
    value by `to_json` as in the object, the exact ones as they are.
    """
    if all(c.decimals_field is None for c in columns):
        members = ", ".join(f"{c.sql} := {cell_sql(c, Cells.JSON)}" for c in columns)
        return f"to_json(struct_pack({members}))"
    parts = " || ',' || ".join(_member(c) for c in columns)
    return f"CAST('{{' || {parts} || '}}' AS JSON)"


def _member(column: Column) -> str:
    key = "'" + column.name.replace("'", "''") + "'"
    cell = cell_sql(column, Cells.JSON)
    value = cell if column.decimals_field is not None else f"CAST(to_json({cell}) AS VARCHAR)"
    return f"CAST(to_json({key}) AS VARCHAR) || ':' || coalesce({value}, 'null')"


def result_column(name: str, sql_type: str) -> Column:
    """A SQL result column, typed as the Table Schema type closest to its DuckDB type."""
    upper = sql_type.upper()
    if upper in ("DOUBLE", "FLOAT", "REAL"):
        return Column(name, "number")
    decimal = re.fullmatch(r"DECIMAL\(\d+,\s*(\d+)\)", upper)
    if decimal:
        return Column(name, "number", decimals=int(decimal[1]))
    if re.fullmatch(r"TIMESTAMP(_S|_MS|_NS| WITH TIME ZONE)?", upper):
        return Column(name, "datetime")
    simple = {"DATE": "date", "BOOLEAN": "boolean", "VARCHAR": "string"}
    if upper in simple:
        return Column(name, simple[upper])
    if re.fullmatch(r"U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?", upper):
        return Column(name, "integer")
    return Column(name, "any")


# JSON nesting a value may reach in an answer or a request we parse: far past any real
# document, far below Python's recursion limit (a parser, ours or a client's, recurses).
MAX_NESTING = 64
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.S)


def nests_deeper(text: str, most: int = MAX_NESTING) -> bool:
    """Whether the JSON `text` opens more than `most` arrays or objects inside each other,
    found without parsing it (a parser that recurses would fail first)."""
    if text.count("[") + text.count("{") <= most:  # the common case, at C speed
        return False
    depth = 0
    for token in _TOKENS.finditer(text):
        mark = token[0]  # a bracket, or a whole string (whose brackets do not count)
        if mark in ("[", "{"):
            depth += 1
            if depth > most:
                return True
        elif mark in ("]", "}"):
            depth -= 1
    return False


# A string (kept whole, so its letters are never read as a token), or a number JSON has no
# form for, as DuckDB writes one inside a list, struct, map or JSON value (`[NaN]`,
# `{"a":Infinity}`, `[-nan]`, `inf`); outside strings, valid JSON has no other bare letters
# than true, false and null.
_NOT_FINITE = re.compile(r'"(?:[^"\\]|\\.)*"|-?(?:nan|inf(?:inity)?)', re.S | re.I)
_LETTERS = re.compile(r"nan|inf", re.I)


def finite_json(text: str) -> str:
    """The JSON `text` with every NaN and infinity at any depth made null, as a top-level
    one is (`catalog.sql.cells`): `JSON.parse`, jq and CKAN's clients refuse the whole
    answer for one of them."""
    if _LETTERS.search(text) is None:  # the common case, at C speed
        return text
    return _NOT_FINITE.sub(lambda m: m[0] if m[0].startswith('"') else "null", text)
