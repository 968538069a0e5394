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

The rank is, per word found, its share of the text, as a match ranks higher the more of a
short text the words make (`ts_rank` with normalisation 32 rises the same way).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from catalog.ckan.datastore.stemming import stem
from catalog.errors import InvalidFields
from catalog.sql import Column

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


def _search(columns: list[Column], query: str, plain: bool, language: str) -> TextSearch:
    tree = _plain(query) if plain else _Parser(query).parse()
    if tree is None:
        return TextSearch("true", [], "0.0", [])
    word = _english if language == "english" else _as_written
    text = "lower(concat_ws(' ', " + ", ".join(f"CAST({c.sql} AS VARCHAR)" for c in columns) + "))"
    params: list[Any] = []
    condition = _sql(tree, text, word, params)
    positive = [word(term) for term in _positive(tree)]
    _check_size(len(params), len(positive), len(text))
    rank = " + ".join(
        f"CAST((length({text}) - length(replace({text}, ?, ''))) AS DOUBLE)"
        f" / greatest(length({text}), 1)"
        for _ in positive
    )
    return TextSearch(condition, params, rank or "0.0", positive)


def _english(term: str) -> str:
    return stem(term) if ENGLISH_WORD.fullmatch(term) else term


def _as_written(term: str) -> str:
    return term


# A query tree: a word, or (operator, operands): ("&" | "|", [a, b, …]) or ("!", [a]).
Tree = str | tuple[str, list[Any]]


def _plain(query: str) -> Tree | None:
    words = [term.lower() for term in query.split() if term.strip()]
    return ("&", list[Any](words)) if words else None


def _sql(tree: Tree, text: str, word: Any, params: list[Any]) -> str:
    if isinstance(tree, str):
        params.append(word(tree))
        return f"contains({text}, ?)"
    operator, operands = tree
    if operator == "!":
        return f"NOT ({_sql(operands[0], text, word, params)})"
    joined = f" {'AND' if operator == '&' else 'OR'} "
    return "(" + joined.join(_sql(o, text, word, params) for o in operands) + ")"


def _positive(tree: Tree) -> list[str]:
    """The words a match may hold (not those under `!`): what the rank counts."""
    if isinstance(tree, str):
        return [tree]
    operator, operands = tree
    return [] if operator == "!" else [w for o in operands for w in _positive(o)]


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
        self.tokens = self._tokens(query)
        self.at = 0

    def _tokens(self, query: str) -> list[str]:
        tokens, at = [], 0
        while query[at:].strip():
            found = TSQUERY_TOKEN.match(query, at)
            if found is None:
                raise self._error()
            tokens.append(_kind(found.group(1)))
            at = found.end()
        return tokens

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
        return InvalidFields({"q": [f'syntax error in tsquery: "{self.query}"']})


def _check_size(conditions: int, ranked: int, text: int) -> None:
    """Refuse SQL of `conditions` words (one copy of the text each) and `ranked` ones (three
    copies each) over a text expression `text` long, before it is built."""
    size = conditions * (text + 40) + ranked * (3 * text + 110)
    if size > Q_SQL_MAX_CHARS:
        most = max(Q_SQL_MAX_CHARS // (4 * text + 150), 1)
        raise InvalidFields(
            {"q": [f"{conditions} words over this table's columns; it takes at most {most}"]}
        )
