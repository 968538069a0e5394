"""Whole-file CSV exports: a streamed download counted as it arrives, and DuckDB's own COPY."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path
from typing import Literal, TypedDict, final

import duckdb
import httpx

from benchmarks.memory import MemoryReport
from benchmarks.timing import Params


class Copy(TypedDict):
    """A whole file written: how long it took and its size."""

    seconds: float
    bytes: int


class Download(Copy):
    """A whole file downloaded: the answer, counted as it arrived."""

    url: str
    status: int
    content_type: str
    client: str
    lines: int
    head: str


class Rates(TypedDict):
    measured: Literal[True]  # tells a measured export from a `NotMeasured` one
    rows: int
    complete: bool
    rows_per_second: int | None
    mb_per_second: float


@final
class CopyRun(Copy, Rates):
    """DuckDB's COPY with its rates."""


@final
class DownloadRun(Download, Rates, MemoryReport):
    """A measured download: the answer, its rates and the server's memory meanwhile."""


class NotMeasured(TypedDict):
    """A download route that did not answer 200: said so, never replaced by a stand-in."""

    url: str
    status: int
    measured: Literal[False]
    note: str


def stream_export(client: httpx.Client, url: str, params: Params) -> Download:
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


def _curl_export(url: str) -> Download:
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
) -> Download:
    return Download(
        url=url,
        status=status,
        content_type=content_type,
        client=client,
        seconds=round(seconds, 3),
        bytes=size,
        lines=lines,
        head=first[:200].decode("utf-8", errors="replace"),
    )


def duckdb_copy(con: duckdb.DuckDBPyConnection, parquet: Path, target: Path) -> Copy:
    """DuckDB's own rate writing the whole file as CSV: the export floor."""
    started = time.perf_counter()
    con.execute(
        f"COPY (SELECT * FROM read_parquet('{parquet}')) TO '{target}' (FORMAT csv, HEADER)"
    )
    seconds = time.perf_counter() - started
    size = target.stat().st_size
    target.unlink()
    return Copy(seconds=round(seconds, 3), bytes=size)


def export_rates(result: Copy, lines: int, rows: int) -> Rates:
    """Rows and MB per second of an export of `lines` lines (a header line, then rows), which
    should have had `rows` rows."""
    exported = lines - 1
    return Rates(
        measured=True,
        rows=exported,
        complete=exported == rows,
        rows_per_second=round(exported / result["seconds"]) if result["seconds"] else None,
        mb_per_second=round(result["bytes"] / 1e6 / result["seconds"], 1),
    )
