"""Offset pages and totals read through the footer equal the plain DuckDB scan.

Each example writes a SYNTHETIC Parquet file of a few small row groups, stored in key order
or shuffled, with nulls, and asks a page at some offset (at and around row-group edges, the
last page, past the end) with filters that row-group statistics decide, or only partly, or
not at all. The page's ids and its total must be what DuckDB answers on the same file with
`ORDER BY ... LIMIT ... OFFSET` and `count(*)`.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import random
import threading
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any
from unittest import mock

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import catalog.query.pages
import catalog.query.statistics.rising
from catalog.query import Cursor, QueryEngine, RowsRequest
from catalog.settings import Settings
from catalog.store import ASCENDING_KEY, FolderStore, write_parquet
from tests.querydata import new_version, write_descriptor

SLUG = "fast"
ARROW = pa.schema(
    [("id", pa.int64()), ("k", pa.int64()), ("s", pa.string()), ("grade", pa.int64())]
)
FIELDS = [
    {"name": "id", "type": "integer", "constraints": {"required": True}},
    {"name": "k", "type": "integer"},
    {"name": "s", "type": "string"},
    {"name": "grade", "type": "integer"},
]
# (API sort, SQL order before the tie-breaker)
SORTS = [
    ("", ""),
    ("id", "id ASC NULLS LAST"),
    ("-id", "id DESC NULLS LAST"),
    ("grade", "grade ASC NULLS LAST"),
    ("k", "k ASC NULLS LAST"),
    ("s,-grade", "s ASC NULLS LAST, grade DESC NULLS LAST"),
]
# (API filters, SQL): decided by statistics in a sorted file, partly, or not at all.
FILTERS: list[tuple[tuple[tuple[str, str], ...], str]] = [
    ((), "TRUE"),
    ((("id__gte", "17"),), "id >= 17"),
    ((("id__lt", "9"), ("id__gt", "2")), "id < 9 AND id > 2"),
    ((("grade", "3"),), "grade = 3"),
    ((("grade__in", "1,4"),), "grade IN (1, 4)"),
    ((("grade__ne", "2"),), "grade <> 2"),
    ((("k__isnull", "true"),), "k IS NULL"),
    ((("k__isnull", "false"), ("grade__lte", "5")), "k IS NOT NULL AND grade <= 5"),
    ((("s", "b"),), "s = 'b'"),
    ((("s", "b"), ("id__gte", "20")), "s = 'b' AND id >= 20"),
    ((("s__startswith", "c"),), "starts_with(s, 'c')"),
    ((("id", "99999"),), "id = 99999"),
    # `grade` rises with the rows of a file in key order: proved, then counted by search.
    ((("grade__gte", "3"), ("grade__lt", "7")), "grade >= 3 AND grade < 7"),
    ((("grade__gt", "2"), ("s", "b")), "grade > 2 AND s = 'b'"),
    ((("grade", "5"), ("id__lte", "21")), "grade = 5 AND id <= 21"),
]
_versions = itertools.count()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fast") / "store"
    (root / SLUG).mkdir(parents=True)
    return root


@pytest.fixture(scope="module")
def engine(store: Path) -> Iterator[QueryEngine]:
    found = QueryEngine(FolderStore(store), Settings(store=store))
    yield found
    found.close()


def publish(store: Path, rows: list[dict[str, Any]], group_rows: int, keyed: bool) -> Path:
    """A new version holding `rows` in groups of `group_rows`; the path of its file."""
    version = f"v{next(_versions)}"
    with new_version(FolderStore(store), SLUG, version) as folder:
        # Through the publisher's writer: a keyed file written in key order says so in its
        # footer.
        rows_table = pa.Table.from_pylist(rows, schema=ARROW)
        write_parquet(folder / "t.parquet", rows_table, {}, group_rows, "id" if keyed else None)
        schema: dict[str, Any] = {"fields": FIELDS, **({"primaryKey": ["id"]} if keyed else {})}
        resource = {"name": "t", "path": "t.parquet", "schema": schema, "rows": len(rows)}
        write_descriptor(folder, {"name": SLUG, "version": version, "resources": [resource]})
    return store / SLUG / version / "t.parquet"


def table(count: int, shuffled: bool, seed: int) -> list[dict[str, Any]]:
    chance = random.Random(seed)
    rows = [
        {
            "id": i,
            "k": None if chance.random() < 0.2 else chance.randrange(6),
            "s": chance.choice(["a", "b", "c", None]),
            "grade": i // 4,  # ties within a group and, with small groups, across them
        }
        for i in range(count)
    ]
    if shuffled:
        chance.shuffle(rows)
    return rows


def expected(path: Path, where: str, order: str, keyed: bool, limit: int, offset: int) -> Any:
    tie = "id" if keyed else "file_row_number"
    order = f"{order}, {tie}" if order else tie
    con = duckdb.connect()
    source = f"read_parquet('{path}', file_row_number = true)"
    ids = con.execute(
        f"SELECT id FROM {source} WHERE {where} ORDER BY {order} LIMIT {limit} OFFSET {offset}"
    ).fetchall()
    total = con.execute(f"SELECT count(*) FROM {source} WHERE {where}").fetchone()
    assert total is not None
    return [i for (i,) in ids], total[0]


@settings(
    max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    count=st.integers(0, 45),
    group_rows=st.integers(1, 9),
    shuffled=st.booleans(),
    keyed=st.booleans(),
    seed=st.integers(0, 1000),
    sort=st.sampled_from(SORTS),
    filters=st.sampled_from(FILTERS),
    limit=st.integers(0, 12),
    depth=st.integers(-2, 50),
    edge=st.booleans(),
    total=st.sampled_from(["auto", "exact"]),
    shallow=st.booleans(),
)
def test_rows_offset_page_and_total_equal_the_scan(
    store: Path,
    engine: QueryEngine,
    count: int,
    group_rows: int,
    shuffled: bool,
    keyed: bool,
    seed: int,
    sort: tuple[str, str],
    filters: tuple[tuple[tuple[str, str], ...], str],
    limit: int,
    depth: int,
    edge: bool,
    total: str,
    shallow: bool,
) -> None:
    path = publish(store, table(count, shuffled, seed), group_rows, keyed)
    # At, just before or after a row-group edge, or anywhere (past the end included).
    offset = max(0, group_rows * max(depth, 0) // 3 + (depth % 3 - 1)) if edge else max(depth, 0)
    asked = RowsRequest(
        filters=filters[0], sort=sort[0] or None, limit=limit, offset=offset, total=total
    )
    # `shallow`: every offset takes the path of deep ones in orders the file is not stored in.
    # A rising column's proof runs at once, not on a thread: the example sees it used.
    shallowness = mock.patch.object(catalog.query.pages, "SHALLOW_OFFSET", 0 if shallow else 10_000)
    with (
        shallowness,
        mock.patch.object(catalog.query.statistics.rising, "on_a_thread", lambda work: work()),
    ):
        page = engine.rows(SLUG, "t", asked)
    ids, matches = expected(path, filters[1], sort[1], keyed, limit, offset)
    assert [json.loads(row)["id"] for row in page.rows] == ids
    assert (page.total, page.total_exact) == (matches, True)
    # `limit=0` asks the fields and the total alone: no page, so no page after it.
    assert (page.next is not None) == (limit > 0 and offset + limit < matches)
    if page.next is None:
        return
    # The page after it by cursor, five times: the fifth from a kept row group when the
    # file is stored in the order of the first key.
    ids, _ = expected(path, filters[1], sort[1], keyed, limit, offset + limit)
    for _ in range(5):
        after = engine.rows(SLUG, "t", replace(asked, offset=0, cursor=page.next))
        assert [json.loads(row)["id"] for row in after.rows] == ids
        assert (after.next is not None) == (offset + 2 * limit < matches)


def test_rows_offset_deeper_than_a_hundred_thousand_is_answered(
    store: Path, engine: QueryEngine
) -> None:
    count = 250_000
    ids = pa.array(range(count), pa.int64())
    grades = pa.array([i // 4 for i in range(count)], pa.int64())
    rows = pa.table({"id": ids, "k": ids, "s": pa.nulls(count, pa.string()), "grade": grades})
    version = f"v{next(_versions)}"
    with new_version(FolderStore(store), SLUG, version) as folder:
        pq.write_table(rows.cast(ARROW), folder / "t.parquet", row_group_size=10_000)
        resource = {
            "name": "t",
            "path": "t.parquet",
            "schema": {"fields": FIELDS, "primaryKey": ["id"]},
        }
        described = [resource | {"rows": count}]
        write_descriptor(folder, {"name": SLUG, "version": version, "resources": described})
    for sort, first in (("", [200_000, 200_001]), ("-grade", [49_996, 49_997])):
        asked = RowsRequest(sort=sort or None, offset=200_000, limit=2, version=version)
        page = engine.rows(SLUG, "t", asked)
        assert [json.loads(row)["id"] for row in page.rows] == first
        assert (page.total, page.total_exact) == (count, True)


@pytest.mark.parametrize(
    ("ids", "ascending"),
    [
        ([1, 2, 3, 5, 8, 13, 21], True),
        ([1, 2, 2, 3, 4, 5, 6], False),  # a tie
        ([1, 2, 3, 4, 0, 6, 7], False),  # falls inside a group
        ([1, 2, 3, 9, 4, 5, 6], False),  # falls across groups
        ([1, 2, None, 4, 5, 6, 7], False),
    ],
)
def test_rows_writer_says_a_file_rises_in_its_key_only_when_every_value_does(
    tmp_path: Path, ids: list[int | None], ascending: bool
) -> None:
    rows = pa.table({"id": pa.array(ids, pa.int64()), "s": pa.array(["x"] * len(ids))})
    write_parquet(tmp_path / "t.parquet", rows, {}, 3, "id")
    footer = pq.read_metadata(tmp_path / "t.parquet").metadata
    assert (footer.get(ASCENDING_KEY) == b"id") is ascending
    write_parquet(
        tmp_path / "u.parquet",
        rows.cast(pa.schema([("id", pa.float64()), ("s", pa.string())])),
        {},
        3,
        "id",
    )
    assert ASCENDING_KEY not in pq.read_metadata(tmp_path / "u.parquet").metadata


@pytest.mark.parametrize(
    ("key", "encoding"),
    [
        ("id", "DELTA_BINARY_PACKED"),  # rising ids: a few bits each
        ("code", "PLAIN"),
        ("n", "DELTA_BINARY_PACKED"),  # an integer key in no order is as unique
    ],
)
def test_rows_writer_gives_the_key_no_dictionary(tmp_path: Path, key: str, encoding: str) -> None:
    """A unique key's dictionary would repeat every value, and each read of any of its rows
    would decode the whole of it first; the other columns keep theirs."""
    rows = pa.table(
        {
            "id": pa.array(range(1_000), pa.int64()),
            "code": pa.array([f"c{i:04d}" for i in range(1_000)]),
            "n": pa.array(random.Random(3).sample(range(10**6), 1_000), pa.int64()),
            "s": pa.array(["x", "y"] * 500),
        }
    )
    write_parquet(tmp_path / "t.parquet", rows, {}, 400, key)
    footer = pq.read_metadata(tmp_path / "t.parquet")
    for group in range(footer.num_row_groups):
        chunks = {footer.schema.column(i).name: footer.row_group(group).column(i) for i in range(4)}
        assert set(chunks[key].encodings) <= {encoding, "RLE"}, chunks[key].encodings
        assert not chunks[key].has_dictionary_page
        assert all(chunks[n].has_dictionary_page for n in chunks if n != key)
    assert pq.read_table(tmp_path / "t.parquet").equals(rows)


def test_rows_offset_page_of_a_file_rising_in_its_key_is_read_by_row_number(
    store: Path, engine: QueryEngine
) -> None:
    rows = [{"id": i * 3, "k": i, "s": "a", "grade": i // 4} for i in range(5_000)]
    path = publish(store, rows, 400, keyed=True)
    assert pq.read_metadata(path).metadata[ASCENDING_KEY] == b"id"
    # Neither the row before the page nor its sort keys are looked for: rows by number.
    unsought = mock.patch.object(
        catalog.query.pages.Pages, "_row_before", side_effect=AssertionError("looked for")
    )
    # Filtered on `grade`, which rises with the rows (proved at once here): its matches are
    # one run of rows, and a page of them is read by number too.
    proved = mock.patch.object(catalog.query.statistics.rising, "on_a_thread", lambda w: w())
    graded = (("grade__gte", "100"), ("grade__lt", "900"))
    cases = [(s, o, (), "TRUE") for s, o in (("id", 3_217), ("-id", 3_217), ("id", 4_999))]
    cases += [("-id", 0, (), "TRUE"), ("id", 2_000, graded, "grade >= 100 AND grade < 900")]
    cases += [("-id", 1_234, graded, "grade >= 100 AND grade < 900")]
    for sort, offset, filters, where in cases:
        asked = RowsRequest(sort=sort, offset=offset, limit=7, filters=filters)
        with unsought, proved:
            page = engine.rows(SLUG, "t", asked)
        order = "id DESC" if sort.startswith("-") else "id"
        ids, total = expected(path, where, order, True, 7, offset)
        assert [json.loads(row)["id"] for row in page.rows] == ids
        assert page.total == total


Queries = list[tuple[str, list[Any]]]


@contextlib.contextmanager
def spying(store: Path, threads: int = 2) -> Iterator[tuple[QueryEngine, Queries]]:
    """An engine of its own whose every query is recorded, in the order they ran."""
    queries: Queries = []
    original = QueryEngine.fetch

    def fetch(self: QueryEngine, sql: str, params: Sequence[Any], **kwargs: Any) -> Any:
        queries.append((sql, list(params)))
        return original(self, sql, params, **kwargs)

    with mock.patch.object(QueryEngine, "fetch", fetch):
        found = QueryEngine(FolderStore(store), Settings(store=store, duckdb_threads=threads))
    try:
        yield found, queries
    finally:
        found.close()


@pytest.fixture
def spied(store: Path) -> Iterator[tuple[QueryEngine, Queries]]:
    with spying(store) as found:
        yield found


def rising(count: int) -> list[dict[str, Any]]:
    return [{"id": i, "k": i, "s": "a", "grade": i // 4} for i in range(count)]


def test_rows_offset_page_after_a_keyset_page_in_its_group_is_still_read_by_row_number(
    store: Path, spied: tuple[QueryEngine, Queries]
) -> None:
    """A keyset page and an offset page meeting in one row group: the second ask of the
    group copied it (four reads' worth) after a top-N for the row before the page."""
    engine, queries = spied
    publish(store, rising(2_000), 400, keyed=True)
    version = engine.resource(SLUG, "t").version
    after = Cursor(version, "id", ("1234",)).encode()
    assert ids_of(engine.rows(SLUG, "t", RowsRequest(cursor=after, limit=3))) == [1235, 1236, 1237]
    unsought = mock.patch.object(
        catalog.query.pages.Pages, "_row_before", side_effect=AssertionError("looked for")
    )
    queries.clear()
    with unsought:
        page = engine.rows(SLUG, "t", RowsRequest(sort="id", offset=1_240, limit=3))
    assert ids_of(page) == [1240, 1241, 1242]
    assert len(queries) == 1 and "file_row_number BETWEEN" in queries[0][0]
    assert engine._kept.kept() == []  # nothing copied: the group was asked twice


def test_rows_keyset_page_reads_only_the_row_group_it_lies_in(
    store: Path, spied: tuple[QueryEngine, Queries]
) -> None:
    """Without a bound above, DuckDB's top-N decodes the groups after the page's too."""
    engine, queries = spied
    publish(store, rising(2_000), 400, keyed=True)
    version = engine.resource(SLUG, "t").version
    for value, ids in ((1234, [1235, 1236, 1237]), (1598, [1599, 1600, 1601])):
        queries.clear()
        after = Cursor(version, "id", (str(value),)).encode()
        assert ids_of(engine.rows(SLUG, "t", RowsRequest(cursor=after, limit=3))) == ids
        # The group's own bounds (then limit and offset); across its end, one more read.
        assert queries[0][1][-4:] == [1599, 1199, 4, 0]
        assert len(queries) == (1 if value < 1598 else 2)


def test_rows_exact_total_is_counted_beside_the_first_page(
    store: Path, spied: tuple[QueryEngine, Queries]
) -> None:
    """A first page in the file's order starts where the statistics say matches begin,
    without waiting for the count of the row group they do not decide."""
    engine, queries = spied
    publish(store, rising(400), 40, keyed=True)
    paged = threading.Event()
    counted_after_page: list[bool] = []
    original = engine._pages._groups._fetch

    def fetch(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        if "count(*)" in sql:  # the count: it waits for the page, if the page can run
            counted_after_page.append(paged.wait(5))
            assert "GROUP BY" not in sql  # one group to count: no grouping
        found = original(sql, params)
        if "to_json" in sql:
            paged.set()
        return found

    engine._pages._fetch = engine._pages._groups._fetch = fetch
    asked = RowsRequest(filters=(("grade__gte", "25"),), limit=2, total="exact")
    page = engine.rows(SLUG, "t", asked)
    assert ids_of(page) == [100, 101]
    assert (page.total, page.total_exact) == (300, True)
    assert counted_after_page == [True]
    pages = [params for sql, params in queries if "to_json" in sql]
    assert len(pages) == 1 and pages[0][2:4] == [119, 79]  # group 2's bounds on id


def ids_of(page: Any) -> list[int]:
    return [json.loads(row)["id"] for row in page.rows]


@pytest.mark.parametrize("keyed", [True, False])
def test_rows_page_in_the_files_stored_order_is_cut_without_sorting_every_match(
    store: Path, keyed: bool
) -> None:
    """Sorted as the rows are stored (by the key they rise in, or by row number), a page
    is the first matches DuckDB's order-preserving scan meets: no top-N, and with four
    threads scanning 30 row groups, still the scan's first rows."""
    rows = table(30_000, False, 7)
    path = publish(store, rows, 1_000, keyed)
    read_from_file = 0
    with spying(store, threads=4) as (engine, queries):
        for filters, where in (
            FILTERS[3:6] + FILTERS[8:10] + [((("id__gte", "12345"),), "id >= 12345")]
        ):
            for sort, order, offset in (("", "", 0), ("", "", 2_500), ("-id", "id DESC", 0)):
                queries.clear()
                asked = RowsRequest(filters=filters, sort=sort or None, limit=50, offset=offset)
                page = engine.rows(SLUG, "t", asked)
                assert ids_of(page) == expected(path, where, order, keyed, 50, offset)[0]
                pages = [sql for sql, _ in queries if "to_json" in sql]
                # Of the file: a kept row group's table is in no order DuckDB promises.
                read = [sql for sql in pages if "read_parquet" in sql]
                sorts = 2 if sort else 1  # descending: the top-N, then the page's own sort
                assert all(sql.count("ORDER BY") == sorts for sql in read), read
                assert pages or not page.rows
                read_from_file += len(read)
    assert read_from_file > 10
