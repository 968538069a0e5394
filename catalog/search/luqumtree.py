"""Reads luqum's parse tree of a Lucene query into the clauses of `catalog.search.lucene`.

Apart from the clause model so that luqum, imported here, loads with the first query read
(`lucene.parse_query`), not with every server.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from luqum import tree
from luqum.exceptions import ParseError
from luqum.thread import parse as luqum_parse

from catalog.search.lucene import (
    MAX_DEPTH,
    Boolean,
    Clause,
    MatchAll,
    Node,
    Occur,
    Range,
    Term,
)


def read_tree(text: str, default_field: str) -> Boolean:
    """`text` (Solr's spellings already rewritten) as clauses; ValueError if it does not parse
    or holds what Lucene would refuse."""
    try:
        parsed = luqum_parse(text)
    except ParseError as exc:
        raise ValueError(str(exc)) from None
    return _Reader(default_field).level(parsed, 0)


class _Reader:
    """Reads luqum's tree, level by level, into Lucene's clauses."""

    def __init__(self, default_field: str) -> None:
        self.default_field = default_field

    def level(self, item: Any, depth: int, field: str | None = None) -> Boolean:
        """One parenthesised level: its operands in written order, combined as Lucene does."""
        if depth > MAX_DEPTH:
            raise ValueError(f"parentheses nested deeper than {MAX_DEPTH}")
        clauses: list[Clause] = []
        for conj, operand in _operands(item, None):
            modifier, inner = _modifier(operand)
            node = self.node(inner, depth, field or self.default_field)
            _add_clause(clauses, conj, modifier, node)
        return Boolean(tuple(clauses))

    def node(self, item: Any, depth: int, field: str) -> Node:
        if isinstance(item, tree.Boost):
            return self.node(item.expr, depth, field)
        if isinstance(item, tree.BaseApprox):  # fuzzy and proximity: matched exactly
            return self.node(item.term, depth, field)
        if isinstance(item, tree.BaseGroup):
            return self.level(item.expr, depth + 1, field)
        if isinstance(item, tree.SearchField):
            return self.field_value(item, depth)
        if isinstance(item, tree.Range):
            return _range(item, field)
        if isinstance(item, tree.Phrase):
            return Term(field, _unescape(item.value[1:-1]), phrase=True)
        if isinstance(item, tree.Word):
            return _term(field, _unescape(item.value))
        raise ValueError(f"unexpected {str(item).strip()!r}")

    def field_value(self, item: tree.SearchField, depth: int) -> Node:
        value = item.expr
        inner = value.expr if isinstance(value, tree.Boost) else value
        if isinstance(inner, tree.SearchField | tree.BaseOperation | tree.UnaryOperator):
            raise ValueError(f"unexpected {str(inner).strip()!r} after {item.name!r}:")
        return self.node(value, depth, _unescape(item.name))


def _operands(item: Any, conj: str | None) -> Iterator[tuple[str | None, Any]]:
    """The operands of one level in written order, each with the operator written before it."""
    if not isinstance(item, tree.BaseOperation):
        yield conj, item
        return
    op = {tree.AndOperation: "AND", tree.OrOperation: "OR"}.get(type(item))
    for position, operand in enumerate(item.operands):
        yield from _operands(operand, conj if position == 0 else op)


def _modifier(item: Any) -> tuple[Occur | None, Any]:
    """`+`, `-` or NOT in front of an operand; Lucene takes one, as does this."""
    if not isinstance(item, tree.UnaryOperator):
        return None, item
    if isinstance(item.a, tree.UnaryOperator):
        raise ValueError(f"two modifiers before {str(item.a.a).strip()!r}")
    return (Occur.MUST if isinstance(item, tree.Plus) else Occur.MUST_NOT), item.a


def _range(item: tree.Range, field: str) -> Range:
    return Range(field, _bound(item.low), _bound(item.high), item.include_low, item.include_high)


def _bound(item: Any) -> str | None:
    """A range end: a word (`*` for open), a phrase, or a negative number read as `-` `5`."""
    sign = ""
    if isinstance(item, tree.Prohibit):
        sign, item = "-", item.a
    text = item.value[1:-1] if isinstance(item, tree.Phrase) else item.value
    bound = sign + _unescape(text)
    return None if bound == "*" else bound


def _term(field: str, word: str) -> Node:
    if field == "*" and word == "*":
        return MatchAll()
    return Term(field, word)


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text, flags=re.DOTALL)


def _add_clause(
    clauses: list[Clause], conj: str | None, modifier: Occur | None, node: Node
) -> None:
    """Lucene's `QueryParserBase.addClause` with the default operator AND."""
    if clauses and conj is not None:
        last = clauses[-1]
        if last.occur is not Occur.MUST_NOT:
            occur = Occur.MUST if conj == "AND" else Occur.SHOULD
            clauses[-1] = Clause(occur, last.query)
    if modifier is Occur.MUST_NOT:
        occur = Occur.MUST_NOT
    elif conj == "OR":
        occur = Occur.SHOULD
    else:
        occur = Occur.MUST
    clauses.append(Clause(occur, node))
