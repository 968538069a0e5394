"""The query engine: its DuckDB guard, views over CURRENT, time limit, SQL checking."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from catalog.errors import InvalidQuery, QueryForbidden, QueryTimeout, ServiceUnavailable
from catalog.query import QueryEngine, RowsRequest, view_name
from catalog.query.database import connect, translate
from catalog.settings import Settings
from catalog.store import FolderStore
from tests.querydata import (
    NOTE_FIELDS,
    WAGE_SCHEMA,
    build_store,
    note_rows,
    wage_rows,
    write_version,
)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return build_store(tmp_path / "store")


@pytest.fixture
def engine(root: Path) -> Iterator[QueryEngine]:
    engine = QueryEngine(FolderStore(root), Settings(store=root))
    yield engine
    engine.close()


def count(engine: QueryEngine, view: str) -> int:
    return int(json.loads(engine.sql(f"SELECT count(*) AS n FROM {view}").rows[0])["n"])


def test_query_view_name_turns_non_word_characters_into_underscores() -> None:
    assert view_name("wages-test", "wages") == "wages_test__wages"
    assert view_name("a.b", "c-d") == "a_b__c_d"


def test_query_connection_reads_only_the_store(root: Path) -> None:
    con = connect(root, Settings(store=root))
    parquet = str((root / "wages-test" / "v2" / "wages.parquet").resolve())
    assert con.execute("SELECT count(*) FROM read_parquet(?)", [parquet]).fetchone() == (250,)
    sibling = root.parent / (root.name + "2")
    sibling.mkdir()
    (sibling / "x.csv").write_text("a\n1\n")
    for path in ("/etc/passwd", str(sibling / "x.csv"), str(root / ".." / "store2" / "x.csv")):
        with pytest.raises(duckdb.PermissionException) as caught:
            con.execute("SELECT * FROM read_csv(?)", [path]).fetchall()
        assert isinstance(translate(caught.value, 2.0), QueryForbidden)


def test_query_connection_configuration_is_locked(root: Path) -> None:
    con = connect(root, Settings(store=root, duckdb_threads=1, duckdb_memory_limit="300MB"))
    assert con.execute("SELECT current_setting('threads')").fetchone() == (1,)
    for statement in ("SET enable_external_access = true", "SET allowed_directories = ['/']"):
        with pytest.raises(duckdb.InvalidInputException, match="locked"):
            con.execute(statement)
    # Each query runs on a cursor of its own: a setting made for one connection alone (the
    # footer cache was, and each query parsed the file's footer again) would not hold there.
    cursor = con.cursor()
    for setting in ("parquet_metadata_cache", "enable_external_access", "lock_configuration"):
        found = cursor.execute(f"SELECT current_setting('{setting}')").fetchone()
        assert found == con.execute(f"SELECT current_setting('{setting}')").fetchone(), setting
    assert cursor.execute("SELECT current_setting('parquet_metadata_cache')").fetchone() == (True,)


def test_query_engine_refuses_to_read_etc_passwd(engine: QueryEngine) -> None:
    with pytest.raises(QueryForbidden, match="read_csv"):
        engine.sql("SELECT * FROM read_csv('/etc/passwd')")
    # The shared engine itself refuses too, in our words, without the path.
    with pytest.raises(QueryForbidden, match="not files") as caught:
        engine.fetch("SELECT * FROM read_csv('/etc/passwd')", [])
    assert "/etc" not in str(caught.value)


def test_query_shared_engine_out_of_memory_is_503_with_retry(root: Path) -> None:
    con = connect(root, Settings(store=root, duckdb_memory_limit="20MB"))
    with pytest.raises(duckdb.OutOfMemoryException) as caught:
        con.execute("SELECT length(list(i)) FROM range(10000000) AS t(i)").fetchall()
    error = translate(caught.value, 2.0)
    assert isinstance(error, ServiceUnavailable) and error.status == 503 and error.retry_after > 0
    assert "memory" in str(error) and "20" not in str(error)


def test_query_engine_memory_limit_is_derived_from_the_budget(root: Path) -> None:
    con = connect(root, Settings(store=root, memory_budget_mb=1000))
    assert con.execute("SELECT current_setting('memory_limit')").fetchone() == ("381.4 MiB",)


def test_query_views_follow_current(engine: QueryEngine, root: Path) -> None:
    assert count(engine, "wages_test__wages") == 250
    write_version(root, "wages-test", "v3", {"wages": (WAGE_SCHEMA, wage_rows(60))})
    assert count(engine, "wages_test__wages") == 60
    with pytest.raises(InvalidQuery, match="wages_test__notes"):
        engine.sql("SELECT * FROM wages_test__notes")


def test_query_views_appear_for_new_datasets(engine: QueryEngine, root: Path) -> None:
    assert "other_set__notes" not in engine.views()
    write_version(root, "other-set", "a", {"notes": ({"fields": NOTE_FIELDS}, note_rows())})
    assert engine.views()["other_set__notes"] == ("other-set", "notes")
    assert count(engine, "other_set__notes") == 30


def test_query_timeout_interrupts_and_the_engine_goes_on(root: Path) -> None:
    engine = QueryEngine(FolderStore(root), Settings(store=root, query_timeout_seconds=0.05))
    slow = "SELECT count(*) FROM range(10000000000) AS t(i) WHERE hash(i) = 7"
    with pytest.raises(QueryTimeout, match=r"0\.05 s limit"):
        engine.sql(slow)
    assert engine.rows("wages-test", "wages", RowsRequest(limit=1)).total == 250


def test_query_timeout_stops_only_its_own_query(root: Path) -> None:
    # The limit is wide enough for a count on a loaded machine; the slow query still passes
    # it by far. The counts run for as long as the slow query does, so each one overlaps it.
    engine = QueryEngine(FolderStore(root), Settings(store=root, query_timeout_seconds=3))
    failures: list[Exception] = []

    def slow() -> None:
        try:
            engine.sql("SELECT count(*) FROM range(10000000000) AS t(i) WHERE hash(i) = 7")
        except QueryTimeout as exc:
            failures.append(exc)

    thread = threading.Thread(target=slow)
    thread.start()
    deadline = time.monotonic() + 60
    counted = 0
    while thread.is_alive() and time.monotonic() < deadline:
        assert count(engine, "wages_test__wages") == 250
        counted += 1
    thread.join(timeout=1)
    assert not thread.is_alive(), "the slow query was never stopped"
    assert len(failures) == 1
    assert counted >= 2


@pytest.mark.parametrize(
    "text",
    [
        "SELECT 1",
        "select 1;",
        "WITH a AS (SELECT 1 AS x) SELECT x FROM a",
        "FROM wages_test__wages",
        "SELECT * FROM range(3)",
        "SELECT 1 -- a comment",
        "DESCRIBE wages_test__wages",
    ],
)
def test_query_sql_accepts_read_only_selects(engine: QueryEngine, text: str) -> None:
    assert engine.sql(text).rows


def test_query_sql_renders_awkward_values_as_json(engine: QueryEngine) -> None:
    text = (
        "SELECT 'nan'::DOUBLE AS n, 'inf'::DOUBLE AS i, 1.50::DECIMAL(10, 2) AS d, "
        "TIMESTAMP '2024-01-02 03:04:05' AS t, [1, 2] AS l, 1 AS x, 2 AS x"
    )
    table = engine.sql(text)
    assert json.loads(table.rows[0]) == {
        "n": None,
        "i": None,
        "d": 1.5,
        "t": "2024-01-02T03:04:05",
        "l": [1, 2],
        "x": 1,
        "x_1": 2,
    }
