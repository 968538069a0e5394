"""DuckDB and polars read every published version as it lies in the store (issue 17, part 4).

For every resource of every dataset's current version: the file is the one the descriptor
names (its bytes and sha256), and each engine counts the descriptor's rows, sees its fields
in order with the types the Table Schema promises, and sums every numeric column as the
other engine and our own /api/v1 aggregate do. Spark reads the same in test_spark.py.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import polars as pl
import pyarrow.parquet as pq
import pytest

from tests.analytics.conftest import TYPED_SLUG, api_sums
from tests.analytics.engines import duckdb_reading, polars_reading, problems, same_sum
from tests.analytics.published import Resource, expected_types, scale_fields

pytestmark = pytest.mark.slow  # the real_store build and two real servers


def test_each_file_is_the_one_its_descriptor_names(resources: list[Resource]) -> None:
    wrong = []
    for resource in resources:
        data = resource.path.read_bytes()
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        if (len(data), digest) != (resource.descriptor["byte_size"], resource.descriptor["hash"]):
            wrong.append(f"{resource}: {len(data)} bytes {digest}")
    assert wrong == []


def test_arrow_reads_the_schema_types(resources: list[Resource]) -> None:
    """pyarrow, which Spark-from-Arrow and most Python tools stand on, sees the mapping too."""
    wrong = []
    for resource in resources:
        schema = pq.read_schema(resource.path)
        scales = {name: _arrow_max(resource.path, name) for name in scale_fields(resource)}
        seen = {field.name: str(field.type) for field in schema}
        if list(seen.items()) != list(expected_types(resource, "arrow", scales).items()):
            wrong.append(f"{resource}: {seen}")
    assert wrong == []


def test_duckdb_reads_every_resource_as_published(resources: list[Resource]) -> None:
    con = duckdb.connect()
    assert [p for r in resources for p in problems("duckdb", r, duckdb_reading(con, r))] == []


def test_polars_reads_every_resource_as_published(resources: list[Resource]) -> None:
    assert [p for r in resources for p in problems("polars", r, polars_reading(r))] == []


def test_the_typed_columns_hold_their_values(typed_store: Path) -> None:
    """The mapping holds for values, not only for names: a date is that day, a decimal
    exact, a missing cell null (not 0 or an empty string) in both engines."""
    (path,) = typed_store.glob(f"{TYPED_SLUG}/*/typed.parquet")
    rows = duckdb.sql(f"SELECT * FROM read_parquet('{path}') ORDER BY code").fetchall()
    polars_rows = pl.read_parquet(path).sort("code").rows()
    assert rows == polars_rows
    assert [str(v) for v in rows[1]] == [
        "b", "2", "1.25", "-3.10", "False", "2023-01-31", "2023-01-31 23:59:59", "2022", "2022-12",
    ]  # fmt: skip
    assert rows[2] == ("c", *[None] * 8)


def test_sums_agree_in_duckdb_polars_and_the_api(
    resources: list[Resource], real_server: str, typed_server: str
) -> None:
    con = duckdb.connect()
    disagree, compared = [], 0
    for resource in resources:
        url = typed_server if resource.slug == TYPED_SLUG else real_server
        sums = {
            "duckdb": duckdb_reading(con, resource).sums,
            "polars": polars_reading(resource).sums,
            "api": api_sums(url, resource) if resource.numeric else {},
        }
        for column in resource.numeric:
            values = {engine: found[column] for engine, found in sums.items()}
            compared += 1
            if not all(same_sum(values["duckdb"], v) for v in values.values()):
                disagree.append(f"{resource} {column}: {values}")
    assert disagree == []
    assert compared >= 50  # every numeric column of the shipped datasets, not a handful


def _arrow_max(path: Path, column: str) -> int:
    values = pq.read_table(path, columns=[column]).column(column).to_pylist()
    return max((v for v in values if v is not None), default=0)
