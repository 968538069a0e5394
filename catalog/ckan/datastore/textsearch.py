"""DataStore full-text search: `q`, `plain` and `language` as CKAN's PostgreSQL backend reads
them (`plainto_tsquery` / `to_tsquery` in the `language` config, `english` by default).

A row matches a word when its text (every column, or the one column of a dict `q`) holds the
word's stem, lowercased, as a substring: Chinese needs no segmentation, and with the stem
`wages`, `wage` and `wage's` are found alike, as PostgreSQL's `english` config finds them.
Stemming is Snowball English (`catalog.ckan.datastore.stemming`) for `english`; the other
configurations PostgreSQL ships are accepted and search words as written (`simple` does so
there too). English stop words are not dropped: they are searched as any word.

- `plain` true (the default): every word of `q` must be found (`plainto_tsquery`).
- `plain` false: `q` is tsquery syntax (`to_tsquery`): words joined by `&` (and), `|` (or),
  `!` (not), parentheses, a phrase operator `<->` or `<N>` (read as and: no positions are
  kept), and a word ending `:*` (a prefix; weights after `:` are ignored). Text that does not
  parse is PostgreSQL's `syntax error in tsquery`.

A word that leaves no lexeme (only apostrophes or punctuation, or `'s`, whose `s` PostgreSQL's
English stop list drops) is left out of the query, as PostgreSQL leaves it out; a query left
with none finds nothing, as a tsquery without lexemes matches no row.

The rank is, per word found, its share of the text, as a match ranks higher the more of a
short text the words make (`ts_rank` with normalisation 32 rises the same way).

Every `q` is checked before it is parsed, in time linear in its length (`check_text`): at
most `Q_WORDS_MAX` words (all columns of a dict `q` together), `Q_MAX_CHARS` characters, and
parentheses and `!` nested at most `Q_MAX_DEPTH` deep; past them it is a Validation Error
naming `q`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from catalog.ckan.datastore.stemming import stem
from catalog.errors import InvalidFields
from catalog.sql import MAX_NESTING, Column

# The most words a `q` may hold (all columns of a dict `q` together): a search of a few
# words is what CKAN's full-text search is for.
Q_WORDS_MAX = 32
# The most characters a `q` may hold (all columns together): 32 words, even long ones, and
# their operators fit; no CKAN client sends more. Past it `q` is refused before it is read.
Q_MAX_CHARS = 4_096
# The deepest nesting of parentheses and `!` in a tsquery `q`: the bound the catalogue's
# Lucene parser and the JSON arguments take. The parser recurses once per level.
Q_MAX_DEPTH = MAX_NESTING

# The most characters the SQL of a `q` may take: each word repeats the text of every column
# four times (a condition, a rank), and DuckDB parses and binds it outside its memory limit,
# about 300 bytes per character. A wide table takes fewer words than `Q_WORDS_MAX`.
Q_SQL_MAX_CHARS = 200_000
# PostgreSQL's built-in text search configurations (`\dF`).
LANGUAGES = frozenset({
    "simple", "arabic", "armenian", "basque", "catalan", "danish", "dutch", "english",
    "finnish", "french", "german", "greek", "hindi", "hungarian", "indonesian", "irish",
    "italian", "lithuanian", "nepali", "norwegian", "portuguese", "romanian", "russian",
    "serbian", "spanish", "swedish", "tamil", "turkish", "yiddish",
})  # fmt: skip
ENGLISH_WORD = re.compile(r"[a-z']+")
SPACES = re.compile(r"\s*")
NON_SPACE = re.compile(r"\S+")
# What follows an apostrophe and PostgreSQL's English stop list drops (`'s`, `don't`).
CLITICS = frozenset({"", "s", "t"})
TSQUERY_TOKEN = re.compile(r"\s*(<->|<\d+>|[&|!()]|'(?:[^']|'')*'|[^\s&|!()<>:']+)(:[*a-dA-D]*)?")


@dataclass(frozen=True)
class TextSearch:
    """One `q` over some columns: its WHERE condition and its rank, each with parameters."""

    condition: str
    params: list[Any]
    rank: str
    rank_params: list[Any]


def text_search(
    q: Any, columns: dict[str, Column], *, plain: bool = True, language: str = "english"
) -> dict[str, TextSearch]:
    """rank column → its search, for `q` (a string, or a dict of column → string)."""
    if not q:
        return {}
    if language not in LANGUAGES:
        raise InvalidFields(
            {"language": [f'text search configuration "{language}" does not exist']}
        )
    check_text(q, plain)
    texts = [c for name, c in columns.items() if name != "_id"]
    searches = (
        {
            f"rank {name}": ([columns[name]], str(value))
            for name, value in q.items()
            if name in columns
        }
        if isinstance(q, dict)
        else {"rank": (texts, str(q))}
    )
    return {name: _search(found, text, plain, language) for name, (found, text) in searches.items()}


def check_text(q: Any, plain: bool) -> None:
    """Refuse a `q` (text, or a dict of column → text) of more than `Q_WORDS_MAX` words,
    `Q_MAX_CHARS` characters or `Q_MAX_DEPTH` levels, before anything parses it."""
    texts = [str(v) for v in q.values()] if isinstance(q, dict) else [str(q)] if q else []
    if plain:  # words first (their count is the clearer refusal), counted without a copy
        _check_words(sum(sum(1 for _ in NON_SPACE.finditer(text)) for text in texts))
    size = sum(len(text) for text in texts)
    if size > Q_MAX_CHARS:
        raise InvalidFields({"q": [f"{size:,} characters; a search takes at most {Q_MAX_CHARS:,}"]})
    if not plain:
        tokens = [tsquery_tokens(text) for text in texts]
        _check_words(sum(token.startswith("w:") for found in tokens for token in found))
        for found in tokens:
            _check_depth(found)


def _check_words(words: int) -> None:
    if words > Q_WORDS_MAX:
        raise InvalidFields({"q": [f"{words:,} words; a search takes at most {Q_WORDS_MAX}"]})


def _check_depth(tokens: list[str]) -> None:
    """Refuse parentheses and `!` nested deeper than `Q_MAX_DEPTH`: a `(` is open until its
    `)`, a `!` until its operand (a word or a parenthesis) ends."""
    open_: list[str] = []
    for token in tokens:
        if token in ("(", "!"):
            open_.append(token)
            if len(open_) > Q_MAX_DEPTH:
                raise InvalidFields({"q": [f"Nested deeper than {Q_MAX_DEPTH} levels"]})
            continue
        if token == ")":
            _close_nots(open_)
            if open_:
                open_.pop()
        if token == ")" or token.startswith("w:"):
            _close_nots(open_)


def _close_nots(open_: list[str]) -> None:
    while open_ and open_[-1] == "!":
        open_.pop()


def _search(columns: list[Column], query: str, plain: bool, language: str) -> TextSearch:
    parsed = _plain(query) if plain else _Parser(query).parse()
    tree = _lexemes(parsed, _english if language == "english" else _as_written)
    if tree is None:  # no lexeme: PostgreSQL's empty tsquery, which matches no row
        return TextSearch("false", [], "0.0", [])
    text = "lower(concat_ws(' ', " + ", ".join(f"CAST({c.sql} AS VARCHAR)" for c in columns) + "))"
    params: list[Any] = []
    condition = _sql(tree, text, params)
    positive = _positive(tree)
    _check_size(len(params), len(positive), len(text))
    rank = " + ".join(
        f"CAST((length({text}) - length(replace({text}, ?, ''))) AS DOUBLE)"
        f" / greatest(length({text}), 1)"
        for _ in positive
    )
    return TextSearch(condition, params, rank or "0.0", positive)


def _english(term: str) -> str | None:
    if not ENGLISH_WORD.fullmatch(term):
        return _as_written(term)
    pieces = term.split("'")  # PostgreSQL's parser splits a word at its apostrophes
    if not pieces[0] and all(piece in CLITICS for piece in pieces[1:]):
        return None
    return stem(term)


def _as_written(term: str) -> str | None:
    """The word as searched; None when it holds no letter or digit (the parser skips it)."""
    return term if any(char.isalnum() for char in term) else None


# A query tree: a word, or (operator, operands): ("&" | "|", [a, b, …]) or ("!", [a]).
Tree = str | tuple[str, list[Any]]


def _plain(query: str) -> Tree | None:
    words = [term.lower() for term in query.split() if term.strip()]
    return ("&", list[Any](words)) if words else None


def _lexemes(tree: Tree | None, word: Callable[[str], str | None]) -> Tree | None:
    """`tree` with each word as its lexeme; a word without one is left out, and so is an
    operator left without operands (as PostgreSQL drops stop words from a tsquery)."""
    if tree is None or isinstance(tree, str):
        return None if tree is None else word(tree)
    operator, operands = tree
    kept = [found for o in operands if (found := _lexemes(o, word)) is not None]
    if not kept:
        return None
    return kept[0] if len(kept) == 1 and operator != "!" else (operator, kept)


def _sql(tree: Tree, text: str, params: list[Any]) -> str:
    if isinstance(tree, str):
        params.append(tree)
        return f"contains({text}, ?)"
    operator, operands = tree
    if operator == "!":
        return f"NOT ({_sql(operands[0], text, params)})"
    joined = f" {'AND' if operator == '&' else 'OR'} "
    return "(" + joined.join(_sql(o, text, params) for o in operands) + ")"


def _positive(tree: Tree) -> list[str]:
    """The words a match may hold (not those under `!`): what the rank counts."""
    if isinstance(tree, str):
        return [tree]
    operator, operands = tree
    return [] if operator == "!" else [w for o in operands for w in _positive(o)]


def tsquery_tokens(query: str) -> list[str]:
    """`query`'s tokens as the parser reads them (`_kind`), in one pass over it."""
    tokens, at = [], _after_spaces(query, 0)
    while at < len(query):
        found = TSQUERY_TOKEN.match(query, at)
        if found is None:
            raise _syntax_error(query)
        tokens.append(_kind(found.group(1)))
        at = _after_spaces(query, found.end())
    return tokens


def _after_spaces(query: str, at: int) -> int:
    found = SPACES.match(query, at)
    return found.end() if found else at


def _kind(raw: str) -> str:
    """A token as the parser reads it: an operator, `<` (a phrase operator), `w:<word>`."""
    if raw in ("&", "|", "!", "(", ")"):
        return raw
    if raw.startswith("<"):
        return "<"
    if raw.startswith("'"):
        raw = raw[1:-1].replace("''", "'")
    return "w:" + raw.lower()


class _Parser:
    """`to_tsquery`'s syntax: `|` binds loosest, then `&` and the phrase operators, then `!`."""

    def __init__(self, query: str) -> None:
        self.query = query
        self.tokens = tsquery_tokens(query)
        self.at = 0

    def parse(self) -> Tree | None:
        """The query's tree; None when it holds no word."""
        if not self.tokens:
            return None
        tree = self._or()
        if self.at != len(self.tokens):
            raise self._error()
        return tree

    def _or(self) -> Tree:
        operands = [self._and()]
        while self._next() == "|":
            self.at += 1
            operands.append(self._and())
        return operands[0] if len(operands) == 1 else ("|", operands)

    def _and(self) -> Tree:
        operands = [self._not()]
        while self._next() in ("&", "<"):
            self.at += 1
            operands.append(self._not())
        return operands[0] if len(operands) == 1 else ("&", operands)

    def _not(self) -> Tree:
        if self._next() == "!":
            self.at += 1
            return ("!", [self._not()])
        if self._next() == "(":
            self.at += 1
            tree = self._or()
            if self._next() != ")":
                raise self._error()
            self.at += 1
            return tree
        token = self._next()
        if not token.startswith("w:"):
            raise self._error()
        self.at += 1
        return token[2:]

    def _next(self) -> str:
        return self.tokens[self.at] if self.at < len(self.tokens) else ""

    def _error(self) -> InvalidFields:
        return _syntax_error(self.query)


def _syntax_error(query: str) -> InvalidFields:
    return InvalidFields({"q": [f'syntax error in tsquery: "{query}"']})


def _check_size(conditions: int, ranked: int, text: int) -> None:
    """Refuse SQL of `conditions` words (one copy of the text each) and `ranked` ones (three
    copies each) over a text expression `text` long, before it is built."""
    size = conditions * (text + 40) + ranked * (3 * text + 110)
    if size > Q_SQL_MAX_CHARS:
        most = max(Q_SQL_MAX_CHARS // (4 * text + 150), 1)
        raise InvalidFields(
            {"q": [f"{conditions} words over this table's columns; it takes at most {most}"]}
        )
