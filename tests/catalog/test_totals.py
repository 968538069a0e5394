"""Totals decide between a count and an estimate by the file alone, never by the clock."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from unittest import mock

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import catalog.query.statistics.groups
from catalog.errors import QueryTimeout, ServiceUnavailable
from catalog.query.statistics import GroupCounts
from catalog.query.totals import Totals
from catalog.settings import Settings
from catalog.sql import Schema, parse_filters, where_sql


def timing_out(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    raise QueryTimeout("the query ran longer than the 2 s limit")


Asked = list[tuple[str, list[Any]]]


def unproved(work: Callable[[], None]) -> None:
    """No rising column is proved (`tests/catalog/test_rising_columns.py`): these count
    what the statistics leave undecided."""


def recording() -> tuple[Callable[[str, Sequence[Any]], list[tuple[Any, ...]]], Asked]:
    """A fetch through DuckDB that records each query and its parameters."""
    asked: Asked = []
    con = duckdb.connect()

    def fetch(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        asked.append((sql, list(params)))
        return con.execute(sql, list(params)).fetchall()

    return fetch, asked


X_IS_1 = parse_filters(
    Schema.from_table_schema({"fields": [{"name": "x", "type": "integer"}]}), [("x", "1")]
)


@pytest.mark.parametrize("rows", [100, 500_000, None])
def test_totals_auto_count_past_the_time_limit_is_busy_not_an_estimate(rows: int | None) -> None:
    # An estimate here would give the same URL (and ETag) another body under load.
    totals = Totals(Settings(), timing_out)
    with pytest.raises(ServiceUnavailable, match="total=estimate or total=none") as busy:
        totals.count("f.parquet", rows, X_IS_1, "auto")
    assert busy.value.retry_after == 1


def test_totals_exact_count_past_the_time_limit_is_a_timeout() -> None:
    totals = Totals(Settings(), timing_out)
    with pytest.raises(QueryTimeout):
        totals.count("f.parquet", 500_000, X_IS_1, "exact")


def test_group_counts_read_the_footer_where_statistics_decide(tmp_path: Path) -> None:
    # Ids 0..99 in groups of 10: `id >= 30` holds for whole groups or none, so no scan;
    # `id >= 35` splits one group, and only that group is scanned.
    path = tmp_path / "t.parquet"
    pq.write_table(pa.table({"id": pa.array(range(100), pa.int64())}), path, row_group_size=10)
    fetch, asked = recording()
    counts = GroupCounts(fetch, pq.read_metadata, unproved)
    schema = Schema.from_table_schema({"fields": [{"name": "id", "type": "integer"}]})
    decided = parse_filters(schema, [("id__gte", "30")])
    assert counts.counts(path, decided) == (0, 0, 0, *[10] * 7) and asked == []
    split = parse_filters(schema, [("id__gte", "35")])
    assert counts.scanned_rows(path, split) == 10
    assert counts.counts(path, split) == (0, 0, 0, 5, *[10] * 6)
    assert len(asked) == 1 and asked[0][1][-2:] == [30, 39]  # the one undecided group
    assert counts.counts(path, split) == (0, 0, 0, 5, *[10] * 6) and len(asked) == 1  # kept


def test_group_counts_total_counts_only_the_undecided_groups_once(tmp_path: Path) -> None:
    """An exact total alone: the decided groups from the footer, the two edges of a range by
    one count of their rows only, groups of uneven sizes too; kept once counted."""
    path = tmp_path / "t.parquet"
    pq.write_table(pa.table({"id": pa.array(range(95), pa.int64())}), path, row_group_size=10)
    fetch, asked = recording()
    counts = GroupCounts(fetch, pq.read_metadata, unproved)
    schema = Schema.from_table_schema({"fields": [{"name": "id", "type": "integer"}]})
    for low, high in ((35, 62), (0, 94), (91, 200), (12, 13), (40, 49)):
        between = parse_filters(schema, [("id__gte", str(low)), ("id__lte", str(high))])
        asked.clear()
        assert counts.total(path, between) == len(range(low, min(high, 94) + 1))
        edges = [n for n, found in enumerate(counts.decided(path, between)) if found is None]
        assert len(asked) == (1 if edges else 0) and "GROUP BY" not in str(asked)
        if edges:  # only the edge groups' rows: the rows between them are counted unscanned
            assert asked[0][1][-2:] == [edges[-1] * 10, min(edges[-1] * 10 + 9, 94)]
        assert counts.total(path, between) == len(range(low, min(high, 94) + 1))
        assert len(asked) == (1 if edges else 0)  # kept


def test_group_counts_read_a_columns_statistics_once_per_file(tmp_path: Path) -> None:
    """A filter never asked before is decided from statistics already read: reading them
    for 82 row groups took about a millisecond on each cold total of the benchmark."""
    path = tmp_path / "t.parquet"
    pq.write_table(pa.table({"id": pa.array(range(100), pa.int64())}), path, row_group_size=10)
    counts = GroupCounts(timing_out, pq.read_metadata, unproved)
    schema = Schema.from_table_schema({"fields": [{"name": "id", "type": "integer"}]})
    assert counts.decided(path, parse_filters(schema, [("id__gte", "30")]))[2:4] == [0, 10]
    unread = mock.patch.object(
        catalog.query.statistics.groups, "_stats", side_effect=AssertionError
    )
    with unread:
        decided = counts.decided(path, parse_filters(schema, [("id__lt", "35")]))
    assert decided == [10, 10, 10, None, *[0] * 6]


def estimating(path: Path, sample: int) -> tuple[Totals, Asked]:
    fetch, asked = recording()
    settings = Settings(exact_total_rows=0, total_sample_rows=sample)
    return Totals(settings, fetch, GroupCounts(fetch, pq.read_metadata, unproved)), asked


DAYS = Schema.from_table_schema(
    {"fields": [{"name": "day", "type": "integer"}, {"name": "n", "type": "integer"}]}
)


def test_totals_estimate_counts_the_groups_the_statistics_decide(tmp_path: Path) -> None:
    """A range of a column the file is sorted by: the groups inside it are counted from the
    footer and only the two it cuts are sampled. Sampling the whole file scaled 8 runs up,
    most of them outside the range (14.6 % off on a date range at 10M rows)."""
    path = tmp_path / "t.parquet"
    days = [i // 7 for i in range(10_000)]  # rising, seven rows a day, 1,000 rows a group
    noise = [(i * 7919) % 13 for i in range(10_000)]
    table = pa.table({"day": pa.array(days, pa.int64()), "n": pa.array(noise, pa.int64())})
    pq.write_table(table, path, row_group_size=1_000)
    con = duckdb.connect()
    for filters, off in (
        ([("day__gte", "300"), ("day__lte", "1100")], 0.05),  # cuts groups 2 and 7 only
        # Groups 2 to 7 undecided: runs through them fall outside the range in 2 and 7, as
        # spread runs do on a sorted column (11-20 % off here); no others are sampled.
        ([("day__gte", "300"), ("day__lte", "1100"), ("n__lt", "4")], None),
        ([("day__gte", "2000")], 0),  # past the last: every group decided, nothing read
    ):
        parsed = parse_filters(DAYS, filters)
        where, params = where_sql([f.sql() for f in parsed])
        truth = con.execute(f"SELECT count(*) FROM read_parquet(?){where}", [str(path), *params])
        expected = truth.fetchone()[0]  # type: ignore[index]
        # A sample as large as the undecided groups counts them all: exact.
        totals, asked = estimating(path, 2_000)
        found, exact = totals.count(str(path), 10_000, parsed, "estimate")
        undecided = totals.groups.scanned_rows(str(path), parsed)  # type: ignore[union-attr]
        assert exact is (undecided <= 2_000)
        if exact:
            assert found == expected
            assert len(asked) == (1 if undecided else 0)
        elif off is not None:
            assert abs(found - expected) <= off * expected, (found, expected)
        # A sample smaller than them: scaled up from the runs, within a few percent here.
        totals, asked = estimating(path, 800)
        found, exact = totals.count(str(path), 10_000, parsed, "estimate")
        assert exact is (undecided == 0)
        assert off is None or abs(found - expected) <= off * expected, (found, expected)
        if undecided:
            ranges = asked[-1][1][-16:]
            spans = list(zip(ranges[::2], ranges[1::2], strict=True))
            sampled = sum(last - first + 1 for first, last in spans)
            assert sampled == 800  # eight runs of 100 rows, all in undecided groups
            decided = totals.groups.decided(str(path), parsed)  # type: ignore[union-attr]
            assert all(decided[row // 1_000] is None for span in spans for row in span)


@pytest.mark.parametrize(
    "filters",
    [
        [("day__gte", "300"), ("n__lt", "4")],  # the bound cuts group 2: its first rows miss
        [("day__lte", "1100"), ("n__lt", "4")],  # cuts group 7: its last rows miss
        [("day__gte", "300"), ("day__lte", "1100"), ("n__lt", "4")],
        [("day", "1142"), ("n__lt", "4")],  # one day across the edge of groups 7 and 8
    ],
)
def test_totals_estimate_counts_the_groups_a_bound_falls_inside(
    tmp_path: Path, filters: list[tuple[str, str]]
) -> None:
    """A group that a bound on a sorted column cuts holds its matches at one end: the evenly
    spread runs always sample the first and last undecided rows, so a date lower bound with
    another filter was estimated 3.5-7.5 % low at 10M rows. Those groups are counted."""
    path = tmp_path / "t.parquet"
    days = [i // 7 for i in range(20_000)]  # rising, seven rows a day, 1,000 rows a group
    noise = [(i * 7919) % 13 for i in range(20_000)]
    table = pa.table({"day": pa.array(days, pa.int64()), "n": pa.array(noise, pa.int64())})
    pq.write_table(table, path, row_group_size=1_000)
    parsed = parse_filters(DAYS, filters)
    where, params = where_sql([f.sql() for f in parsed])
    truth = duckdb.connect().execute(
        f"SELECT count(*) FROM read_parquet(?){where}", [str(path), *params]
    )
    expected = truth.fetchone()[0]  # type: ignore[index]
    totals, asked = estimating(path, 2_000)
    edges = totals.groups.edges(str(path), parsed)  # type: ignore[union-attr]
    assert 1 <= len(edges) <= 2 and all(size == 1_000 for _, size in edges)
    found, exact = totals.count(str(path), 20_000, parsed, "estimate")
    undecided = totals.groups.scanned_rows(str(path), parsed)  # type: ignore[union-attr]
    assert exact is (undecided - 1_000 * len(edges) <= 2_000)
    assert abs(found - expected) <= 0.02 * expected, (found, expected)
    counted = [p for sql, p in asked if "FILTER" not in sql]  # the edges' count, then the sample
    assert len(counted) == 1 and counted[0][-2 * len(edges) :] == [
        row for first, size in edges for row in (first, first + size - 1)
    ]
