"""Totals decide between a count and an estimate by the file alone, never by the clock."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any
from unittest import mock

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import catalog.query.totals
from catalog.errors import QueryTimeout, ServiceUnavailable
from catalog.query.totals import GroupCounts, Totals
from catalog.settings import Settings
from catalog.sql import Schema, parse_filters


def timing_out(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    raise QueryTimeout("the query ran longer than the 2 s limit")


@pytest.mark.parametrize("rows", [100, 500_000, None])
def test_totals_auto_count_past_the_time_limit_is_busy_not_an_estimate(rows: int | None) -> None:
    # An estimate here would give the same URL (and ETag) another body under load.
    totals = Totals(Settings(), timing_out)
    with pytest.raises(ServiceUnavailable, match="total=estimate or total=none") as busy:
        totals.count("f.parquet", rows, (" WHERE x = ?", [1]), "auto")
    assert busy.value.retry_after == 1


def test_totals_exact_count_past_the_time_limit_is_a_timeout() -> None:
    totals = Totals(Settings(), timing_out)
    with pytest.raises(QueryTimeout):
        totals.count("f.parquet", 500_000, (" WHERE x = ?", [1]), "exact")


def test_group_counts_read_the_footer_where_statistics_decide(tmp_path: Path) -> None:
    # Ids 0..99 in groups of 10: `id >= 30` holds for whole groups or none, so no scan;
    # `id >= 35` splits one group, and only that group is scanned.
    path = tmp_path / "t.parquet"
    pq.write_table(pa.table({"id": pa.array(range(100), pa.int64())}), path, row_group_size=10)
    asked: list[tuple[str, list[Any]]] = []
    con = duckdb.connect()

    def fetch(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        asked.append((sql, list(params)))
        return con.execute(sql, list(params)).fetchall()

    counts = GroupCounts(fetch, pq.read_metadata)
    schema = Schema.from_table_schema({"fields": [{"name": "id", "type": "integer"}]})
    decided = parse_filters(schema, [("id__gte", "30")])
    assert counts.counts(path, decided) == (0, 0, 0, *[10] * 7) and asked == []
    split = parse_filters(schema, [("id__gte", "35")])
    assert counts.scanned_rows(path, split) == 10
    assert counts.counts(path, split) == (0, 0, 0, 5, *[10] * 6)
    assert len(asked) == 1 and asked[0][1][-2:] == [30, 39]  # the one undecided group
    assert counts.counts(path, split) == (0, 0, 0, 5, *[10] * 6) and len(asked) == 1  # kept


def test_group_counts_read_a_columns_statistics_once_per_file(tmp_path: Path) -> None:
    """A filter never asked before is decided from statistics already read: reading them
    for 82 row groups took about a millisecond on each cold total of the benchmark."""
    path = tmp_path / "t.parquet"
    pq.write_table(pa.table({"id": pa.array(range(100), pa.int64())}), path, row_group_size=10)
    counts = GroupCounts(timing_out, pq.read_metadata)
    schema = Schema.from_table_schema({"fields": [{"name": "id", "type": "integer"}]})
    assert counts.decided(path, parse_filters(schema, [("id__gte", "30")]))[2:4] == [0, 10]
    unread = mock.patch.object(catalog.query.totals, "_stats", side_effect=AssertionError)
    with unread:
        decided = counts.decided(path, parse_filters(schema, [("id__lt", "35")]))
    assert decided == [10, 10, 10, None, *[0] * 6]
