"""DataStore full-text search as CKAN's PostgreSQL `english` config answers it: stems,
tsquery syntax with `plain=false`, and the `language` argument."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from catalog.ckan.datastore.stemming import stem

SEARCH = "/api/3/action/datastore_search"

# Words and their stems from the Snowball English vocabulary (snowballstem.org).
STEMS = {
    "wages": "wage", "wage": "wage", "pensions": "pension", "running": "run",
    "generously": "generous", "consigned": "consign", "consignment": "consign",
    "knightly": "knight", "caresses": "caress", "ponies": "poni", "ties": "tie",
    "hopping": "hop", "filing": "file", "relational": "relat", "sensibiliti": "sensibl",
    "triplicate": "triplic", "adjustment": "adjust", "skies": "sky", "news": "news",
    "insurance": "insur", "employed": "employ", "generate": "generat", "controll": "control",
}  # fmt: skip


def test_stem_is_snowball_english() -> None:
    assert {word: stem(word) for word in STEMS} == STEMS


@pytest.fixture(scope="module")
def bulletin(real_server: str) -> Iterator[tuple[httpx.Client, str, list[str]]]:
    """A client, the bulletin's observations table and each row's text, lowercased."""
    with httpx.Client(base_url=real_server, timeout=60) as client:
        yield client, *_table(client)


def _table(client: httpx.Client) -> tuple[str, list[str]]:
    shown = client.get("/api/3/action/package_show", params={"id": "national-hrss-bulletin"})
    table = shown.json()["result"]["resources"][0]["id"]
    rows = client.get(SEARCH, params={"resource_id": table, "limit": 32000}).json()["result"]
    texts = [
        " ".join("" if v is None else str(v) for k, v in row.items() if k != "_id").lower()
        for row in rows["records"]
    ]
    return table, texts


def total(client: httpx.Client, table: str, **params: Any) -> Any:
    answer = client.get(SEARCH, params={"resource_id": table, "limit": 0, **params}).json()
    return answer["result"]["total"] if answer["success"] else answer["error"]


def test_english_stems_the_query_word(bulletin: tuple[httpx.Client, str, list[str]]) -> None:
    client, table, texts = bulletin
    with_wage = sum("wage" in text for text in texts)
    assert with_wage > sum("wages" in text for text in texts)
    assert total(client, table, q="wages") == with_wage
    assert total(client, table, q="wages", language="english") == with_wage
    assert total(client, table, q="wages", language="simple") == sum("wages" in t for t in texts)


def test_tsquery_operators_with_plain_false(bulletin: tuple[httpx.Client, str, list[str]]) -> None:
    client, table, texts = bulletin
    expected = sum(
        ("wage" in t or "pension" in t) and "averag" not in t for t in texts
    )  # `average` stems to `averag`
    query = "(wages | pensions) & !average"
    assert total(client, table, q=query, plain="false") == expected
    assert 0 < expected < len(texts)
    prefix = sum("pensio" in t and "fund" in t for t in texts)
    assert total(client, table, q="pensio:* & funds", plain="false") == prefix > 0
    # A prefix is stemmed too, as PostgreSQL's `english` does: `pens:*` is `pen:*`.
    stemmed = sum("pen" in t for t in texts)
    assert total(client, table, q="pens:*", plain="false") == stemmed > prefix
    phrase = sum("urban" in t and "employ" in t for t in texts)
    assert total(client, table, q="urban <-> employed", plain="false") == phrase > 0
    # The same text read as plain words: `|`, `!` and `(` are words there, found nowhere.
    assert total(client, table, q=query) == 0


@pytest.mark.parametrize(
    ("params", "error"),
    [
        (
            {"q": "wages &", "plain": "false"},
            {"__type": "Validation Error", "q": ['syntax error in tsquery: "wages &"']},
        ),
        (
            {"q": "(wages", "plain": "false"},
            {"__type": "Validation Error", "q": ['syntax error in tsquery: "(wages"']},
        ),
        (
            {"q": "wages", "language": "klingon"},
            {
                "__type": "Validation Error",
                "language": ['text search configuration "klingon" does not exist'],
            },
        ),
    ],
)
def test_text_search_errors_name_the_argument(
    bulletin: tuple[httpx.Client, str, list[str]], params: dict[str, str], error: Any
) -> None:
    client, table, _ = bulletin
    assert total(client, table, **params) == error
