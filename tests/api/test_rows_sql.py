"""Read-only SQL over the views: what runs, what is refused and why, limits."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from tests.api.conftest import AppFactory

pytestmark = pytest.mark.anyio
pytestmark = [pytestmark, pytest.mark.slow]
SQL = "/api/v1/sql"


async def test_rows_sql_get_runs_a_select_over_views(api: httpx.AsyncClient) -> None:
    text = (
        "SELECT region_code, count(*) AS n, sum(avg_wage) AS total FROM wages_test__wages "
        "GROUP BY region_code ORDER BY region_code LIMIT 2"
    )
    response = await api.get(SQL, params={"sql": text})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["rows"][0]["region_code"] == "520000" and body["rows"][0]["n"] == 50
    assert body["fields"][1] == {"name": "n", "type": "integer", "sql_type": "BIGINT"}
    assert body["truncated"] is False


def strict(text: str) -> object:
    """JSON as a browser's `JSON.parse` reads it: no NaN or Infinity."""

    def refuse(constant: str) -> None:
        raise ValueError(f"{constant} is not JSON")

    return json.loads(text, parse_constant=refuse)


async def test_rows_sql_makes_every_nan_and_infinity_null_at_any_depth(
    api: httpx.AsyncClient,
) -> None:
    # DuckDB writes them bare inside lists, structs and JSON values: the whole answer was
    # then no JSON at all; a string of the same letters stays as it is.
    text = (
        "SELECT 'nan'::double AS top, ['nan'::double, 1.5, '-inf'::double] AS l,"
        " {'a': 'inf'::double, 'b': ['nan'::float], 's': 'NaN inf -Infinity'} AS s,"
        " '[-nan, inf, \"nan\"]'::json AS j, to_json('infinity'::double) AS t"
    )
    response = await api.get(SQL, params={"sql": text})
    assert response.status_code == 200, response.text
    row = strict(response.text)["rows"][0]  # type: ignore[index]
    assert row == {
        "top": None,
        "l": [None, 1.5, None],
        "s": {"a": None, "b": [None], "s": "NaN inf -Infinity"},
        "j": [None, None, "nan"],
        "t": None,
    }
    ckan = await api.get("/api/3/action/datastore_search_sql", params={"sql": text})
    assert ckan.status_code == 200, ckan.text
    assert strict(ckan.text)["result"]["records"][0]["l"] == [None, 1.5, None]  # type: ignore[index]


async def test_rows_sql_post_takes_a_json_body_with_cte(api: httpx.AsyncClient) -> None:
    text = (
        "WITH t AS (SELECT topic, score FROM wages_test__notes) "
        "SELECT topic, max(score) AS best FROM t GROUP BY topic ORDER BY topic;"
    )
    response = await api.post(SQL, json={"sql": text})
    assert response.status_code == 200, response.text
    assert [r["topic"] for r in response.json()["rows"]] == sorted(["养老", "就业", "医疗"])


async def test_rows_sql_caps_rows(make_app: AppFactory) -> None:
    app = make_app(sql_row_cap=7)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://t") as http:
        body = (await http.get(SQL, params={"sql": "SELECT * FROM wages_test__wages"})).json()
    assert len(body["rows"]) == 7 and body["truncated"] is True and body["row_cap"] == 7
    app.state.engine.close()


async def test_rows_sql_caps_bytes(make_app: AppFactory) -> None:
    app = make_app(sql_result_bytes=4096)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://t") as http:
        response = await http.get(SQL, params={"sql": "SELECT * FROM wages_test__wages"})
    body = response.json()
    assert body["truncated"] is True and body["byte_cap"] == 4096
    assert 0 < len(body["rows"]) < 250
    compact = [json.dumps(row, ensure_ascii=False, separators=(",", ":")) for row in body["rows"]]
    assert sum(len(row.encode()) + 1 for row in compact) <= 4096
    app.state.engine.close()


async def test_rows_sql_busy_is_503_with_retry_after(make_app: AppFactory) -> None:
    # One worker and room for eight waiting: of twelve slow queries at once, some are told
    # to come back, at once or after waiting as long as a query may run. Admission lets all
    # twelve through to the sandbox (it would otherwise queue one client's beyond two).
    app = make_app(
        sql_workers=1, query_timeout_seconds=0.5, max_running_queries=12, max_running_per_client=12
    )
    slow = "SELECT count(*) FROM range(10000000000) t(i) WHERE hash(i) = 7"
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://t") as http:
        answers = await asyncio.gather(*[http.get(SQL, params={"sql": slow}) for _ in range(12)])
    app.state.engine.close()
    statuses = sorted(answer.status_code for answer in answers)
    assert set(statuses) == {503, 504} and statuses.count(503) >= 3, statuses
    busy = next(answer for answer in answers if answer.status_code == 503)
    assert busy.headers["retry-after"] == "1"
    assert busy.headers["content-type"] == "application/problem+json"
    assert busy.json()["type"].endswith("/problems/unavailable")


async def test_rows_sql_too_long_text_names_the_parameter(make_app: AppFactory) -> None:
    app = make_app(sql_max_chars=1000)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://t") as http:
        response = await http.post(SQL, json={"sql": "SELECT 1 " + "-" * 2000})
    assert response.status_code == 400
    assert response.json()["parameter"] == "sql"
    assert "at most 1,000 are allowed" in response.json()["detail"]


async def test_rows_sql_memory_bomb_is_400_in_our_words(make_app: AppFactory) -> None:
    # A loaded machine must not turn the memory refusal into the 2 s timeout's: only memory
    # may stop this query.
    app = make_app(query_timeout_seconds=60)
    bomb = "SELECT length(string_agg(i::VARCHAR, ',')) FROM range(1000000000) t(i)"
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://t") as http:
        response = await http.post(SQL, json={"sql": bomb})
    assert response.status_code == 400, response.text
    problem = response.json()
    assert problem["type"].endswith("/problems/query-too-large")
    assert problem["detail"].startswith("the query needs more memory than allowed")


async def test_rows_sql_times_out_with_a_reason(make_app: AppFactory) -> None:
    app = make_app(query_timeout_seconds=0.05)
    slow = "SELECT count(*) FROM range(10000000000) AS t(i) WHERE hash(i) = 7"
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://t") as http:
        response = await http.get(SQL, params={"sql": slow})
    assert response.status_code == 504
    problem = response.json()
    assert problem["type"].endswith("/problems/query-timeout")
    assert problem["title"] == "Query Timeout"
    assert "0.05 s limit" in problem["detail"]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("SELECT * FROM read_csv('/etc/passwd')", "read_csv() is not allowed"),
        ("SELECT * FROM read_parquet('x.parquet')", "read_parquet() is not allowed"),
        ("SELECT * FROM '/etc/passwd'", "without a catalog, a schema or a file path"),
        (
            "SELECT * FROM wages_test__wages WHERE year IN "
            "(SELECT 1 FROM read_text('/etc/hostname'))",
            "read_text() is not allowed",
        ),
        ("ATTACH '/tmp/x.db' AS x", "not ATTACH"),
        ("COPY wages_test__wages TO '/tmp/out.csv'", "not COPY"),
        ("PRAGMA database_list", "not PRAGMA"),
        ("SET threads = 1", "not SET"),
        ("INSTALL httpfs", "not LOAD"),
        ("LOAD httpfs", "not LOAD"),
        ("CREATE TABLE t AS SELECT 1", "not CREATE"),
        ("DROP VIEW wages_test__wages", "not DROP"),
        ("SELECT 1; SELECT 2", "exactly one statement"),
        ("SELECT * FROM duckdb_settings()", "this table function is not allowed"),
    ],
)
async def test_rows_sql_refuses_what_is_not_one_read_only_select(
    api: httpx.AsyncClient, text: str, reason: str
) -> None:
    response = await api.post(SQL, json={"sql": text})
    assert response.status_code == 403, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"].endswith("/problems/forbidden-query")
    assert reason in problem["detail"]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("SELEC 1", 'syntax error near "SELEC"'),
        ("SELECT nope FROM wages_test__wages", 'column "nope" does not exist'),
        (
            "SELECT * FROM no_such_view",
            "no view named no_such_view; the views are wages_test__notes, wages_test__wages",
        ),
        ("SELECT 'abc'::INTEGER", "Could not convert string 'abc' to INT32"),
    ],
)
async def test_rows_sql_bad_query_is_400_with_a_hint_in_our_words(
    api: httpx.AsyncClient, text: str, says: str
) -> None:
    response = await api.get(SQL, params={"sql": text})
    assert response.status_code == 400
    problem = response.json()
    assert problem["type"].endswith("/problems/invalid-query")
    assert says in problem["detail"]
    assert "Error" not in problem["detail"] and "LINE" not in problem["detail"]


async def test_rows_sql_missing_query_is_a_problem(api: httpx.AsyncClient) -> None:
    response = await api.get(SQL)
    assert response.status_code == 400
    assert response.json()["parameter"] == "sql"
    body = await api.post(SQL, json={})
    assert body.status_code == 400 and body.json()["errors"][0]["parameter"] == "sql"
