"""SQL escapes: every way out of the views of /api/v1/sql and datastore_search_sql is shut.

The attacked store holds, beside the current `wages-test` (views `wages_test__wages`,
`wages_test__notes`), its older version v1, a withdrawn dataset `gone-set` and a token file:
none of them may be read, listed or named through SQL, whatever the spelling.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from catalog.store import FolderStore
from tests.attacks.conftest import assert_healthy, assert_problem
from tests.querydata import NOTE_FIELDS, build_store, note_rows, write_version
from tests.servers import Server

pytestmark = pytest.mark.slow

SQL = "/api/v1/sql"
SECRET = "odt_attack_secret_token_value"


@pytest.fixture(scope="module")
def attack_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = build_store(tmp_path_factory.mktemp("attack-sql") / "store")
    write_version(store, "gone-set", "a", {"notes": ({"fields": NOTE_FIELDS}, note_rows())})
    FolderStore(store).withdraw("gone-set", "withdrawn for the attack corpus")
    (store / ".api-tokens.json").write_text(json.dumps({"secret": SECRET}), encoding="utf-8")
    return store.resolve()


def refused(client: httpx.Client, server: Server, text: str, status: int) -> dict[str, object]:
    """POST `text`, expect a problem of `status` that leaks nothing, and a healthy server."""
    answer = client.post(SQL, json={"sql": text})
    body = assert_problem(answer, status)
    assert SECRET not in answer.text and "root:" not in answer.text
    assert_healthy(server)
    return body


# Each names the store through `{store}`: the attacker is assumed to know the layout.
FORBIDDEN = [
    # paths as tables: replacement scans, schema-qualified, quoted, globbed
    'SELECT * FROM "{store}/*/*/*".parquet',
    'SELECT * FROM "{store}/wages-test/v1/wages".parquet',
    "SELECT * FROM '{store}/wages-test/v1/wages.parquet'",
    "SELECT * FROM '{store}/wages-test/v2/wages.parquet'",
    'SELECT * FROM "{store}/.api-tokens".json',
    "SELECT * FROM '{store}/.api-tokens.json'",
    "SELECT * FROM '/etc/passwd'",
    'SELECT * FROM "/etc/passwd"',
    "SELECT * FROM memory.main.wages_test__wages",
    "SELECT * FROM system.main.duckdb_settings",
    # readers and file functions
    "SELECT * FROM read_parquet('{store}/*/*/*.parquet')",
    "SELECT * FROM read_parquet(['{store}/wages-test/v1/wages.parquet'])",
    "SELECT * FROM parquet_scan('{store}/gone-set/a/notes.parquet')",
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM read_csv_auto('{store}/.api-tokens.json')",
    "SELECT * FROM read_text('{store}/.api-tokens.json')",
    "SELECT * FROM read_blob('/etc/passwd')",
    "SELECT * FROM read_json('{store}/.api-tokens.json')",
    "SELECT * FROM glob('{store}/*')",
    "SELECT * FROM sniff_csv('/etc/passwd')",
    "SELECT * FROM parquet_metadata('{store}/wages-test/v2/wages.parquet')",
    "SELECT * FROM parquet_schema('{store}/wages-test/v1/wages.parquet')",
    "SELECT * FROM query_table('wages_test__wages')",
    "SELECT * FROM query('SELECT * FROM read_csv(''/etc/passwd'')')",
    "SELECT * FROM wages_test__wages WHERE year IN (SELECT 1 FROM read_text('/etc/hostname'))",
    "SELECT (SELECT content FROM read_text('{store}/.api-tokens.json'))",
    "SELECT * FROM range(3), read_csv_auto('/etc/passwd')",
    # settings, catalogue and system functions
    "SELECT current_setting('allowed_paths')",
    "SELECT current_setting('temp_directory')",
    "SELECT getenv('HOME')",
    "SELECT * FROM duckdb_settings()",
    "SELECT * FROM duckdb_tables()",
    "SELECT * FROM duckdb_views()",
    "SELECT * FROM duckdb_extensions()",
    "SELECT * FROM duckdb_secrets()",
    "SELECT * FROM pragma_table_info('wages_test__wages')",
    "SELECT * FROM information_schema.views",
    "SELECT * FROM information_schema.tables",
    "SELECT * FROM pg_catalog.pg_views",
    "SELECT * FROM which_secret('s3://x', 's3')",
    "SELECT json_execute_serialized_sql(json_serialize_sql('SELECT 1'))",
    "SELECT * FROM json_execute_serialized_sql(json_serialize_sql('SELECT 1'))",
    "WITH a AS (SELECT * FROM duckdb_settings()) SELECT * FROM a",
    "SELECT * FROM wages_test__wages AT (VERSION => 1)",
    "SELECT write_log('x')",
    "SELECT pg_sleep(10)",
    # statements that are not one SELECT
    "ATTACH '{store}/x.db' AS x",
    "ATTACH ':memory:' AS x; SELECT 1",
    "COPY wages_test__wages TO '/tmp/opendata-attack.csv'",
    "COPY (SELECT 1) TO '{store}/x.csv'",
    "EXPORT DATABASE '/tmp/opendata-attack'",
    "INSTALL httpfs",
    "LOAD httpfs",
    "PRAGMA database_list",
    "SET enable_external_access = true",
    "RESET allowed_paths",
    "CREATE TABLE t AS SELECT 1",
    "CREATE MACRO m() AS TABLE SELECT * FROM read_csv('/etc/passwd')",
    "CREATE SECRET (TYPE s3)",
    "DROP VIEW wages_test__wages",
    "CALL duckdb_settings()",
    "SELECT 1; SELECT * FROM read_csv('/etc/passwd')",
    "SELECT 1 /* a comment */; ATTACH '/tmp/x.db'",
    "SELECT 1 -- a comment\n; DROP VIEW wages_test__wages",
    "SELECT 1;\n\n/* */ COPY wages_test__wages TO '/tmp/x.csv'",
    "SELECT 1\x00; ATTACH '/tmp/x.db'",  # a NUL before a second statement
    "SHOW TABLES",
    "SHOW ALL TABLES",
    "SUMMARIZE duckdb_settings()",
    # unicode spellings of a forbidden call
    "SELECT * FROM read_c\u0455v('/etc/passwd')",  # a Cyrillic ѕ
    "SELECT * FROM \u0440ragma_version()",  # a Cyrillic р
]


@pytest.mark.parametrize("template", FORBIDDEN)
def test_sql_escape_is_refused(
    client: httpx.Client, server: Server, attack_store: Path, template: str
) -> None:
    text = template.replace("{store}", str(attack_store))
    answer = client.post(SQL, json={"sql": text})
    assert answer.status_code in (400, 403), (answer.status_code, answer.text[:300])
    assert_problem(answer, answer.status_code)
    assert SECRET not in answer.text and "root:" not in answer.text
    assert_healthy(server)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("SELECT * FROM gone_set__notes", "no view named gone_set__notes"),
        ("SELECT * FROM duckdb_views", "no such view"),
        ("SELECT * FROM sqlite_master", "no view named sqlite_master"),
        (
            "SELECT * FROM (WITH pg_views AS (SELECT 1) SELECT * FROM pg_views) a, pg_views b",
            "no view named pg_views",
        ),
        ("SELECT 1\uff1b ATTACH 'x'", "syntax error"),  # a fullwidth semicolon
        ("\uff33\uff25\uff2c\uff25\uff23\uff34 1", "syntax error"),  # fullwidth SELECT
        ("SELECT * FROM w\u0430ges_test__wages", "no such view"),  # a Cyrillic а
    ],
)
def test_sql_names_outside_the_views_do_not_resolve(
    client: httpx.Client, server: Server, text: str, says: str
) -> None:
    body = refused(client, server, text, 400)
    assert says in str(body["detail"])


def test_sql_lone_surrogate_is_refused(client: httpx.Client, server: Server) -> None:
    body = b'{"sql": "SELECT \'\\ud800\' AS x"}'
    answer = client.post(SQL, content=body, headers={"Content-Type": "application/json"})
    assert "not valid Unicode" in str(assert_problem(answer, 400)["detail"])
    assert_healthy(server)


def test_sql_views_are_the_current_versions_only(client: httpx.Client, server: Server) -> None:
    answer = client.get(SQL, params={"sql": "SELECT count(*) AS n FROM wages_test__wages"})
    assert answer.status_code == 200 and answer.json()["rows"] == [{"n": 250}]
    body = refused(client, server, "SELECT * FROM wages_test__v1", 400)
    assert "the views are wages_test__notes, wages_test__wages" in str(body["detail"])


@pytest.mark.parametrize(
    "text",
    [
        "SELECT " + "(" * 5000 + "1" + ")" * 5000,
        "SELECT * FROM " + "(SELECT * FROM " * 2000 + "wages_test__wages" + ") AS t" * 2000,
        "SELECT count(*) FROM wages_test__wages WHERE "
        + " OR ".join(f"workers = {i}" for i in range(20_000)),
        "SELECT count(*) FROM wages_test__wages WHERE workers IN ("
        + ", ".join(str(i) for i in range(30_000))
        + ")",
        "SELECT 1 -- " + "x" * 10_000_000,
    ],
    ids=["parentheses", "subqueries", "or-20000", "in-30000", "10-mb"],
)
def test_sql_huge_or_deep_text_is_refused(client: httpx.Client, server: Server, text: str) -> None:
    answer = client.post(SQL, json={"sql": text})
    # 413 when a body limit in front of the route refuses it before the SQL length check.
    assert answer.status_code in (400, 413), (answer.status_code, answer.text[:300])
    assert_problem(answer, answer.status_code)
    assert_healthy(server)


def test_sql_time_limit_covers_planning(client: httpx.Client, server: Server) -> None:
    # Parsed in a tenth of a second, planned for seconds: stopped at the 2 s limit all the same.
    pairs = " OR ".join(f"(workers = {i} AND year = {i})" for i in range(2500))
    text = f"SELECT count(*) FROM wages_test__wages WHERE {pairs}"
    assert "2 s limit" in str(assert_problem(client.post(SQL, json={"sql": text}), 504)["detail"])
    assert_healthy(server)
    assert client.post(SQL, json={"sql": "SELECT 1 AS x"}).json()["rows"] == [{"x": 1}]


def test_sql_ckan_datastore_sql_is_the_same_sandbox(
    client: httpx.Client, server: Server, attack_store: Path
) -> None:
    action = "/api/3/action/datastore_search_sql"
    for text in (
        f'SELECT * FROM "{attack_store}/*/*/*".parquet',
        "SELECT * FROM read_text('/etc/passwd')",
        "SELECT current_setting('allowed_paths')",
        "SELECT * FROM gone_set__notes",
    ):
        answer = client.post(action, json={"sql": text})
        assert answer.status_code in (400, 403, 409), answer.text[:300]
        body = answer.json()
        assert body["success"] is False
        for leak in (str(attack_store), "/etc", "root:", SECRET, "DuckDB", "duckdb"):
            assert leak not in answer.text, leak
        assert_healthy(server)
