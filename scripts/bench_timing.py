"""Timing for the API benchmark: HTTP requests, DuckDB queries and streamed exports.

Each timed thing runs `warmup` times untimed, then `repeat` times timed; a slow one stops
early once its time `budget` (seconds) is spent, after at least `MIN_TIMED` timed runs, and
says how many runs it got. Percentiles interpolate linearly between the timed runs.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import httpx
import numpy as np

MIN_TIMED = 5


@dataclass(frozen=True)
class Plan:
    warmup: int
    repeat: int
    budget: float


def summary(samples_ms: Sequence[float], warmups: int) -> dict[str, Any]:
    values = np.array(samples_ms)
    return {
        "p50_ms": round(float(np.percentile(values, 50)), 2),
        "p95_ms": round(float(np.percentile(values, 95)), 2),
        "min_ms": round(float(values.min()), 2),
        "n": len(samples_ms),
        "warmup": warmups,
    }


def repeat(plan: Plan, action: Callable[[], Any]) -> tuple[dict[str, Any], Any]:
    """Run `action` per `plan`; the timing summary and the last result."""
    result = None
    warm_started = time.perf_counter()
    warmups = 0
    for _ in range(plan.warmup):
        result = action()
        warmups += 1
        if time.perf_counter() - warm_started > plan.budget / 3:
            break
    samples: list[float] = []
    started = time.perf_counter()
    while len(samples) < plan.repeat:
        begun = time.perf_counter()
        result = action()
        samples.append((time.perf_counter() - begun) * 1000)
        if len(samples) >= MIN_TIMED and time.perf_counter() - started > plan.budget:
            break
    return summary(samples, warmups), result


def time_get(
    client: httpx.Client, plan: Plan, url: str, params: dict[str, Any] | None = None
) -> tuple[dict[str, Any], httpx.Response]:
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
) -> tuple[dict[str, Any], list[tuple[Any, ...]]]:
    """Time a DuckDB query with its result fetched into Python."""
    timing, rows = repeat(plan, lambda: con.execute(sql, list(params)).fetchall())
    timing["sql"] = " ".join(sql.split())
    return timing, rows


def time_sqls(
    con: duckdb.DuckDBPyConnection, plan: Plan, queries: Sequence[tuple[str, Sequence[Any]]]
) -> dict[str, Any]:
    """Time several DuckDB queries run one after the other, as one request would."""
    timing, _ = repeat(
        plan, lambda: [con.execute(sql, list(params)).fetchall() for sql, params in queries]
    )
    timing["sql"] = " ; ".join(" ".join(sql.split()) for sql, _ in queries)
    return timing


def stream_export(client: httpx.Client, url: str, params: dict[str, Any]) -> dict[str, Any]:
    """Download `url` whole, counting bytes and lines, without keeping the body.

    curl does the HTTP when it is installed: Datasette streams one chunk per CSV row, and
    decoding millions of tiny chunks in Python would slow the client, not the server.
    """
    full = str(httpx.URL(url, params=params))
    if shutil.which("curl"):
        return _curl_export(full)
    started = time.perf_counter()
    size = lines = 0
    first = b""
    with client.stream("GET", full) as response:
        status = response.status_code
        content_type = response.headers.get("content-type", "")
        if status == 200:
            for chunk in response.iter_bytes():
                first = first or chunk[:200]
                size += len(chunk)
                lines += chunk.count(b"\n")
        else:
            first = response.read()[:300]
    seconds = time.perf_counter() - started
    return _export(full, status, content_type, seconds, size, lines, first, "httpx")


def _curl_export(url: str) -> dict[str, Any]:
    command = [
        "curl",
        "-sS",
        "-o",
        "-",
        "--write-out",
        "%{stderr}%{http_code} %{content_type}",
        url,
    ]
    started = time.perf_counter()
    size = lines = 0
    first = b""
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as curl:
        assert curl.stdout is not None and curl.stderr is not None
        while block := curl.stdout.read(1 << 20):
            first = first or block[:300]
            size += len(block)
            lines += block.count(b"\n")
        status_text, _, content_type = curl.stderr.read().decode().strip().partition(" ")
    seconds = time.perf_counter() - started
    status = int(status_text) if status_text.isdigit() else 0
    return _export(url, status, content_type, seconds, size, lines, first, "curl")


def _export(
    url: str,
    status: int,
    content_type: str,
    seconds: float,
    size: int,
    lines: int,
    first: bytes,
    client: str,
) -> dict[str, Any]:
    return {
        "url": url,
        "status": status,
        "content_type": content_type,
        "client": client,
        "seconds": round(seconds, 3),
        "bytes": size,
        "lines": lines,
        "head": first[:200].decode("utf-8", errors="replace"),
    }


def duckdb_copy(con: duckdb.DuckDBPyConnection, parquet: Path, target: Path) -> dict[str, Any]:
    """DuckDB's own rate writing the whole file as CSV: the export floor."""
    started = time.perf_counter()
    con.execute(
        f"COPY (SELECT * FROM read_parquet('{parquet}')) TO '{target}' (FORMAT csv, HEADER)"
    )
    seconds = time.perf_counter() - started
    size = target.stat().st_size
    target.unlink()
    return {"seconds": round(seconds, 3), "bytes": size}
