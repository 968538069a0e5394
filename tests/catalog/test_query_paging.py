"""Keyset paging: any sort, any page size, any filter walks every row once, in order."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.query import Cursor, QueryEngine, RowsRequest
from catalog.query.cursor import as_text
from catalog.settings import Settings
from catalog.sql import Column, parse_value
from catalog.store import FolderStore
from tests.querydata import WAGE_FIELDS, build_store, walk

SORTABLE = [str(f["name"]) for f in WAGE_FIELDS]
FILTERS = [
    (),
    (("workers__isnull", "false"),),
    (("region_code__in", "520100,520400"),),
    (("ratio__lt", "0.5"),),
]


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[QueryEngine]:
    root = build_store(tmp_path_factory.mktemp("paging") / "store")
    engine = QueryEngine(FolderStore(root), Settings(store=root))
    yield engine
    engine.close()


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(
    sort=st.lists(
        st.tuples(st.sampled_from(SORTABLE), st.booleans()),
        max_size=3,
        unique_by=lambda item: item[0],
    ),
    limit=st.integers(min_value=1, max_value=90),
    filters=st.sampled_from(FILTERS),
)
def test_query_paging_by_cursor_equals_one_big_page(
    engine: QueryEngine, sort: list[tuple[str, bool]], limit: int, filters: Any
) -> None:
    text = ",".join(("-" if descending else "") + name for name, descending in sort)
    whole = engine.rows(
        "wages-test", "wages", RowsRequest(sort=text, limit=10_000, filters=filters)
    )
    assert whole.next is None
    walked = walk(engine, "wages-test", "wages", sort=text, limit=limit, filters=filters)
    assert walked == [json.loads(row) for row in whole.rows]
    assert whole.total == len(walked)


@settings(max_examples=15, deadline=None)
@given(limit=st.integers(min_value=1, max_value=31), descending=st.booleans())
def test_query_paging_without_primary_key_keeps_duplicates(
    engine: QueryEngine, limit: int, descending: bool
) -> None:
    sort = "-topic" if descending else "topic"
    walked = walk(engine, "wages-test", "notes", sort=sort, limit=limit)
    whole = engine.rows("wages-test", "notes", RowsRequest(sort=sort, limit=10_000))
    assert walked == [json.loads(row) for row in whole.rows] and len(walked) == 30


VALUES = {
    "string": st.text(),
    "integer": st.integers(min_value=-(2**63), max_value=2**63 - 1),
    "number": st.floats(allow_nan=False, allow_infinity=False),
    "boolean": st.booleans(),
    "date": st.dates(),
    "datetime": st.datetimes(),
    "year": st.integers(min_value=-9999, max_value=9999),
}


@given(data=st.data(), kind=st.sampled_from(sorted(VALUES)))
def test_query_cursor_values_round_trip_per_type(data: st.DataObject, kind: str) -> None:
    value = data.draw(VALUES[kind])
    column = Column("c", kind)
    assert parse_value(column, as_text(value) or "", "next") == value


@given(
    st.decimals(
        min_value=Decimal("-9999999999999999.99"),
        max_value=Decimal("9999999999999999.99"),
        places=2,
    )
)
def test_query_cursor_decimals_round_trip(value: Decimal) -> None:
    assert parse_value(Column("c", "number", decimals=2), as_text(value) or "", "next") == value


def test_query_cursor_token_round_trips() -> None:
    cursor = Cursor("v2", "-year,region_code", ("2021", None, "贵阳"))
    assert Cursor.decode(cursor.encode()) == cursor
    assert as_text(date(2020, 1, 2)) == "2020-01-02"
    assert as_text(datetime(2020, 1, 2, 3, 4, 5)) == "2020-01-02T03:04:05"
