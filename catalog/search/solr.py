"""The subset of Solr's query language that CKAN clients send, parsed and compiled to SQL.

`parse` reads the Lucene ("standard") syntax CKAN passes to Solr in `q` (when it holds a `:`)
and in `fq`: `field:value`, `field:"a phrase"`, `field:(a OR b)`, `+`/`-`/`!`/`NOT`,
`AND`/`OR`/`&&`/`||`, parentheses, `*:*`, `field:*`, trailing wildcards, ranges
`[a TO b]`/`{a TO b}` with `*` and date math (`NOW-1DAY`), `^boost` (ignored) and backslash
escapes. Clauses combine as Lucene's classic query parser combines them under `q.op=AND`
(CKAN's setting): a clause is required unless an `OR` touches it, and optional clauses stop
filtering once any clause is required — so `a OR b c` matches whatever matches `c`.

`dismax` reads a plain `q` the way CKAN's dismax configuration does (`mm=2<-1 5<80%`).
`compile_query` turns a parsed query into a SQL predicate over columns the caller names.
"""

from __future__ import annotations

import calendar
import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from catalog.errors import SearchSyntaxError

SPECIAL = set('+-!():^[]"{}~\\')
WHITESPACE = set(" \t\r\n\u3000")


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


class Parser:
    """A recursive-descent reader of one Lucene query string."""

    def __init__(self, text: str, default_field: str) -> None:
        self.text = text
        self.pos = 0
        self.default_field = default_field

    def parse(self) -> Boolean:
        query = self._query(self.default_field)
        self._skip_space()
        if self.pos < len(self.text):
            self._fail(f"unexpected {self.text[self.pos]!r}")
        return query

    def _fail(self, message: str) -> None:
        raise SearchSyntaxError(f"Cannot parse {self.text!r}: {message} at position {self.pos}")

    def _skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in WHITESPACE:
            self.pos += 1

    def _peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def _keyword(self, *words: str) -> str | None:
        """Consume one of `words` when it stands alone here (followed by space or `(`)."""
        for word in words:
            end = self.pos + len(word)
            if self.text.startswith(word, self.pos) and (
                end == len(self.text) or self.text[end] in WHITESPACE or self.text[end] == "("
            ):
                self.pos = end
                return word
        return None

    def _query(self, field: str) -> Boolean:
        clauses: list[Clause] = []
        while True:
            self._skip_space()
            if not self._peek() or self._peek() == ")":
                return Boolean(tuple(clauses))
            conj = self._keyword("AND", "&&", "OR", "||")
            self._skip_space()
            negated = self._keyword("NOT") is not None
            modifier = Occur.MUST_NOT if negated else None
            if modifier is None and self._peek() in ("+", "-", "!"):
                modifier = Occur.MUST if self._peek() == "+" else Occur.MUST_NOT
                self.pos += 1
            node = self._clause(field)
            _add_clause(clauses, conj, modifier, node)

    def _clause(self, field: str) -> Node:
        self._skip_space()
        if self._peek() in ("(", '"', "[", "{"):
            return self._boosted(self._value(field))
        word = self._term_text()
        if word is None:
            self._fail("expected a term")
            raise AssertionError  # _fail always raises
        if self._peek() == ":":
            self.pos += 1
            return self._boosted(self._value(word))
        return self._boosted(_term(field, word))

    def _value(self, field: str) -> Node:
        char = self._peek()
        if char == "(":
            self.pos += 1
            inner = self._query(field)
            if self._peek() != ")":
                self._fail("missing ')'")
            self.pos += 1
            return inner
        if char == '"':
            return Term(field, self._quoted(), phrase=True)
        if char in ("[", "{"):
            return self._range(field)
        word = self._term_text()
        if word is None:
            self._fail("expected a value")
            raise AssertionError  # _fail always raises
        return _term(field, word)

    def _boosted(self, node: Node) -> Node:
        if self._peek() in ("^", "~"):
            self.pos += 1
            while self._peek() and (self._peek().isdigit() or self._peek() == "."):
                self.pos += 1
        return node

    def _term_text(self) -> str | None:
        chars: list[str] = []
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char == "\\" and self.pos + 1 < len(self.text):
                chars.append(self.text[self.pos + 1])
                self.pos += 2
                continue
            if char in WHITESPACE or (char in SPECIAL and not (chars and char in "+-!")):
                break
            chars.append(char)
            self.pos += 1
        return "".join(chars) if chars else None

    def _quoted(self) -> str:
        self.pos += 1
        chars: list[str] = []
        while self.pos < len(self.text) and self.text[self.pos] != '"':
            if self.text[self.pos] == "\\" and self.pos + 1 < len(self.text):
                self.pos += 1
            chars.append(self.text[self.pos])
            self.pos += 1
        if self.pos >= len(self.text):
            self._fail("unterminated phrase")
        self.pos += 1
        return "".join(chars)

    def _range(self, field: str) -> Range:
        include_low = self.text[self.pos] == "["
        self.pos += 1
        low = self._range_part()
        self._skip_space()
        if self._keyword("TO") is None:
            self._fail("expected 'TO' in a range")
        high = self._range_part()
        self._skip_space()
        if self._peek() not in ("]", "}"):
            self._fail("expected ']' or '}' closing a range")
        include_high = self._peek() == "]"
        self.pos += 1
        return Range(field, low, high, include_low, include_high)

    def _range_part(self) -> str | None:
        self._skip_space()
        if self._peek() == '"':
            return self._quoted()
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] not in WHITESPACE | {"]", "}"}:
            self.pos += 1
        part = self.text[start : self.pos].replace("\\", "")
        if not part:
            self._fail("empty range bound")
        return None if part == "*" else part


def _term(field: str, word: str) -> Node:
    if field == "*" and word == "*":
        return MatchAll()
    return Term(field, word)


def _add_clause(
    clauses: list[Clause], conj: str | None, modifier: Occur | None, node: Node
) -> None:
    """Lucene's `QueryParserBase.addClause` with the default operator AND."""
    if clauses and conj is not None:
        last = clauses[-1]
        if last.occur is not Occur.MUST_NOT:
            occur = Occur.MUST if conj in ("AND", "&&") else Occur.SHOULD
            clauses[-1] = Clause(occur, last.query)
    if modifier is Occur.MUST_NOT:
        occur = Occur.MUST_NOT
    elif conj in ("OR", "||"):
        occur = Occur.SHOULD
    else:
        occur = Occur.MUST
    clauses.append(Clause(occur, node))


def parse(text: str, default_field: str = "text") -> Boolean:
    """The Lucene query in `text` as a tree of clauses."""
    return Parser(text, default_field).parse()


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
    for sign, phrase, word in TOKEN.findall(text):
        value = (phrase or word).strip().lower()
        if not value:
            continue
        {"+": required, "-": prohibited}.get(sign, optional).append(value)
    return Dismax(tuple(required), tuple(optional), tuple(prohibited))


# --- compiling to SQL --------------------------------------------------------------------


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


# --- dates ---------------------------------------------------------------------------------

DATE_MATH = re.compile(r"([+-])(\d+)([A-Z]+)|/([A-Z]+)")
UNITS = {
    "YEAR": "year",
    "MONTH": "month",
    "DAY": "day",
    "DATE": "day",
    "HOUR": "hour",
    "MINUTE": "minute",
    "SECOND": "second",
    "MILLI": "millisecond",
    "MILLISECOND": "millisecond",
}


def parse_date(text: str, now: datetime | None = None) -> datetime:
    """A Solr date (`2024-05-01T09:00:00.123456Z`, `NOW`, `NOW-1DAY/DAY`) as naive UTC."""
    base, math = _split_date(text)
    if base == "NOW":
        moment = (now or datetime.now(UTC)).replace(tzinfo=None)
    else:
        try:
            moment = datetime.fromisoformat(base.removesuffix("Z"))
        except ValueError:
            raise SearchSyntaxError(f"Invalid Date String:'{text}'") from None
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC).replace(tzinfo=None)
    for sign, amount, unit, rounding in DATE_MATH.findall(math):
        name = UNITS.get((unit or rounding).rstrip("S")) or UNITS.get(unit or rounding)
        if name is None:
            raise SearchSyntaxError(f"Invalid Date Math String:'{text}'")
        moment = _round(moment, name) if rounding else _shift(moment, name, int(amount), sign)
    return moment


def _split_date(text: str) -> tuple[str, str]:
    """The moment and the date math after it; Solr wants the `Z`, we also take none."""
    if text.startswith("NOW"):
        base, math = "NOW", text[3:]
    elif "Z" in text:
        cut = text.index("Z") + 1
        base, math = text[:cut], text[cut:]
    else:
        base, math = text, ""
    if "".join(m.group(0) for m in DATE_MATH.finditer(math)) != math:
        raise SearchSyntaxError(f"Invalid Date Math String:'{text}'")
    return base, math


def _shift(moment: datetime, unit: str, amount: int, sign: str) -> datetime:
    amount = amount if sign == "+" else -amount
    if unit in ("year", "month"):
        months = moment.year * 12 + moment.month - 1 + (amount * 12 if unit == "year" else amount)
        year, month = months // 12, months % 12 + 1
        day = min(moment.day, calendar.monthrange(year, month)[1])
        return moment.replace(year=year, month=month, day=day)
    return moment + timedelta(**{unit + "s": amount})


ROUNDING = ("year", "month", "day", "hour", "minute", "second")


def _round(moment: datetime, unit: str) -> datetime:
    if unit == "millisecond":
        return moment.replace(microsecond=moment.microsecond // 1000 * 1000)
    kept = ROUNDING.index(unit) + 1
    parts = [moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second]
    floors = [1, 1, 1, 0, 0, 0]
    year, month, day, hour, minute, second = [*parts[:kept], *floors[kept:]]
    return datetime(year, month, day, hour, minute, second)
