"""Range filters on a column proved to rise are counted by binary search, and the counts
equal the plain DuckDB scan.

Each example writes a SYNTHETIC Parquet file of small row groups whose column `v` rises, or
rises from group to group but is shuffled inside them (the footer's statistics cannot tell),
or has a null, and asks totals and per-group counts of range filters on it, alone or with a
filter on another column.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import catalog.query.statistics.rising
from catalog.query.statistics import GroupCounts, prove_rising
from catalog.query.statistics.rising import RisingColumns
from catalog.sql import Schema, parse_filters

KINDS = {
    "integer": (pa.int64(), lambda n: n, str),
    "date": (pa.date32(), lambda n: date(2020, 1, 1) + timedelta(days=n), date.isoformat),
    "string": (pa.string(), lambda n: f"v{n:04d}", str),
}
SQL = {"eq": "=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
Asked = list[str]


def synchronous(work: Any) -> None:
    work()


def recording(con: duckdb.DuckDBPyConnection, asked: Asked) -> Any:
    def fetch(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        asked.append(sql)
        return con.execute(sql, list(params)).fetchall()

    return fetch


def written(
    path: Path, kind: str, steps: list[int], group_rows: int, shape: str, seed: int
) -> list[Any]:
    """A file of `v` (from `steps`: each row's value is the sum of the steps so far) and
    `other`, in groups of `group_rows`; `shape` rising, shuffled inside each group, or
    with a null in the middle."""
    arrow, value, _ = KINDS[kind]
    numbers = [sum(steps[: n + 1]) for n in range(len(steps))]
    values: list[Any] = [value(n) for n in numbers]
    chance = random.Random(seed)
    if shape == "shuffled":
        groups = [values[i : i + group_rows] for i in range(0, len(values), group_rows)]
        for group in groups:
            chance.shuffle(group)
        values = [v for group in groups for v in group]
    if shape == "null" and values:
        values[len(values) // 2] = None
    others = [chance.randrange(3) for _ in values]
    table = pa.table({"v": pa.array(values, arrow), "other": pa.array(others, pa.int64())})
    pq.write_table(table, path, row_group_size=group_rows)
    return values


def expected_counts(
    con: duckdb.DuckDBPyConnection, path: Path, where: str, group_rows: int, groups: int
) -> tuple[int, ...]:
    found = dict(
        con.execute(
            f"SELECT file_row_number // {group_rows}, count(*)"
            f" FROM read_parquet('{path}', file_row_number = true) WHERE {where} GROUP BY 1"
        ).fetchall()
    )
    return tuple(found.get(g, 0) for g in range(groups))


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    kind=st.sampled_from(sorted(KINDS)),
    steps=st.lists(st.sampled_from([0, 0, 1, 1, 2, 5]), min_size=1, max_size=60),
    group_rows=st.integers(1, 9),
    shape=st.sampled_from(["rising", "rising", "shuffled", "null"]),
    seed=st.integers(0, 1000),
    ranges=st.lists(
        st.tuples(st.sampled_from(sorted(SQL)), st.integers(-2, 130)), min_size=1, max_size=2
    ),
    other=st.sampled_from([None, "1"]),
)
def test_rising_counts_equal_the_scan(
    tmp_path: Path,
    kind: str,
    steps: list[int],
    group_rows: int,
    shape: str,
    seed: int,
    ranges: list[tuple[str, int]],
    other: str | None,
) -> None:
    path = tmp_path / f"{kind}-{shape}-{seed}-{len(steps)}-{group_rows}.parquet"
    values = written(path, kind, steps, group_rows, shape, seed)
    _, value, printed = KINDS[kind]
    con = duckdb.connect()
    asked: Asked = []
    counts = GroupCounts(recording(con, asked), pq.read_metadata, background=synchronous)
    schema = Schema.from_table_schema(
        {"fields": [{"name": "v", "type": kind}, {"name": "other", "type": "integer"}]}
    )
    given_filters = [(f"v__{op}", printed(value(n))) for op, n in ranges]
    where = [f"v {SQL[op]} ?" for op, _ in ranges]
    params: list[Any] = [value(n) for _, n in ranges]
    if other is not None:
        given_filters.append(("other", other))
        where.append("other = ?")
        params.append(int(other))
    filters = parse_filters(schema, given_filters)
    condition = " AND ".join(where)
    groups = len(range(0, len(values), group_rows))
    literal = con.execute(
        f"SELECT count(*) FROM read_parquet(?) WHERE {condition}", [str(path), *params]
    ).fetchone()
    assert literal is not None
    # Asked twice: the first proves the column (synchronously here), the second uses it.
    for _ in range(2):
        asked.clear()
        assert counts.total(path, filters) == literal[0]
    total_queries = list(asked)
    got = counts.counts(path, filters)
    inlined = condition
    for param in params:
        text = f"DATE '{param}'" if isinstance(param, date) else repr(param)
        inlined = inlined.replace("?", text, 1)
    assert got == expected_counts(con, path, inlined, group_rows, groups)
    rises = shape == "rising" or (shape == "shuffled" and values == sorted(values))
    if rises and other is None:
        # Proved: no scan at all, whatever the range.
        assert total_queries == [], total_queries


@pytest.mark.parametrize(
    ("shape", "proved"), [("rising", True), ("shuffled", False), ("null", False)]
)
def test_rising_proof_says_what_the_rows_show(tmp_path: Path, shape: str, proved: bool) -> None:
    path = tmp_path / "t.parquet"
    steps = [0, 1, 0, 0, 2, 1, 1, 0, 3, 1, 0, 1] * 4
    written(path, "integer", steps, 5, shape, seed=7)
    column = Schema.from_table_schema({"fields": [{"name": "v", "type": "integer"}]})
    filters = parse_filters(column, [("v__gte", "3")])
    con = duckdb.connect()
    sizes = [5] * 9 + [3]
    index = prove_rising(recording(con, []), str(path), filters[0].column, sizes)
    assert (index is not None) is proved
    if index is not None:
        numbers = [sum(steps[: n + 1]) for n in range(len(steps))]
        assert list(index.values) == sorted(set(numbers))
        assert list(index.starts) == [numbers.index(v) for v in index.values]
        assert index.rows == len(steps)


def test_rising_proof_gives_up_past_its_bound_of_values(tmp_path: Path) -> None:
    """A column of mostly distinct values is no index worth its memory: the proof stops at
    the first row group past the bound."""
    path = tmp_path / "t.parquet"
    written(path, "integer", [1] * 40, 10, "rising", seed=1)
    column = parse_filters(
        Schema.from_table_schema({"fields": [{"name": "v", "type": "integer"}]}), [("v", "1")]
    )[0].column
    asked: Asked = []
    with mock.patch.object(catalog.query.statistics.rising, "MAX_VALUES", 15):
        found = prove_rising(recording(duckdb.connect(), asked), str(path), column, [10] * 4)
    assert found is None and len(asked) == 2


def test_rising_proof_runs_once_at_a_time_and_is_kept(tmp_path: Path) -> None:
    """Until proved, a range filter is counted as before; the proof is kept per file and
    column, and a second column asked while one is proving waits for a later request."""
    path = tmp_path / "t.parquet"
    written(path, "integer", [1] * 40, 10, "rising", seed=1)
    started: list[Any] = []
    asked: Asked = []
    counts = GroupCounts(recording(duckdb.connect(), asked), pq.read_metadata, started.append)
    schema = Schema.from_table_schema({"fields": [{"name": "v", "type": "integer"}]})
    filters = parse_filters(schema, [("v__gte", "15"), ("v__lt", "25")])
    assert counts.total(path, filters) == 10 and len(started) == 1
    assert any("count(*)" in sql for sql in asked)  # counted: the proof has not run
    by_statistics = counts.undecided(path, filters, rising=False)
    assert by_statistics[1] != [] and counts.undecided(path, filters) == by_statistics
    started.pop()()  # the proof, on "its thread"
    # The same filters, decided before the proof came in, are decided again by it; but not
    # where the statistics alone must decide (what an estimate is made of).
    assert counts.undecided(path, filters) == (10, [])
    assert counts.undecided(path, filters, rising=False) == by_statistics
    asked.clear()
    narrower = parse_filters(schema, [("v__gte", "16"), ("v__lt", "24")])
    assert counts.total(path, narrower) == 8 and asked == [] and started == []


def test_rising_indexes_kept_are_bounded_by_their_values(tmp_path: Path) -> None:
    """The least recently used index is dropped once the kept ones hold more values than
    the bound: memory does not grow with the files and columns asked."""
    column = parse_filters(
        Schema.from_table_schema({"fields": [{"name": "v", "type": "integer"}]}), [("v", "1")]
    )[0].column
    paths = [tmp_path / f"{n}.parquet" for n in range(3)]
    for path in paths:
        written(path, "integer", [1] * 40, 10, "rising", seed=1)
    asked: Asked = []
    indexes = RisingColumns(recording(duckdb.connect(), asked), synchronous)
    with mock.patch.object(catalog.query.statistics.rising, "KEPT_VALUES", 90):
        for path in paths:
            assert indexes.index(str(path), column, [10] * 4) is not None
        asked.clear()
        assert indexes.index(str(paths[2]), column, [10] * 4) is not None and asked == []
        assert indexes.index(str(paths[1]), column, [10] * 4) is not None and asked == []
        # The first was dropped for the third: proved again when asked again.
        assert indexes.index(str(paths[0]), column, [10] * 4) is not None and len(asked) == 4
