"""Odd DataStore queries answered as CKAN's PostgreSQL answers them: a `q` without lexemes
finds nothing, and `_table_metadata` sorts, deduplicates and refuses `q` instead of
ignoring them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

SEARCH = "/api/3/action/datastore_search"


async def search(client: httpx.AsyncClient, **params: Any) -> Any:
    answer = (await client.post(SEARCH, json=params)).json()
    return answer["result"] if answer["success"] else answer["error"]


@pytest.fixture(scope="module")
def bulletin(real_server: str) -> Iterator[tuple[httpx.Client, str]]:
    """A client of a real server, and the bulletin's observations table (English text)."""
    with httpx.Client(base_url=real_server, timeout=60) as http:
        shown = http.get("/api/3/action/package_show", params={"id": "national-hrss-bulletin"})
        yield http, shown.json()["result"]["resources"][0]["id"]


def total(bulletin: tuple[httpx.Client, str], q: str, plain: bool = True) -> Any:
    http, table = bulletin
    body = {"resource_id": table, "q": q, "plain": plain, "limit": 0}
    return http.post(SEARCH, json=body).json()["result"]["total"]


@pytest.mark.parametrize(
    ("q", "plain"), [("'''", True), ("'s", True), ("' ''s'", True), ("'''s'", False)]
)
def test_a_query_without_lexemes_finds_nothing(
    bulletin: tuple[httpx.Client, str], q: str, plain: bool
) -> None:
    assert total(bulletin, "s") > 0  # the letter alone is searched, as any word
    assert total(bulletin, q, plain) == 0


def test_a_word_without_lexemes_is_left_out(bulletin: tuple[httpx.Client, str]) -> None:
    found = total(bulletin, "wages")
    assert 0 < found < total(bulletin, "s")
    assert total(bulletin, "wages 's") == found
    for q in ("wages & '''s'", "wages | '''s'", "wages & !'''s'"):
        assert total(bulletin, q, plain=False) == found, q


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"q": "wages"}, {"q": ["_table_metadata has no full-text index to search"]}),
        ({"q": "(" * 400 + "a" + ")" * 400, "plain": False}, {
            "q": ["Nested deeper than 64 levels"]
        }),
        ({"sort": "size desc"}, {"sort": ['invalid value "size desc"']}),
        ({"filters": {"name": list(range(101))}}, {
            "filters": ['101 values for "name"; a filter takes at most 100']
        }),
    ],
    ids=["q", "deep-q", "sort", "filters"],
)  # fmt: skip
@pytest.mark.anyio
async def test_table_metadata_refuses_what_it_cannot_do(
    client: httpx.AsyncClient, params: dict[str, Any], error: dict[str, Any]
) -> None:
    answer = await client.post(SEARCH, json={"resource_id": "_table_metadata", **params})
    assert answer.status_code == 409
    assert answer.json()["error"] == {"__type": "Validation Error", **error}


@pytest.mark.anyio
async def test_table_metadata_sorts_as_postgresql(client: httpx.AsyncClient) -> None:
    every = (await search(client, resource_id="_table_metadata", limit=1000))["records"]
    names = [row["name"] for row in every]
    assert names == sorted(names)
    down = await search(client, resource_id="_table_metadata", sort="name desc", limit=1000)
    assert [row["name"] for row in down["records"]] == names[::-1]
    # Ascending, nulls come last (PostgreSQL's default); descending, first.
    for sort, nulls_first in (("alias_of", False), ('"alias_of" desc', True), (
        "alias_of asc nulls first", True
    )):  # fmt: skip
        found = await search(client, resource_id="_table_metadata", sort=sort, limit=1000)
        aliases = [row["alias_of"] for row in found["records"]]
        present = [alias for alias in aliases if alias is not None]
        assert present == sorted(present, reverse="desc" in sort), sort
        assert (aliases[0] is None) is nulls_first and (aliases[-1] is None) is not nulls_first
    by_two = await search(client, resource_id="_table_metadata", sort="alias_of, name desc")
    pairs = [(row["alias_of"] or "~", row["name"]) for row in by_two["records"]]
    assert pairs == sorted(pairs, key=lambda pair: (pair[0], [-ord(c) for c in pair[1]]))


@pytest.mark.anyio
async def test_table_metadata_distinct_gives_each_value_once(client: httpx.AsyncClient) -> None:
    every = (await search(client, resource_id="_table_metadata", limit=1000))["records"]
    expected = list(dict.fromkeys(row["alias_of"] for row in every))
    found = await search(
        client, resource_id="_table_metadata", fields="alias_of", distinct=True, limit=1000
    )
    assert [row["alias_of"] for row in found["records"]] == expected
    assert found["total"] == len(expected) < len(every)
