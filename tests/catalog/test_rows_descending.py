"""Offset pages sorted by a descending first key the file is stored by, located from the end.

Each example writes a SYNTHETIC Parquet file stored in the order of `k`, in small row groups
written one by one, so that a value's ties stay in one group (each group's values all below
the next one's: the footer then says which group holds any rank, counted from the last group
for `-k`). The engine refuses offsets past 1 in any order it cannot locate
(`max_offset=1`), so a deep page it answers was located, not scanned. Files whose ties
straddle groups, or whose `k` has nulls, cannot be located; they are answered by the scan,
on an engine without that bound. Every page and total must be what DuckDB answers on the same
file with `ORDER BY ... DESC NULLS LAST ... LIMIT ... OFFSET` and `count(*)`.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.errors import InvalidParameter
from catalog.query import QueryEngine, RowsRequest
from catalog.settings import Settings
from catalog.store import FolderStore
from tests.querydata import new_version, write_descriptor

SLUG = "descending"
ARROW = pa.schema([("id", pa.int64()), ("k", pa.int64()), ("s", pa.string())])
FIELDS = [
    {"name": "id", "type": "integer", "constraints": {"required": True}},
    {"name": "k", "type": "integer"},
    {"name": "s", "type": "string"},
]
# (API sort, SQL order before the tie-breaker)
SORTS = [
    ("-k", "k DESC NULLS LAST"),
    ("-k,s", "k DESC NULLS LAST, s ASC NULLS LAST"),
    ("-k,-s", "k DESC NULLS LAST, s DESC NULLS LAST"),
    ("-id", "id DESC NULLS LAST"),
]
FILTERS: list[tuple[tuple[tuple[str, str], ...], str]] = [
    ((), "TRUE"),
    ((("s", "b"),), "s = 'b'"),
    ((("k__lt", "6"),), "k < 6"),
    ((("id__gte", "7"), ("s__ne", "a")), "id >= 7 AND s <> 'a'"),
]
_versions = itertools.count()

# One row group: the run of `k` values it holds, each value with its number of ties.
Group = list[tuple[int, int]]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("descending") / "store"
    (root / SLUG).mkdir(parents=True)
    return root


@pytest.fixture(scope="module")
def located(store: Path) -> Iterator[QueryEngine]:
    """An engine that answers a deep offset only where the footer locates it."""
    found = QueryEngine(FolderStore(store), Settings(store=store, max_offset=1))
    yield found
    found.close()


@pytest.fixture(scope="module")
def scanning(store: Path) -> Iterator[QueryEngine]:
    found = QueryEngine(FolderStore(store), Settings(store=store))
    yield found
    found.close()


def groups_of(ties: list[int], cuts: list[int]) -> list[Group]:
    """Values 0, 2, 4, ... (each with its ties) cut into consecutive row groups."""
    values = [(2 * i, count) for i, count in enumerate(ties)]
    found, start = [], 0
    for size in cuts:
        if start < len(values):
            found.append(values[start : start + size])
            start += size
    if start < len(values):
        found.append(values[start:])
    return found


@st.composite
def stored(draw: st.DrawFn) -> tuple[list[Group], bool]:
    """Row groups of `k` values in order, each value's ties within one group; and whether
    the groups are of one size but a smaller last one (as the publisher writes them, and as
    the counts of matches per group need)."""
    even, size = draw(st.booleans()), draw(st.integers(1, 5))
    count = draw(st.integers(0, 8))
    groups: list[Group] = []
    value = 0
    for index in range(count):
        rows = size if even else draw(st.integers(1, 5))
        rows = draw(st.integers(1, size)) if even and index == count - 1 else rows
        group: Group = []
        while rows:
            ties = draw(st.integers(1, rows))
            group.append((value, ties))
            value, rows = value + 2, rows - ties
        groups.append(group)
    return groups, even


def publish(store: Path, groups: list[Group], keyed: bool, straddle: bool, nulls: int) -> Path:
    """A new version: the groups' rows in key order (`nulls` rows without `k` at the end),
    one row group each, or (`straddle`) in row groups of 2 rows that cut through ties."""
    version = f"v{next(_versions)}"
    with new_version(FolderStore(store), SLUG, version) as folder:
        write_groups(folder, version, groups, straddle, nulls, keyed)
    return store / SLUG / version / "t.parquet"


def write_groups(
    folder: Path, version: str, groups: list[Group], straddle: bool, nulls: int, keyed: bool
) -> None:
    path = folder / "t.parquet"
    ids = itertools.count()
    letters = itertools.cycle(["a", "b", None, "b", "c"])
    tables = [
        pa.Table.from_pylist(
            [
                {"id": next(ids), "k": value, "s": next(letters)}
                for value, count in group
                for _ in range(count)
            ],
            schema=ARROW,
        )
        for group in groups
    ]
    tail = [{"id": next(ids), "k": None, "s": next(letters)} for _ in range(nulls)]
    tables.append(pa.Table.from_pylist(tail, schema=ARROW))
    whole = pa.concat_tables(tables)
    if straddle:
        pq.write_table(whole, path, row_group_size=2)
    else:
        with pq.ParquetWriter(path, ARROW) as writer:
            for part in tables:
                if part.num_rows:
                    writer.write_table(part, row_group_size=part.num_rows)
    schema: dict[str, Any] = {"fields": FIELDS, **({"primaryKey": ["id"]} if keyed else {})}
    resource = {"name": "t", "path": "t.parquet", "schema": schema, "rows": whole.num_rows}
    write_descriptor(folder, {"name": SLUG, "version": version, "resources": [resource]})


def expected(path: Path, where: str, order: str, keyed: bool, limit: int, offset: int) -> Any:
    tie = "id" if keyed else "file_row_number"
    con = duckdb.connect()
    source = f"read_parquet('{path}', file_row_number = true)"
    ids = con.execute(
        f"SELECT id FROM {source} WHERE {where} ORDER BY {order}, {tie}"
        f" LIMIT {limit} OFFSET {offset}"
    ).fetchall()
    total = con.execute(f"SELECT count(*) FROM {source} WHERE {where}").fetchone()
    assert total is not None
    return [i for (i,) in ids], total[0]


def ids_of(page: Any) -> list[int]:
    return [json.loads(row)["id"] for row in page.rows]


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    layout=stored(),
    keyed=st.booleans(),
    straddle=st.booleans(),
    nulls=st.sampled_from([0, 0, 0, 3]),
    sort=st.sampled_from(SORTS),
    filters=st.sampled_from(FILTERS),
    limit=st.integers(1, 8),
    offset=st.integers(0, 50),
    total=st.sampled_from(["auto", "exact"]),
)
def test_rows_descending_offset_page_equals_the_scan(
    store: Path,
    located: QueryEngine,
    scanning: QueryEngine,
    layout: tuple[list[Group], bool],
    keyed: bool,
    straddle: bool,
    nulls: int,
    sort: tuple[str, str],
    filters: tuple[tuple[tuple[str, str], ...], str],
    limit: int,
    offset: int,
    total: str,
) -> None:
    groups, even = layout
    path = publish(store, groups, keyed, straddle, nulls)
    # `id` is in file order whatever the groups; `k` only in whole-tie groups without nulls.
    # A filtered page is located by the counts of matches per group, groups of one size.
    ordered = sort[0] == "-id" or not (straddle or nulls)
    locatable = ordered and (not filters[0] or straddle or (even and not nulls))
    engine = located if locatable else scanning
    asked = RowsRequest(filters=filters[0], sort=sort[0], limit=limit, offset=offset, total=total)
    page = engine.rows(SLUG, "t", asked)
    ids, matches = expected(path, filters[1], sort[1], keyed, limit, offset)
    assert ids_of(page) == ids
    assert (page.total, page.total_exact) == (matches, True)
    assert (page.next is not None) == (offset + limit < matches)


def test_rows_descending_pages_of_kept_groups_equal_the_scan(
    store: Path, located: QueryEngine
) -> None:
    """With every row group kept (an ascending walk asked each one five times), the row
    before a descending page is read from the group's sorted values, counted from their end."""
    groups = groups_of([1] * 40, [7, 5, 9, 1, 8, 10])
    path = publish(store, groups, keyed=True, straddle=False, nulls=0)
    starts = itertools.accumulate((len(group) for group in groups), initial=0)
    for start in [*starts][:-1] * 5:
        located.rows(SLUG, "t", RowsRequest(sort="id", offset=start, limit=3))
    for offset in range(41):
        page = located.rows(SLUG, "t", RowsRequest(sort="-id", offset=offset, limit=4))
        assert ids_of(page) == expected(path, "TRUE", "id DESC", True, 4, offset)[0]


def test_rows_descending_deep_offset_in_an_order_not_stored_is_refused(
    store: Path, located: QueryEngine
) -> None:
    """The bound the property above relies on: `-s` is no order the file is stored in."""
    publish(store, groups_of([2] * 10, [3, 3, 4]), keyed=True, straddle=False, nulls=0)
    with pytest.raises(InvalidParameter, match="stored by"):
        located.rows(SLUG, "t", RowsRequest(sort="-s", offset=5, limit=2))


def test_rows_total_counts_a_last_row_group_larger_than_the_others(
    store: Path, located: QueryEngine
) -> None:
    """Groups of 1 and 3 rows: counting matches per group by `file_row_number // 1` took
    the last group's later rows for groups of their own (a total of 1 for 2 matches)."""
    path = publish(store, [[(0, 1)], [(2, 1), (4, 2)]], keyed=False, straddle=False, nulls=0)
    for sort in ("k", "-k", None):
        asked = RowsRequest(filters=(("s", "b"),), sort=sort, limit=1)
        page = located.rows(SLUG, "t", asked)
        assert (page.total, page.total_exact) == (
            expected(path, "s = 'b'", "k", False, 1, 0)[1],
            True,
        )
