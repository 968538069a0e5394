"""Lucene's standard query syntax, as CKAN passes `q` and `fq` to Solr, read into a clause tree.

luqum (a maintained Lucene-syntax parser) reads the text; this module turns its tree into
the clauses Lucene's classic query parser builds, which is what Solr matches by. The two
differ in one way that matters: luqum gives `OR` precedence over `AND` and both over a plain
space, while Lucene has no precedence at all — it reads the clauses of one level left to
right and lets each `AND`/`OR` mark its neighbours (`QueryParserBase.addClause`, here with
CKAN's `q.op=AND`): a clause is required unless an `OR` touches it, and optional clauses stop
filtering once any clause is required, so `a OR b c` matches whatever matches `c`. Flattening
luqum's operations of one level back into their written order recovers Lucene's reading.

What luqum does not read as Solr does is rewritten before it parses (`_lucene_text`): the
`&&`, `||` and `!` spellings of AND, OR and NOT, and a `'`, `/`, `<` or `>` at the start of a
word, which Solr takes as part of the word (luqum starts a regex or an open range there).
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import InvalidOperation
from typing import Any

from luqum import tree
from luqum.exceptions import ParseError
from luqum.thread import parse as luqum_parse

from catalog.errors import SearchSyntaxError

# Parentheses deeper than this are refused: no CKAN client nests so, and each level costs
# a Python frame in the compiler.
MAX_DEPTH = 64
# Terms (words, phrases, ranges) one query may hold. Each is a condition, and a score term,
# over the index; DuckDB refuses an expression deeper than 1,000 (about 200 plain words),
# and no CKAN client sends a query of more than a handful.
MAX_TERMS = 64
# What luqum may need rewritten, matched left to right: a phrase or an escaped character
# (nothing inside them is touched), `&&`, `||`, and `!`, `'`, `/`, `<`, `>`.
_REWRITTEN = re.compile(r'"(?:[^"\\]|\\.)*"?|\\.|&&|\|\||[!\'/<>]', re.DOTALL)
# A run of prefix operators (`+-+-…tags:a`, `!!!…`) longer than a query may nest.
_PREFIX_RUN = re.compile(rf"(?:[+\-!]\s*){{{MAX_DEPTH + 1},}}")
# What may stand before an operator, and before a word.
_BEFORE_OPERATOR = frozenset(" \t\r\n\u3000(")
_BEFORE_WORD = _BEFORE_OPERATOR | frozenset(":[{+-!")


class Occur(enum.Enum):
    MUST = "+"
    SHOULD = ""
    MUST_NOT = "-"


@dataclass(frozen=True)
class Term:
    field: str
    text: str
    phrase: bool = False

    @property
    def wildcard(self) -> bool:
        return not self.phrase and ("*" in self.text or "?" in self.text)


@dataclass(frozen=True)
class Range:
    field: str
    low: str | None
    high: str | None
    include_low: bool = True
    include_high: bool = True


@dataclass(frozen=True)
class MatchAll:
    pass


@dataclass(frozen=True)
class Clause:
    occur: Occur
    query: Node


@dataclass(frozen=True)
class Boolean:
    clauses: tuple[Clause, ...]


Node = Term | Range | MatchAll | Boolean


@functools.lru_cache(maxsize=1024)
def parse_query(text: str, default_field: str = "text", *, most: int = MAX_TERMS) -> Boolean:
    """The Lucene query in `text` as a tree of clauses; SearchSyntaxError if it does not parse
    or holds more than `most` terms.

    Kept for the latest queries: harvesters page through one `fq` a hundred rows at a time,
    and the tree is immutable.
    """
    if not text.strip():
        return Boolean(())
    # Before luqum reads it: a term is a word or a range (three), with operators beside it.
    if len(text.split()) > 6 * most:
        raise SearchSyntaxError(f"More than {most} terms in one query")
    if _PREFIX_RUN.search(text):
        # Each prefix is a level of luqum's tree: thousands of them overflow its recursion.
        raise SearchSyntaxError(f"More than {MAX_DEPTH} +, - or ! in a row in {_shown(text)}")
    try:
        parsed = luqum_parse(_lucene_text(text))
        found = _Reader(default_field).level(parsed, 0)
    except RecursionError:  # a shape the bounds above did not foresee: refused, never a 500
        raise SearchSyntaxError(f"Cannot parse {_shown(text)}: nested too deeply") from None
    except (ParseError, InvalidOperation, ValueError) as exc:
        reason = str(exc).removeprefix("Syntax error in input : ").rstrip("!")
        raise SearchSyntaxError(f"Cannot parse {_shown(text)}: {reason}") from None
    count = count_terms(found)
    if count > most:
        raise SearchSyntaxError(f"{count} terms in one query; a query takes at most {most}")
    return found


def count_terms(node: Node) -> int:
    """The terms and ranges of a query, at every level."""
    if isinstance(node, Boolean):
        return sum(count_terms(clause.query) for clause in node.clauses)
    return 0 if isinstance(node, MatchAll) else 1


def _shown(text: str) -> str:
    """The query as an error repeats it: quoted, and cut when long."""
    return repr(text if len(text) <= 100 else text[:100] + "…")


def _lucene_text(text: str) -> str:
    """`text` with Solr's spellings luqum does not know rewritten; phrases left untouched."""
    return _REWRITTEN.sub(_rewrite, text)


def _rewrite(match: re.Match[str]) -> str:
    found, start, text = match.group(0), match.start(), match.string
    before = text[start - 1] if start and text[start - 2 : start - 1] != "\\" else "x"
    if found.startswith("\\"):
        return found
    if found.startswith('"'):
        # A phrase ends the word before it (luqum would read `a"b c"` as the words `a"b`, `c"`).
        return found if before in _BEFORE_WORD or not start else " " + found
    if found in ("&&", "||"):
        after = text[match.end() : match.end() + 1]
        alone = (not start or before in _BEFORE_OPERATOR) and after in ("", *_BEFORE_OPERATOR)
        return ("AND" if found == "&&" else "OR") if alone else found
    if found == "!":  # NOT, a prohibited clause as `-` is
        return "-" if not start or before in _BEFORE_OPERATOR else found
    # `'`, `/`, `<`, `>` begin a word in Solr, a quoted word, regex or open range in luqum.
    return "\\" + found if not start or before in _BEFORE_WORD else found


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
