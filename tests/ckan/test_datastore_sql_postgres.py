"""datastore_search_sql names and types its fields as PostgreSQL itself does: each query runs on
our real server (ckanapi's wire, DuckDB in the sandbox) and on a real PostgreSQL holding the
same table under the resource id (as CKAN's DataStore holds it), and the two must agree.

The queries reach columns through `*` over subqueries, CTEs (recursive too), joins, UNIONs,
`t.*` and VALUES (issue 14's attack review found names stop at a `*`). Differences that
remain are listed apart (`KNOWN`), each asserted as what we answer and what PostgreSQL does.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import psycopg
import pytest

from catalog.search import catalogue_uuid
from catalog.store import Publisher
from tests.conftest import write_regions, write_wages
from tests.postgres import postgres_server
from tests.servers import open_test_store, serving

pytestmark = pytest.mark.slow

WAGES = catalogue_uuid("resource", "wages-test/wages")
W = f'"{WAGES}"'

# Queries both engines accept, whose fields must be named and typed alike.
AGREED = [
    f"SELECT * FROM (SELECT count(*), avg(1), 1+1 FROM {W}) s",
    "WITH a AS (SELECT 1 AS x), b AS (SELECT sum(x) FROM a) SELECT *, (SELECT * FROM b) FROM b",
    f"SELECT * FROM {W} a JOIN {W} b ON a.year = b.year",
    f"SELECT s.* FROM (SELECT upper(region_code), workers * 2 FROM {W}) s",
    f"SELECT t.*, t.year, count(*) OVER () FROM {W} t",
    "SELECT * FROM (SELECT 1 UNION ALL SELECT 2) u",
    f"SELECT * FROM (SELECT year FROM {W} UNION SELECT count(*) FROM {W}) u",
    f"SELECT * FROM (SELECT count(*) FROM {W} UNION ALL SELECT max(workers) FROM {W}) u",
    "WITH RECURSIVE r AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT * FROM r",
    "WITH RECURSIVE r AS (SELECT 1 UNION ALL SELECT 2) SELECT * FROM r",
    "SELECT * FROM (VALUES (1, 'a')) v",
    "VALUES (1, 2)",
    "SELECT * FROM (VALUES (1, 'a')) v(n, t)",
    f"SELECT sum(workers) + 1, avg(year), sum(year::INTEGER) FROM {W}",
    f"SELECT * FROM (SELECT sum(year::INTEGER) AS total FROM {W}) s",
    f"SELECT s.total FROM (SELECT sum(year::INTEGER) AS total FROM {W}) s",
    f"SELECT * FROM (SELECT region_code, count(*) FROM {W} GROUP BY region_code) g",
    f"SELECT * FROM (SELECT max(workers), min(published), sum(avg_wage), avg(avg_wage) FROM {W}) s",
    f"SELECT * FROM (SELECT CASE WHEN workers > 500 THEN 'big' END, coalesce(workers, 0),"
    f" lower(region_code), CAST(year AS TEXT), '7'::INTEGER FROM {W}) s",
    f"WITH c AS (SELECT avg(workers) FROM {W}) SELECT c.* FROM c",
    f"WITH c(n) AS (SELECT count(*) FROM {W}) SELECT * FROM c",
    f"SELECT (SELECT * FROM (SELECT count(*) FROM {W}) s)",
    f"SELECT (SELECT * FROM (SELECT count(*) FROM {W}) s) + 1 AS more, (SELECT 1)",
    "SELECT x.* FROM (SELECT 1, 'a', 2.5) x",
    f"SELECT * FROM (SELECT avg(workers) OVER (), sum(workers::INTEGER) OVER () FROM {W}) w",
    f"SELECT * FROM (SELECT EXISTS (SELECT 1), (SELECT max(year) FROM {W})) s",
    "SELECT * FROM (SELECT 1 AS a) s CROSS JOIN LATERAL (SELECT a + 1) l",
    f"SELECT * FROM (SELECT * FROM {W}) s(a, b)",
    f"SELECT * FROM (SELECT * FROM (SELECT * FROM (SELECT count(*) FROM {W}) a) b) c",
    f"SELECT count(*) FROM {W} UNION ALL SELECT * FROM (SELECT 1 + 1) t",
]

# The wages table's fields after `_id` and `region_code`, in both engines.
WAGES_REST = [("year", "int8"), ("workers", "int8"), ("avg_wage", "numeric"), ("published", "date")]
# Queries both accept whose fields still differ: (query, ours, PostgreSQL's), and why.
KNOWN = [
    # DuckDB renames the repeated names of a join inside a subquery (`year_1`) before the
    # outer `*` sees them; PostgreSQL keeps them repeated.
    (
        f"SELECT * FROM (SELECT a.year, b.year FROM {W} a JOIN {W} b USING (region_code)) j",
        [("year", "int8"), ("year_1", "int8")],
        [("year", "int8"), ("year", "int8")],
    ),
    # A correlated scalar subquery over a `*` cannot be bound alone: DuckDB's name stays.
    (
        f"SELECT (SELECT * FROM (SELECT max(a.workers) FROM {W} a WHERE a.year = b.year) m)"
        f" FROM {W} b LIMIT 1",
        [
            (
                '(SELECT * FROM (SELECT max(a.workers) FROM "wages_test__wages#_id" AS a'
                ' WHERE (a."year" = b."year")) AS m)',
                "int8",
            )
        ],
        [("max", "int8")],
    ),
    # `*` over a USING or NATURAL join: PostgreSQL puts the join columns first, DuckDB keeps
    # each table's own order (here `_id`, CKAN's first column, before `region_code`).
    (
        f"SELECT * FROM {W} a JOIN {W} b USING (region_code)",
        [("_id", "int4"), ("region_code", "text"), *WAGES_REST, ("_id", "int4"), *WAGES_REST],
        [("region_code", "text"), ("_id", "int4"), *WAGES_REST, ("_id", "int4"), *WAGES_REST],
    ),
    (
        f"SELECT * FROM {W} NATURAL JOIN (SELECT region_code, 1 AS one FROM {W}) r",
        [("_id", "int4"), ("region_code", "text"), *WAGES_REST, ("one", "int4")],
        [("region_code", "text"), ("_id", "int4"), *WAGES_REST, ("one", "int4")],
    ),
    # DuckDB has one string type: a cast to VARCHAR is `text` here, `varchar` there.
    (
        f"SELECT CAST(year AS VARCHAR) FROM {W} LIMIT 1",
        [("year", "text")],
        [("year", "varchar")],
    ),
]


@pytest.fixture(scope="module")
def ckan_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("datastore-sql-postgres")
    write_regions(root / "datasets")
    write_wages(root / "datasets")
    publisher = Publisher(open_test_store(root / "store"), root / "datasets")
    for source in publisher.plan(list(publisher.sources().values())):
        publisher.build(source)
    with serving(root / "store") as server:
        yield server.url


@pytest.fixture(scope="module")
def postgres(ckan_server: str) -> Iterator[psycopg.Connection[Any]]:
    """A PostgreSQL database holding the resource's table as CKAN's DataStore would: named
    by the resource id, typed by the types datastore_search gives (`_id` first, int4), with
    the same rows. CKAN's `_full_text` column is left out: ours refuses it by name (409)."""
    found = _action(ckan_server, "datastore_search", {"resource_id": WAGES, "limit": 100})
    fields = found["fields"]
    assert fields[0] == {"id": "_id", "type": "int"}
    columns = ", ".join(f'"{f["id"]}" {f["type"]}' for f in fields)
    with postgres_server() as server, psycopg.connect(server.new_database()) as connection:
        connection.execute(f"CREATE TABLE {W} ({columns})".encode())
        places = ", ".join("%s" for _ in fields)
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {W} VALUES ({places})".encode(),
                [[record[f["id"]] for f in fields] for record in found["records"]],
            )
        connection.commit()
        yield connection


def _action(server: str, name: str, body: dict[str, Any]) -> Any:
    answer = httpx.post(f"{server}/api/3/action/{name}", json=body, timeout=60)
    assert answer.status_code == 200, answer.text
    return answer.json()["result"]


def ours(server: str, sql: str) -> list[tuple[str, str]]:
    found = _action(server, "datastore_search_sql", {"sql": sql})
    fields = [(field["id"], field["type"]) for field in found["fields"]]
    for record in found["records"]:  # the records are keyed by the same names
        assert list(record) == list(dict.fromkeys(name for name, _ in fields))
    return fields


def theirs(connection: psycopg.Connection[Any], sql: str) -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(sql.encode())
        described = cursor.description or []
        oids = [column.type_code for column in described]
        cursor.execute("SELECT oid::int, typname FROM pg_type WHERE oid = ANY(%s)", [oids])
        names = dict(cursor.fetchall())
    connection.rollback()
    return [(column.name, names[column.type_code]) for column in described]


@pytest.mark.parametrize("sql", AGREED)
def test_search_sql_fields_are_named_and_typed_as_postgresql_answers(
    ckan_server: str, postgres: psycopg.Connection[Any], sql: str
) -> None:
    assert ours(ckan_server, sql) == theirs(postgres, sql)


@pytest.mark.parametrize(("sql", "mine", "postgresql"), KNOWN)
def test_search_sql_known_differences_from_postgresql(
    ckan_server: str,
    postgres: psycopg.Connection[Any],
    sql: str,
    mine: list[tuple[str, str]],
    postgresql: list[tuple[str, str]],
) -> None:
    assert theirs(postgres, sql) == postgresql
    assert ours(ckan_server, sql) == mine


def test_search_sql_names_deep_stars_and_never_fails_deeper(ckan_server: str) -> None:
    # The tree is copied and walked without recursion: 40 subqueries deep, names flow.
    def nested(depth: int) -> str:
        inner = f"(SELECT count(*) FROM {W}) c"
        return "SELECT * FROM " + "(SELECT * FROM " * depth + inner + ") t" * depth

    assert ours(ckan_server, nested(40)) == [("count", "int8")]
    # Deeper than DuckDB turns a tree into text again (256 levels): DuckDB's name, no failure.
    assert ours(ckan_server, nested(150)) == [("count_star()", "int8")]


def test_search_sql_too_large_to_rewrite_keeps_the_outermost_names(ckan_server: str) -> None:
    # Past the rewriting's bound (10,000 nodes) only the outermost select list is named:
    # a `*` below keeps DuckDB's names, and the query costs no second planning.
    def fields(width: int) -> list[tuple[str, str]]:
        years = ", ".join(str(year) for year in range(width))
        inner = f"SELECT count(*) FROM {W} WHERE year NOT IN ({years})"
        return ours(ckan_server, f"SELECT *, 1 + 1 FROM ({inner}) u")

    assert fields(100) == [("count", "int8"), ("?column?", "int4")]
    assert fields(6000) == [("count_star()", "int8"), ("?column?", "int4")]
