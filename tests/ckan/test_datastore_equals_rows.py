"""datastore_search answers the records `/rows` answers for the same question.

Each example writes a SYNTHETIC Parquet file (a few small row groups, in key order or
shuffled, with nulls, Chinese text, quotes and decimals) and asks the same filters, sort,
limit and offset of both: CKAN's `datastore_search` (its answer written as the API writes
it, records spliced in as DuckDB rendered them) and the v1 rows engine. The records, less
`_id`, must be the rows, with every number as printed, and the totals must agree.
"""

from __future__ import annotations

import itertools
import json
import random
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.ckan import DataStore
from catalog.query import QueryEngine, RowsRequest
from catalog.settings import Settings
from catalog.sql import dumps_exact
from catalog.store import Store
from tests.querydata import new_version, write_descriptor
from tests.servers import open_test_store, store_location

SLUG = "dsrows"
RESOURCE_ID = "0f0f0f0f-0000-4000-8000-000000000002"
ARROW = pa.schema(
    [
        ("id", pa.int64()),
        ("k", pa.int64()),
        ("s", pa.string()),
        ("grade", pa.int64()),
        ("amount", pa.decimal128(12, 2)),
        ("ratio", pa.float64()),
    ]
)
FIELDS = [
    {"name": "id", "type": "integer", "constraints": {"required": True}},
    {"name": "k", "type": "integer"},
    {"name": "s", "type": "string"},
    {"name": "grade", "type": "integer"},
    {"name": "amount", "type": "number", "decimals": 2},
    {"name": "ratio", "type": "number"},
]
TEXTS = ["a", "b", "中文", 'q"u,o\\te', " padded ", None]
SORTABLE = ["k", "s", "grade", "amount", "ratio", "id"]
_versions = itertools.count()


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("dsrows") / "store"


@pytest.fixture(scope="module")
def store(root: Path) -> Store:
    return open_test_store(root)


@pytest.fixture(scope="module")
def engine(store: Store, root: Path) -> Iterator[QueryEngine]:
    engine = QueryEngine(store, Settings(store=store_location(root)))
    yield engine
    engine.close()


def publish(store: Store, rows: list[dict[str, Any]], group_rows: int) -> None:
    """A new current version holding `rows` in row groups of `group_rows`."""
    version = f"v{next(_versions)}"
    with new_version(store, SLUG, version) as folder:
        pq.write_table(pa.Table.from_pylist(rows, schema=ARROW), folder / "t.parquet", group_rows)
        schema = {"fields": FIELDS, "primaryKey": ["id"]}
        resource = {"name": "t", "path": "t.parquet", "schema": schema, "rows": len(rows)}
        descriptor = {"name": SLUG, "version": version, "resources": [resource]}
        write_descriptor(folder, descriptor)


def table(count: int, shuffled: bool, seed: int) -> list[dict[str, Any]]:
    chance = random.Random(seed)
    rows = [
        {
            "id": i,
            "k": None if chance.random() < 0.2 else chance.randrange(6),
            "s": chance.choice(TEXTS),
            "grade": i // 4,
            "amount": None
            if chance.random() < 0.1
            else Decimal(chance.randrange(-5000, 5000)) / 100,
            "ratio": chance.choice([0.1, 1 / 3, 2.5, 1e21, -0.0, None]),
        }
        for i in range(count)
    ]
    if shuffled:
        chance.shuffle(rows)
    return rows


# One filter both ways: CKAN's `filters` member and `/rows`' query parameter.
Filter = tuple[dict[str, Any], tuple[str, str]]
FILTERS: list[Filter] = [
    ({"grade": 3}, ("grade", "3")),
    ({"grade": [1, 4]}, ("grade__in", "1,4")),
    ({"id": {"gte": 17}}, ("id__gte", "17")),
    ({"id": {"lt": 30}}, ("id__lt", "30")),
    ({"k": 2}, ("k", "2")),
    ({"k": [0, 5]}, ("k__in", "0,5")),
    ({"s": "b"}, ("s", "b")),
    ({"s": "中文"}, ("s", "中文")),
    ({"grade": {"gt": 2}}, ("grade__gt", "2")),
]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    count=st.integers(0, 60),
    group_rows=st.integers(1, 11),
    shuffled=st.booleans(),
    seed=st.integers(0, 1000),
    filters=st.lists(st.sampled_from(FILTERS), max_size=2, unique_by=lambda f: next(iter(f[0]))),
    sort=st.lists(st.tuples(st.sampled_from(SORTABLE), st.booleans()), max_size=2),
    limit=st.integers(1, 15),
    offset=st.integers(0, 70),
)
def test_datastore_search_records_are_the_rows_of_rows(
    store: Store,
    engine: QueryEngine,
    count: int,
    group_rows: int,
    shuffled: bool,
    seed: int,
    filters: list[Filter],
    sort: list[tuple[str, bool]],
    limit: int,
    offset: int,
) -> None:
    publish(store, table(count, shuffled, seed), group_rows)
    keys = list(dict(sort).items())  # a column sorted once
    # In the file's order (`_id`) unless sorted; `/rows` is asked the key the file holds
    # (ids in row order when not shuffled), or, shuffled, sorts by its primary key as well.
    keys = keys or ([] if shuffled else [("id", False)])
    data: dict[str, Any] = {
        "resource_id": RESOURCE_ID,
        "filters": {name: value for member, _ in filters for name, value in member.items()},
        "limit": limit,
        "offset": offset,
    }
    if keys:
        data["sort"] = ", ".join(f"{name} {'desc' if down else 'asc'}" for name, down in keys)
    else:
        data["sort"] = "id"
    found = DataStore(engine, lambda _: (SLUG, "t")).search(data)
    # As the API writes it: the records spliced in, then read back with numbers as printed.
    written = json.loads(dumps_exact({"result": found}), parse_float=str)["result"]
    asked = RowsRequest(
        filters=[rows_filter for _, rows_filter in filters],
        sort=",".join(("-" if down else "") + name for name, down in keys) or "id",
        limit=limit,
        offset=offset,
        total="exact",
    )
    page = engine.rows(SLUG, "t", asked)
    rows = [json.loads(text, parse_float=str) for text in page.rows]
    assert [{k: v for k, v in r.items() if k != "_id"} for r in written["records"]] == rows
    assert [next(iter(r)) for r in written["records"]] == ["_id"] * len(rows)
    assert written["total"] == page.total
