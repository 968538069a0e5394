"""datastore_search read by the page engine answers exactly what its own SQL answers.

Each example writes a SYNTHETIC Parquet file of a few small row groups, stored in key order
or shuffled, with nulls, and asks datastore_search a question the page engine can ask
(plain filters, `_id` ranges as `next_page` gives them, sorts on fields and `_id`, any
offset, each records format, with and without the total). The whole answer must equal
the one the search's own SQL gives (`Plan.page_sql`, the engine bypassed), and the page
engine must have been asked.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import catalog.ckan.datastore.plans
import catalog.query.pages
from catalog.ckan import DataStore
from catalog.query import QueryEngine
from catalog.settings import Settings
from catalog.sql import dumps_exact
from catalog.store import ASCENDING_KEY, Store
from tests.querydata import new_version, write_descriptor
from tests.servers import open_test_store, store_location

SLUG = "dsfast"
RESOURCE_ID = "0f0f0f0f-0000-4000-8000-000000000001"
ARROW = pa.schema(
    [("id", pa.int64()), ("k", pa.int64()), ("s", pa.string()), ("grade", pa.int64())]
)
FIELDS = [
    {"name": "id", "type": "integer", "constraints": {"required": True}},
    {"name": "k", "type": "integer"},
    {"name": "s", "type": "string"},
    {"name": "grade", "type": "integer"},
]
SORTS = ["", "id", "id desc", "grade", "k", "s, grade desc", "_id desc", "grade desc, _id"]
SORTS += ["k desc nulls last", '"s" asc']
FILTERS: list[dict[str, Any]] = [
    {},
    {"grade": 3},
    {"grade": [1, 4]},
    {"id": {"gte": 17}},
    {"id": {"lt": 9, "gt": 2}},
    {"s": "b"},
    {"s": "b", "id": {"gte": 20}},
    {"k": {"in": [1, 2]}, "grade": {"lte": 6}},
    {"_id": {"gt": 10}},
    {"_id": {"lte": 5, "gte": 2}},
    {"_id": [3, 7, 30]},
    {"_id": {"lt": 12}, "s": ["a", "c"]},
    {"id": 99999},
]
FIELD_LISTS = [None, "id,_id", "s,k", "grade,_id,id"]
_versions = itertools.count()


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("dsfast") / "store"


@pytest.fixture(scope="module")
def store(root: Path) -> Store:
    return open_test_store(root)


@pytest.fixture(scope="module")
def datastore(store: Store, root: Path) -> Iterator[DataStore]:
    engine = QueryEngine(store, Settings(store=store_location(root)))
    yield DataStore(engine, lambda _: (SLUG, "t"))
    engine.close()


def publish(store: Store, rows: list[dict[str, Any]], group_rows: int, keyed: bool) -> None:
    """A new version holding `rows` in row groups of `group_rows`."""
    version = f"v{next(_versions)}"
    with new_version(store, SLUG, version) as folder:
        rows_table = pa.Table.from_pylist(rows, schema=ARROW)
        ids = [row["id"] for row in rows]
        if all(a < b for a, b in itertools.pairwise(ids)):  # recorded as the writer does
            rows_table = rows_table.replace_schema_metadata({ASCENDING_KEY: b"id"})
        pq.write_table(rows_table, folder / "t.parquet", row_group_size=group_rows)
        schema: dict[str, Any] = {"fields": FIELDS, **({"primaryKey": ["id"]} if keyed else {})}
        resource = {"name": "t", "path": "t.parquet", "schema": schema, "rows": len(rows)}
        descriptor = {"name": SLUG, "version": version, "resources": [resource]}
        write_descriptor(folder, descriptor)


def table(count: int, shuffled: bool, seed: int) -> list[dict[str, Any]]:
    chance = random.Random(seed)
    rows = [
        {
            "id": i,
            "k": None if chance.random() < 0.2 else chance.randrange(6),
            "s": chance.choice(["a", "b", "c", None]),
            "grade": i // 4,
        }
        for i in range(count)
    ]
    if shuffled:
        chance.shuffle(rows)
    return rows


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
    fields=st.sampled_from(FIELD_LISTS),
    records_format=st.sampled_from(["objects", "lists", "csv", "tsv"]),
    limit=st.integers(1, 12),
    offset=st.integers(0, 50),
    include_total=st.booleans(),
    shallow=st.booleans(),
)
def test_datastore_search_by_the_page_engine_equals_its_own_sql(
    store: Store,
    datastore: DataStore,
    count: int,
    group_rows: int,
    shuffled: bool,
    keyed: bool,
    seed: int,
    sort: str,
    filters: dict[str, Any],
    fields: str | None,
    records_format: str,
    limit: int,
    offset: int,
    include_total: bool,
    shallow: bool,
) -> None:
    publish(store, table(count, shuffled, seed), group_rows, keyed)
    data: dict[str, Any] = {
        "resource_id": RESOURCE_ID,
        "filters": filters,
        "limit": limit,
        "offset": offset,
        "include_total": include_total,
        "records_format": records_format,
        "include_next_page": True,
    }
    data |= {"sort": sort} if sort else {}
    data |= {"fields": fields} if fields else {}
    engine = datastore.engine
    # `shallow`: every offset takes the path of deep ones in orders the file is not stored in.
    with (
        mock.patch.object(catalog.query.pages, "SHALLOW_OFFSET", 0 if shallow else 10_000),
        mock.patch.object(engine, "page", wraps=engine.page) as paged,
    ):
        fast = datastore.search(dict(data))
    assert paged.called
    with mock.patch.object(catalog.ckan.datastore.plans, "_question", return_value=None):
        plain = datastore.search(dict(data))
    assert fast == plain
    # And the same records in the same order, as the client sees them.
    assert dumps_exact(fast["records"]) == dumps_exact(plain["records"])


def test_datastore_search_asks_the_page_engine_only_what_it_can_express(
    store: Store, datastore: DataStore
) -> None:
    publish(store, table(30, False, 1), 7, True)
    engine = datastore.engine
    others: list[dict[str, Any]] = [
        {"filters": {"$or": [{"grade": 1}, {"s": "b"}]}},
        {"filters": [{"grade": 1}, {"grade": 2}]},
        {"filters": {"k": None}},
        {"filters": {"k": [1, {"gt": 4}]}},
        {"sort": "k nulls first"},
        {"q": "b"},
        {"distinct": True, "fields": "s"},
        {"fields": "_id"},
        {"limit": 20_000},
    ]
    for other in others:
        with mock.patch.object(engine, "page", wraps=engine.page) as paged:
            found = datastore.search({"resource_id": RESOURCE_ID, **other})
        assert not paged.called, other
        assert "records" in found


@pytest.mark.parametrize(
    "filters",
    [
        {"_id": {"gt": -(2**63)}},
        {"_id": [-(2**63), 3]},
        {"_id": {"lte": 2**63 - 1}},
        {"_id": -5},
        {"id": {"gt": 2**63 - 1}},
    ],
)
def test_datastore_search_at_the_edges_of_64_bits_answers_as_its_own_sql(
    store: Store, datastore: DataStore, filters: dict[str, Any]
) -> None:
    # `_id` is the row number plus one: the smallest `_id` is one below the smallest row
    # number a query binds.
    publish(store, table(20, False, 2), 6, True)
    data = {"resource_id": RESOURCE_ID, "filters": filters, "limit": 5}
    fast = datastore.search(dict(data))
    with mock.patch.object(catalog.ckan.datastore.plans, "_question", return_value=None):
        assert fast == datastore.search(dict(data))


@pytest.mark.parametrize(("count", "group_rows"), [(2, 1), (5, 2), (7, 3)])
def test_datastore_search_by_row_number_descending_at_every_offset(
    store: Store, datastore: DataStore, count: int, group_rows: int
) -> None:
    # Found by the property above: the row before a page `_id desc` was taken counting
    # from the start of the file, so every page past the first came back empty.
    publish(store, table(count, False, 0), group_rows, False)
    for offset, limit in itertools.product(range(count + 1), (1, 2)):
        data = {"resource_id": RESOURCE_ID, "sort": "_id desc", "offset": offset, "limit": limit}
        fast = datastore.search(dict(data))
        with mock.patch.object(catalog.ckan.datastore.plans, "_question", return_value=None):
            plain = datastore.search(dict(data))
        assert fast == plain
        records = fast["records"].value()
        assert [r["_id"] for r in records] == list(range(count - offset, 0, -1))[:limit]


@pytest.mark.parametrize("sort", ["id", "id desc", "id, grade desc", "", "_id desc"])
@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"grade": [1, 3, 4]},
        {"id": {"gt": 6}},
        {"_id": {"gt": 9}},
        {"_id": {"gt": 3}, "grade": 2},
    ],
)
def test_datastore_search_in_the_order_the_rows_rise_in_equals_its_own_sql(
    store: Store, datastore: DataStore, sort: str, filters: dict[str, Any]
) -> None:
    """A file its writer recorded as rising strictly in `id`: sorted by it (either way, with
    anything after it) a page is a range of row numbers, and in the row number's order a
    page filtered on `id` is sought by `id`'s statistics, one filtered on `_id` by the row
    number's (`KeptGroups.quickest_keys`). Every offset and limit gives what the search's own
    SQL gives, `_id` included."""
    publish(store, table(23, False, 3), 4, True)
    for offset, limit in itertools.product(range(25), (1, 3)):
        data = {"resource_id": RESOURCE_ID, "filters": filters, "offset": offset, "limit": limit}
        data |= {"sort": sort} if sort else {}
        fast = datastore.search(dict(data))
        with mock.patch.object(catalog.ckan.datastore.plans, "_question", return_value=None):
            plain = datastore.search(dict(data))
        assert fast == plain, (offset, limit)
        assert dumps_exact(fast["records"]) == dumps_exact(plain["records"])
