"""Timing: HTTP requests and DuckDB queries, each run a planned number of times.

Each timed thing runs `warmup` times untimed, then `repeat` times timed; a slow one stops
early once its time `budget` (seconds) is spent, after at least `MIN_TIMED` timed runs, and
says how many runs it got. Percentiles interpolate linearly between the timed runs.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NotRequired, TypedDict, TypeVar

import duckdb
import httpx
import numpy as np

MIN_TIMED = 5
T = TypeVar("T")
# A GET's query parameters, as httpx takes them.
Params = Mapping[str, str | int | None]


@dataclass(frozen=True)
class Plan:
    warmup: int
    repeat: int
    budget: float


class Timing(TypedDict):
    """A timed thing's summary, in ms, with what was timed (an URL and its answer's size, or
    the SQL)."""

    p50_ms: float
    p95_ms: float
    min_ms: float
    n: int
    warmup: int
    url: NotRequired[str]
    bytes: NotRequired[int]
    sql: NotRequired[str]
    note: NotRequired[str]


class Percentiles(TypedDict):
    p50_ms: float | None
    p99_ms: float | None
    max_ms: float | None


def summary(samples_ms: Sequence[float], warmups: int) -> Timing:
    values = np.array(samples_ms)
    return Timing(
        p50_ms=round(float(np.percentile(values, 50)), 2),
        p95_ms=round(float(np.percentile(values, 95)), 2),
        min_ms=round(float(values.min()), 2),
        n=len(samples_ms),
        warmup=warmups,
    )


def percentiles(values: Sequence[float]) -> Percentiles:
    """p50, p99 and max of many one-off timings (the load benchmark's), in ms."""
    if not values:
        return Percentiles(p50_ms=None, p99_ms=None, max_ms=None)
    array = np.array(values)
    return Percentiles(
        p50_ms=round(float(np.percentile(array, 50)), 1),
        p99_ms=round(float(np.percentile(array, 99)), 1),
        max_ms=round(float(array.max()), 1),
    )


def repeat(plan: Plan, action: Callable[[], T]) -> tuple[Timing, T]:
    """Run `action` per `plan` (timed at least once); the timing summary and the last result."""
    warm_started = time.perf_counter()
    warmups = 0
    while warmups < plan.warmup:
        action()
        warmups += 1
        if time.perf_counter() - warm_started > plan.budget / 3:
            break
    samples: list[float] = []
    started = time.perf_counter()
    while True:
        begun = time.perf_counter()
        result = action()
        samples.append((time.perf_counter() - begun) * 1000)
        if len(samples) >= plan.repeat:
            break
        if len(samples) >= MIN_TIMED and time.perf_counter() - started > plan.budget:
            break
    return summary(samples, warmups), result


def time_get(
    client: httpx.Client, plan: Plan, url: str, params: Params | None = None
) -> tuple[Timing, httpx.Response]:
    """Time a GET whose whole body is read; a non-200 answer stops the benchmark."""

    def get() -> httpx.Response:
        response = client.get(url, params=params)
        if response.status_code != 200:
            raise RuntimeError(f"GET {response.url} → {response.status_code}: {response.text}")
        return response

    timing, response = repeat(plan, get)
    timing["url"] = str(response.url)
    timing["bytes"] = len(response.content)
    return timing, response


def time_sql(
    con: duckdb.DuckDBPyConnection, plan: Plan, sql: str, params: Sequence[Any] = ()
) -> tuple[Timing, list[tuple[Any, ...]]]:
    """Time a DuckDB query with its result fetched into Python."""
    timing, rows = repeat(plan, lambda: con.execute(sql, list(params)).fetchall())
    timing["sql"] = " ".join(sql.split())
    return timing, rows


def time_sqls(
    con: duckdb.DuckDBPyConnection, plan: Plan, queries: Sequence[tuple[str, Sequence[Any]]]
) -> Timing:
    """Time several DuckDB queries run one after the other, as one request would."""
    timing, _ = repeat(
        plan, lambda: [con.execute(sql, list(params)).fetchall() for sql, params in queries]
    )
    timing["sql"] = " ; ".join(" ".join(sql.split()) for sql, _ in queries)
    return timing
