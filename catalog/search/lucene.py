"""Lucene's standard query syntax, as CKAN passes `q` and `fq` to Solr, read into a clause tree.

luqum (a maintained Lucene-syntax parser) reads the text; `catalog.search.luqumtree` turns its
tree into the clauses Lucene's classic query parser builds, which is what Solr matches by. The two
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
from dataclasses import dataclass
from decimal import InvalidOperation

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
    # luqum (its parser's tables, its tree's classes) loads with the first query it reads: a
    # server that has answered no CKAN search does not hold it.
    from catalog.search.luqumtree import read_tree

    try:
        found = read_tree(_lucene_text(text), default_field)
    except RecursionError:  # a shape the bounds above did not foresee: refused, never a 500
        raise SearchSyntaxError(f"Cannot parse {_shown(text)}: nested too deeply") from None
    except (InvalidOperation, ValueError) as exc:
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
