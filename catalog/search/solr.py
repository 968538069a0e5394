"""The subset of Solr's query language that CKAN clients send, compiled to SQL.

`parse_query` (`catalog.search.lucene`) reads the Lucene syntax CKAN passes to Solr in `q` (when it
holds a `:`) and in `fq`: `field:value`, `field:"a phrase"`, `field:(a OR b)`, `+`/`-`/`!`/`NOT`,
`AND`/`OR`/`&&`/`||`, parentheses, `*:*`, `field:*`, wildcards, ranges `[a TO b]`/`{a TO b}`
with `*` and date math (`NOW-1DAY`, `catalog.search.dates`), `^boost` (ignored) and backslash
escapes. `compile_query` turns the parsed query into a SQL predicate over columns the caller
names in a field registry; the values travel as parameters, never inside the SQL.

`dismax` reads a plain `q` the way CKAN's dismax configuration does (`mm=2<-1 5<80%`).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from catalog.errors import SearchSyntaxError
from catalog.search.dates import parse_date
from catalog.search.lucene import (
    MAX_TERMS,
    Boolean,
    Clause,
    MatchAll,
    Node,
    Occur,
    Range,
    Term,
    count_terms,
    parse_query,
)

__all__ = [
    "MAX_TERMS",
    "Boolean",
    "Clause",
    "Compiled",
    "Dismax",
    "Field",
    "Kind",
    "MatchAll",
    "Node",
    "Occur",
    "Range",
    "Term",
    "compile_query",
    "count_terms",
    "dismax",
    "field_names",
    "parse_date",
    "parse_query",
]

# --- plain queries (dismax) -------------------------------------------------------------

TOKEN = re.compile(r'([+-]?)(?:"([^"]*)"|(\S+))')


@dataclass(frozen=True)
class Dismax:
    required: tuple[str, ...]
    optional: tuple[str, ...]
    prohibited: tuple[str, ...]

    @property
    def minimum_match(self) -> int:
        """How many optional terms must match: CKAN's `mm=2<-1 5<80%`."""
        count = len(self.optional)
        if count <= 2:
            return count
        if count <= 5:
            return count - 1
        return count * 80 // 100


def dismax(text: str) -> Dismax:
    """The words of a plain `q`, lowercased; `"…"` keeps a phrase together."""
    required: list[str] = []
    optional: list[str] = []
    prohibited: list[str] = []
    if len(text.split()) > MAX_TERMS:
        raise SearchSyntaxError(
            f"{len(text.split())} words in q; a search takes at most {MAX_TERMS}"
        )
    for sign, phrase, word in TOKEN.findall(text):
        value = (phrase or word).strip().lower()
        if not value:
            continue
        {"+": required, "-": prohibited}.get(sign, optional).append(value)
    return Dismax(tuple(required), tuple(optional), tuple(prohibited))


class Kind(enum.Enum):
    STRING = "string"  # exact, case-sensitive (Solr `string`)
    STRINGS = "strings"  # a list of exact strings (multi-valued `string`)
    TEXT = "text"  # lowercased text matched by substring (Solr `text`, no segmentation needed)
    DATE = "date"  # TIMESTAMP, values in ISO 8601 UTC with optional date math
    INT = "int"


@dataclass(frozen=True)
class Field:
    """A Solr field as a SQL expression over the caller's columns."""

    expr: str
    kind: Kind


@dataclass(frozen=True)
class Compiled:
    """A SQL predicate and its parameters, in the order of its `?`s."""

    sql: str
    params: list[Any]


def compile_query(node: Node, fields: Mapping[str, Field]) -> Compiled:
    """A SQL predicate true exactly for the documents `node` matches."""
    params: list[Any] = []
    sql = _compile(node, fields, params)
    return Compiled(sql, params)


def _compile(node: Node, fields: Mapping[str, Field], params: list[Any]) -> str:
    if isinstance(node, MatchAll):
        return "true"
    if isinstance(node, Boolean):
        return _compile_boolean(node, fields, params)
    field = fields.get(node.field)
    if field is None:
        # CKAN's schema ends with a catch-all dynamic `*` string field: any other name is
        # valid and, holding nothing here, matches nothing.
        return "false"
    if isinstance(node, Range):
        return _compile_range(node, field, params)
    return _compile_term(node, field, params)


def _compile_boolean(node: Boolean, fields: Mapping[str, Field], params: list[Any]) -> str:
    by_occur: dict[Occur, list[tuple[str, list[Any]]]] = {occur: [] for occur in Occur}
    for clause in node.clauses:
        own: list[Any] = []
        by_occur[clause.occur].append((_compile(clause.query, fields, own), own))
    chosen = list(by_occur[Occur.MUST])
    shoulds = by_occur[Occur.SHOULD]
    if not chosen and shoulds:
        chosen.append(("(" + " OR ".join(sql for sql, _ in shoulds) + ")", _flat(shoulds)))
    chosen.extend((f"NOT ({sql})", own) for sql, own in by_occur[Occur.MUST_NOT])
    if not chosen:
        return "false"  # an empty group matches nothing, as in Lucene
    params.extend(_flat(chosen))
    return "(" + " AND ".join(sql for sql, _ in chosen) + ")"


def _flat(parts: list[tuple[str, list[Any]]]) -> list[Any]:
    return [param for _, own in parts for param in own]


def _compile_term(term: Term, field: Field, params: list[Any]) -> str:
    if term.text == "*" and not term.phrase:
        return _exists(field)
    kind = field.kind
    if kind is Kind.TEXT:
        params.append(term.text.replace("*", "").replace("?", "").lower())
        return f"contains({field.expr}, ?)"
    if term.wildcard:
        params.append(_glob(term.text))
        if kind is Kind.STRINGS:
            return f"len(list_filter({field.expr}, lambda x: x GLOB ?)) > 0"
        return f"({field.expr})::VARCHAR GLOB ?"
    if kind is Kind.STRINGS:
        params.append(term.text)
        return f"list_contains({field.expr}, ?)"
    params.append(_typed(term.text, kind))
    return f"{field.expr} = ?"


def _compile_range(node: Range, field: Field, params: list[Any]) -> str:
    conditions = []
    for bound, inclusive, op in (
        (node.low, node.include_low, ">"),
        (node.high, node.include_high, "<"),
    ):
        if bound is None:
            continue
        value = bound.lower() if field.kind is Kind.TEXT else _typed(bound, field.kind)
        params.append(value)
        conditions.append(f"x {op}{'=' if inclusive else ''} ?")
    test = " AND ".join(conditions) or "x IS NOT NULL"
    if field.kind is Kind.STRINGS:
        return f"len(list_filter({field.expr}, lambda x: {test})) > 0"
    return "(" + test.replace("x ", f"({field.expr}) ") + ")"


def _exists(field: Field) -> str:
    if field.kind is Kind.STRINGS:
        return f"len({field.expr}) > 0"
    if field.kind in (Kind.STRING, Kind.TEXT):
        return f"coalesce({field.expr}, '') <> ''"
    return f"{field.expr} IS NOT NULL"


def _glob(text: str) -> str:
    return text.replace("[", "[[]")


def _typed(text: str, kind: Kind) -> Any:
    if kind is Kind.DATE:
        return parse_date(text)
    if kind is Kind.INT:
        try:
            return int(text)
        except ValueError:
            raise SearchSyntaxError(f"Invalid Number: {text}") from None
    return text


def field_names(node: Node) -> set[str]:
    """Every field a query names (its terms' and ranges' fields)."""
    if isinstance(node, Boolean):
        return {name for clause in node.clauses for name in field_names(clause.query)}
    if isinstance(node, MatchAll):
        return set()
    return {node.field}
