"""JSON nested past any real document: refused in precise words before a parser recurses.

Python's JSON parser recurses once per level and fails near 1,000 levels with a
RecursionError (a 500). A forged `next` cursor, a DataStore dump's `filters` and a SQL
result built of brackets each reached it; each is now bounded before parsing or rendering.
"""

from __future__ import annotations

import base64

import httpx
import pytest

from catalog.errors import InvalidParameter
from catalog.query import Cursor
from catalog.search import catalogue_uuid
from tests.attacks.conftest import assert_healthy, assert_problem
from tests.servers import Server

pytestmark = pytest.mark.slow

RESOURCE = catalogue_uuid("resource", "wages-test/wages")
ROWS = "/api/v1/datasets/wages-test/resources/wages/rows"
# Past Python's recursion limit, and still inside the 8 KiB request target once %-encoded.
LEVELS = 1_500
BRACKETS = "json_extract(repeat('[', {n}) || repeat(']', {n}), '$') AS j"


def test_forged_cursor_nested_deeply_is_refused(client: httpx.Client, server: Server) -> None:
    token = base64.urlsafe_b64encode(b"[" * 3_000).decode().rstrip("=")
    body = assert_problem(client.get(ROWS, params={"next": token}), 400)
    assert body["parameter"] == "next"
    assert body["detail"] == "next: not a cursor this API made (nested too deeply)"
    assert_healthy(server)


def test_cursor_longer_than_any_made_is_refused_before_decoding() -> None:
    # The server's 8 KiB request target keeps such a cursor out of a URL; the bound holds
    # for a cursor that arrives any other way.
    with pytest.raises(InvalidParameter, match="longer than any cursor this API makes"):
        Cursor.decode("W" * 20_000)


def test_dump_filters_nested_deeply_are_refused(client: httpx.Client, server: Server) -> None:
    answer = client.get(f"/datastore/dump/{RESOURCE}", params={"filters": "[" * LEVELS})
    assert answer.status_code == 400
    assert answer.text == "400 Bad Request: filters: Nested deeper than 64 levels"
    assert_healthy(server)


def test_sql_result_nested_deeply_is_refused(client: httpx.Client, server: Server) -> None:
    sql = "SELECT " + BRACKETS.format(n=LEVELS)
    body = assert_problem(client.post("/api/v1/sql", json={"sql": sql}), 400)
    assert "nests arrays or objects deeper than 64 levels" in str(body["detail"])
    assert_healthy(server)


def test_datastore_sql_result_nested_deeply_is_a_validation_error(
    client: httpx.Client, server: Server
) -> None:
    sql = "SELECT " + BRACKETS.format(n=LEVELS)
    answer = client.post("/api/3/action/datastore_search_sql", json={"sql": sql})
    assert answer.status_code == 409, answer.text[:300]
    error = answer.json()["error"]
    assert error["__type"] == "Validation Error"
    assert "deeper than 64 levels" in error["query"][0]
    assert_healthy(server)


def test_sql_result_nested_within_the_bound_is_answered(client: httpx.Client) -> None:
    answer = client.post("/api/v1/sql", json={"sql": "SELECT " + BRACKETS.format(n=60)})
    assert answer.status_code == 200, answer.text[:300]
    value = answer.json()["rows"][0]["j"]
    for _ in range(59):
        value = value[0]
    assert value == []
