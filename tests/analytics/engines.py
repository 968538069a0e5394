"""What DuckDB, polars and Spark read from one published Parquet file, in one query each.

Each engine is asked the same: the column names and types it sees, the number of rows, the
sum of every numeric column and the largest value of every field that holds another's
decimals (the scale the decimal column must have). Spark's reader lives in test_spark.py's
session; the functions take what they read with, so each test module starts only its own.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import duckdb
import polars as pl

from tests.analytics.published import Resource, expected_types, scale_fields


@dataclass(frozen=True)
class Reading:
    """One engine's reading of one resource."""

    types: dict[str, str]
    rows: int
    sums: dict[str, Any]
    maxima: dict[str, int | None]


def duckdb_reading(con: duckdb.DuckDBPyConnection, resource: Resource) -> Reading:
    path = str(resource.path)
    described = con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [path]).fetchall()
    sums, maxima = resource.numeric, scale_fields(resource)
    measures = ["count(*)", *[f'sum("{c}")' for c in sums], *[f'max("{c}")' for c in maxima]]
    row = con.execute(f"SELECT {', '.join(measures)} FROM read_parquet(?)", [path]).fetchone()
    assert row is not None
    return _reading({str(d[0]): str(d[1]) for d in described}, list(row), sums, maxima)


def polars_reading(resource: Resource) -> Reading:
    frame = pl.scan_parquet(resource.path)
    types = {name: str(kind) for name, kind in frame.collect_schema().items()}
    sums, maxima = resource.numeric, scale_fields(resource)
    measures = [
        pl.len().alias("__rows"),
        *[pl.col(c).sum().alias(f"sum {c}") for c in sums],
        *[pl.col(c).max().alias(f"max {c}") for c in maxima],
    ]
    row = frame.select(measures).collect().row(0)
    return _reading(types, list(row), sums, maxima)


def spark_reading(spark: Any, resource: Resource) -> Reading:
    from pyspark.sql import functions as F

    frame = spark.read.parquet(str(resource.path))
    types = {field.name: str(field.dataType) for field in frame.schema.fields}
    sums, maxima = resource.numeric, scale_fields(resource)
    measures = [F.count(F.lit(1)), *[F.sum(c) for c in sums], *[F.max(c) for c in maxima]]
    row = frame.agg(*measures).collect()[0]
    return _reading(types, list(row), sums, maxima)


def _reading(types: dict[str, str], row: list[Any], sums: list[str], maxima: list[str]) -> Reading:
    totals, highest = row[1 : 1 + len(sums)], row[1 + len(sums) :]
    return Reading(
        types,
        int(row[0]),
        dict(zip(sums, totals, strict=True)),
        dict(zip(maxima, highest, strict=True)),
    )


def problems(engine: str, resource: Resource, reading: Reading) -> list[str]:
    """How `reading` differs from what the descriptor publishes; empty when it agrees."""
    found = []
    if reading.rows != resource.rows:
        found.append(f"{resource}: {engine} counts {reading.rows} rows, descriptor {resource.rows}")
    scales = {name: value or 0 for name, value in reading.maxima.items()}
    expected = expected_types(resource, engine, scales)
    if list(reading.types.items()) != list(expected.items()):
        found.append(f"{resource}: {engine} reads {reading.types}, schema says {expected}")
    return found


def same_sum(a: Any, b: Any) -> bool:
    """Whether two engines' sums of one column agree: exactly for integers and decimals,
    to 12 digits for floats (engines add doubles in different orders). A sum of no rows is
    NULL in SQL (DuckDB, Spark, the API) and 0 in polars: both count as 0."""
    a, b = a or 0, b or 0
    if isinstance(a, float) or isinstance(b, float):
        return math.isclose(float(a), float(b), rel_tol=1e-12)
    return Decimal(a) == Decimal(b)
