"""Whole-file CSV exports: a streamed download counted as it arrives, and DuckDB's own COPY."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import duckdb
import httpx


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
    command = ["curl", "-sS", "-o", "-", "--write-out", "%{stderr}%{http_code} %{content_type}"]
    started = time.perf_counter()
    size = lines = 0
    first = b""
    with subprocess.Popen([*command, url], stdout=subprocess.PIPE, stderr=subprocess.PIPE) as curl:
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


def export_rates(result: dict[str, Any], rows: int) -> dict[str, Any]:
    """Rows and MB per second of an export that wrote a header line and `rows` rows."""
    exported = result["lines"] - 1
    return {
        "measured": True,
        "rows": exported,
        "complete": exported == rows,
        "rows_per_second": round(exported / result["seconds"]) if result["seconds"] else None,
        "mb_per_second": round(result["bytes"] / 1e6 / result["seconds"], 1),
    }
