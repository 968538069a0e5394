"""Pages read from kept row groups equal pages read by scanning the Parquet file.

The files here are SYNTHETIC, written with pyarrow in small row groups: `ordered` is stored in
the order of its key (and of `year`, `code` and `day`), `shuffled` holds the same rows in an
order no sort key follows, so only the scan can answer it.
"""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.errors import QueryForbidden
from catalog.query import QueryEngine, RowsRequest
from catalog.query.database import connect
from catalog.query.rowgroups import KeptGroups
from catalog.settings import Settings
from catalog.store import ASCENDING_KEY, FolderStore, write_parquet
from tests.querydata import new_version, walk, write_descriptor

ROWS = 300
GROUP_ROWS = 32
FIELDS: list[dict[str, Any]] = [
    {"name": "id", "type": "integer", "constraints": {"required": True}},
    {"name": "year", "type": "integer"},
    {"name": "code", "type": "string"},
    {"name": "day", "type": "date"},
    {"name": "label", "type": "string"},
    {"name": "value", "type": "number"},
    {"name": "amount", "type": "number", "decimals": 2},
]
SCHEMA = {"fields": FIELDS, "primaryKey": ["id"]}
SORTS = ["", "id", "year", "code", "day", "-id", "year,-id", "label", "-year"]
FILTERS: list[tuple[tuple[str, str], ...]] = [
    (),
    (("value__isnull", "false"),),
    (("label", "甲"),),
    (("id__gte", "250"),),
    (("label", "丁"), ("year__lt", "4")),  # sparse: 2 rows in 300
]


def row(index: int) -> dict[str, Any]:
    return {
        "id": index,
        "year": 2000 + index // GROUP_ROWS,  # one year per row group: ties within, none across
        "code": f"C{index:05d}",
        "day": date(2020, 1, 1) + timedelta(days=index),
        "label": "丁" if index % 150 == 7 else "甲乙丙"[index % 3],
        "value": None if index % 5 == 0 else index / 4,
        "amount": Decimal(f"{index}.{index % 100:02d}"),
    }


ARROW = pa.schema(
    [
        ("id", pa.int64()),
        ("year", pa.int64()),
        ("code", pa.string()),
        ("day", pa.date32()),
        ("label", pa.string()),
        ("value", pa.float64()),
        ("amount", pa.decimal128(18, 2)),
    ]
)


def write(folder: Path, name: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    pq.write_table(
        pa.Table.from_pylist(rows, schema=ARROW), folder / f"{name}.parquet", row_group_size=32
    )
    return {"name": name, "path": f"{name}.parquet", "schema": SCHEMA, "rows": len(rows)}


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("kept") / "store"
    ordered = [row(i) for i in range(ROWS)]
    shuffled = ordered[:]
    random.Random(7).shuffle(shuffled)
    with new_version(FolderStore(store), "groups", "v1") as folder:
        resources = [write(folder, "ordered", ordered), write(folder, "shuffled", shuffled)]
        write_descriptor(folder, {"name": "groups", "version": "v1", "resources": resources})
    return store


@pytest.fixture(scope="module")
def kept(root: Path) -> Iterator[QueryEngine]:
    engine = QueryEngine(FolderStore(root), Settings(store=root))
    yield engine
    engine.close()


@pytest.fixture(scope="module")
def scanning(root: Path) -> Iterator[QueryEngine]:
    engine = QueryEngine(FolderStore(root), Settings(store=root, row_group_cache_mb=0))
    yield engine
    engine.close()


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(
    sort=st.sampled_from(SORTS),
    limit=st.integers(min_value=1, max_value=120),
    filters=st.sampled_from(FILTERS),
    resource=st.sampled_from(["ordered", "shuffled"]),
)
def test_kept_groups_walk_equals_the_scan(
    kept: QueryEngine,
    scanning: QueryEngine,
    sort: str,
    limit: int,
    filters: tuple[tuple[str, str], ...],
    resource: str,
) -> None:
    asked: dict[str, Any] = {"sort": sort or None, "filters": filters}
    # From the shuffled file, which no row group layout helps read: the plain scan. Every
    # sort ends with the key, so both files' rows come in one order.
    whole = scanning.rows("groups", "shuffled", RowsRequest(limit=10_000, **asked))
    expected = [json.loads(text) for text in whole.rows]
    assert walk(kept, "groups", resource, limit=limit, **asked) == expected
    assert walk(scanning, "groups", resource, limit=limit, **asked) == expected


def test_kept_groups_pages_carry_the_same_cursors(kept: QueryEngine, scanning: QueryEngine) -> None:
    for sort in SORTS:
        mine = kept.rows("groups", "ordered", RowsRequest(sort=sort or None, limit=45))
        theirs = scanning.rows("groups", "ordered", RowsRequest(sort=sort or None, limit=45))
        assert (mine.rows, mine.next, mine.total) == (theirs.rows, theirs.next, theirs.total)
    # The pages did come from kept groups, and only where the cache is on.
    assert kept._kept.kept() and not scanning._kept.kept()


def kept_groups(root: Path, budget: int) -> KeptGroups:
    return KeptGroups(connect(root, Settings(store=root)), budget)


def test_kept_groups_layout_needs_strict_order(root: Path) -> None:
    groups = kept_groups(root, 1 << 20)
    ordered = root / "groups" / "v1" / "ordered.parquet"
    shuffled = root / "groups" / "v1" / "shuffled.parquet"
    for column, kind in (("id", "integer"), ("year", "integer"), ("code", "string")):
        layout = groups.layout(ordered, column, kind)
        assert layout is not None and layout.groups == 10
    assert groups.layout(ordered, "day", "date") is not None
    assert groups.layout(ordered, "label", "string") is None  # groups overlap
    assert groups.layout(ordered, "value", "number") is None  # not an ordered type (and nulls)
    assert groups.layout(shuffled, "id", "integer") is None
    numbers = groups.layout(shuffled, "file_row_number", "integer")
    assert numbers is not None and numbers.maxima == (*range(31, 288, 32), 299)
    year = groups.layout(ordered, "year", "integer")
    assert year is not None
    assert [year.first_holding(v) for v in (1999, 2000, 2001, 2009, 2010)] == [0, 0, 1, 9, 10]


def test_kept_groups_layout_refuses_nulls_and_datetimes(tmp_path: Path) -> None:
    table = pa.table(
        {
            "n": pa.array([1, 2, None, 4], pa.int64()),
            "t": pa.array([datetime(2020, 1, d) for d in (1, 2, 3, 4)], pa.timestamp("us")),
        }
    )
    pq.write_table(table, tmp_path / "x.parquet", row_group_size=2)
    groups = kept_groups(tmp_path, 1 << 20)
    assert groups.layout(tmp_path / "x.parquet", "n", "integer") is None
    assert groups.layout(tmp_path / "x.parquet", "t", "date") is None


def test_kept_groups_hold_their_rows_within_the_budget(root: Path) -> None:
    path = root / "groups" / "v1" / "ordered.parquet"
    measure = kept_groups(root, 1 << 30)
    measure.tables(path, 0, 1)
    size = measure._kept[(str(path), 0)].size  # what DuckDB reports the table takes
    assert size > 0
    groups = kept_groups(root, 3 * size + size // 2)
    con = groups._con
    for index in range(10):
        table = groups.tables(path, index, index + 1)
        ids = con.execute(f"SELECT min(id), max(id), count(*) FROM {table}").fetchone()
        assert ids == (32 * index, min(32 * index + 31, ROWS - 1), min(32, ROWS - 32 * index))
    assert [index for _, index in groups.kept()] == [7, 8, 9]  # least recently used went first
    groups.tables(path, 7, 8)
    groups.tables(path, 0, 1)
    assert [index for _, index in groups.kept()] == [9, 7, 0]
    kept_tables = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'opendata_kept'"
    ).fetchone()
    assert kept_tables == (3,)
    both = groups.tables(path, 3, 5)
    assert con.execute(f"SELECT count(*), max(id) FROM {both}").fetchone() == (64, 159)


def test_kept_groups_are_out_of_reach_of_sql(kept: QueryEngine) -> None:
    kept.rows("groups", "ordered", RowsRequest(limit=5))
    with pytest.raises(QueryForbidden, match="without a catalog, a schema"):
        kept.sql("SELECT * FROM opendata_kept.anything")


def test_kept_groups_keep_a_group_from_its_fifth_request(root: Path) -> None:
    engine = QueryEngine(FolderStore(root), Settings(store=root))
    try:
        pages = [engine.rows("groups", "ordered", RowsRequest(limit=5))]
        for _ in range(4):
            assert engine._kept.kept() == []  # asked up to four times: read from the file
            following = RowsRequest(limit=5, cursor=pages[-1].next)
            pages.append(engine.rows("groups", "ordered", following))
        assert [index for _, index in engine._kept.kept()] == [0]
        rows = [json.loads(r)["id"] for page in pages for r in page.rows]
        assert rows == list(range(25))
    finally:
        engine.close()


def test_kept_groups_leave_a_descending_walk_to_the_file(tmp_path: Path) -> None:
    """Kept groups answer ascending pages only: seven pages by offset down a key the file
    rises in, all in one group, copy none (it read the fifth and later pages by a scan, twice as
    slow as by row number)."""
    store = tmp_path / "store"
    rows = pa.Table.from_pylist([row(i) for i in range(ROWS)], schema=ARROW)
    with new_version(FolderStore(store), "groups", "v1") as folder:
        write_parquet(folder / "ordered.parquet", rows, {}, GROUP_ROWS, "id")
        described = {"name": "ordered", "path": "ordered.parquet", "schema": SCHEMA, "rows": ROWS}
        write_descriptor(folder, {"name": "groups", "version": "v1", "resources": [described]})
        assert pq.read_metadata(folder / "ordered.parquet").metadata[ASCENDING_KEY] == b"id"
    engine = QueryEngine(FolderStore(store), Settings(store=store))
    try:
        pages = [
            engine.rows("groups", "ordered", RowsRequest(sort="-id", limit=3, offset=3 * n))
            for n in range(7)
        ]
        assert engine._kept.kept() == []
        rows = [json.loads(r)["id"] for page in pages for r in page.rows]
        assert rows == list(range(ROWS - 1, ROWS - 22, -1))
    finally:
        engine.close()


def test_kept_groups_walks_in_parallel_agree_while_groups_are_dropped(
    root: Path, scanning: QueryEngine
) -> None:
    # Room for about one group: walks in four threads keep dropping each other's groups.
    engine = QueryEngine(FolderStore(root), Settings(store=root, row_group_cache_mb=1))
    asks = [("id", 3), ("year", 5), ("code", 7), ("", 2)]
    expected = {
        sort: walk(scanning, "groups", "ordered", sort=sort or None, limit=1000) for sort, _ in asks
    }
    found: dict[str, list[dict[str, Any]]] = {}
    failures: list[BaseException] = []

    def run(sort: str, limit: int) -> None:
        try:
            found[sort] = walk(engine, "groups", "ordered", sort=sort or None, limit=limit)
        except BaseException as exc:  # reported below, not lost in the thread
            failures.append(exc)

    threads = [threading.Thread(target=run, args=ask) for ask in asks]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        engine.close()
    assert not failures
    assert found == expected
