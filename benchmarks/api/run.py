"""Benchmark: our REST API against Datasette on the same rows, with DuckDB alone as the floor.

The data is SYNTHETIC: a seeded, made-up 12333-hotline consultation log (benchmarks.hotline).
It is published through the real pipeline into a temporary store, served by `opendata serve`,
copied into SQLite and served by Datasette, each server its own process on 127.0.0.1.

    python -m benchmarks api [--rows 1000000] [--warmup 3] [--repeat 20] [--budget 20]
        [--query-timeout 120] [--out bench-results/] [--tmp DIR]

Writes ``api.json`` and ``api.md`` into ``--out``. The issue's targets are set for 10M rows.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import TypeVar

import httpx

from benchmarks import hotline, report
from benchmarks.api.datastore import datastore_search
from benchmarks.api.markdown import markdown
from benchmarks.api.pages import deep_pages, filtered_offset_page, filtered_page
from benchmarks.api.results import (
    ApiResults,
    DatasetteDescription,
    Measured,
    Measurements,
    OursSettings,
    Preparation,
    RunPlan,
    ServerMemory,
    ServerSettings,
)
from benchmarks.api.rig import Rig
from benchmarks.api.targets import targets
from benchmarks.api.totals import (
    aggregate,
    cold_totals,
    csv_export,
    estimated_total,
    exact_total,
    export_ours,
)
from benchmarks.memory import PeakMemory, status_kb
from benchmarks.servers import (
    DATASETTE_SETTINGS,
    Server,
    datasette_inspect,
    serve_datasette,
    serve_opendata,
)
from benchmarks.timing import Plan
from catalog.settings import Settings

NAME = "api"
T = TypeVar("T")


def timed(action: Callable[[], T]) -> tuple[T, float]:
    """`action`'s result, and the time it took in seconds (to 2 places)."""
    started = time.perf_counter()
    result = action()
    return result, round(time.perf_counter() - started, 2)


def prepare(tmp: Path, rows: int, row_group_size: int) -> tuple[hotline.Published, Preparation]:
    """Generate and publish the rows, copy them into SQLite, and let Datasette inspect it."""
    _, generated = timed(lambda: hotline.write_dataset(tmp / "datasets", rows))
    csv = tmp / "datasets" / hotline.SLUG / "data" / "calls.csv"
    published, publishing = timed(
        lambda: hotline.publish(tmp / "datasets", tmp / "store", row_group_size)
    )
    loaded = hotline.load_sqlite(published.parquet, tmp / "bench.db")
    _, inspecting = timed(lambda: datasette_inspect(tmp / "bench.db", tmp / "inspect.json"))
    return published, Preparation(
        generate_csv_seconds=generated,
        csv_bytes=csv.stat().st_size,
        publish_seconds=publishing,
        parquet_bytes=published.parquet.stat().st_size,
        sqlite_load_seconds=round(loaded["load_seconds"], 2),
        sqlite_index_seconds=round(loaded["index_seconds"], 2),
        sqlite_bytes=(tmp / "bench.db").stat().st_size,
        datasette_inspect_seconds=inspecting,
    )


def measuring(name: str, action: Callable[[], T]) -> tuple[T, float]:
    """`action`'s result, and the machine's load average before it ran."""
    report.say(NAME, f"measuring {name}")
    before = report.load_average()
    return action(), before


def stamp(entry: Measured, before: float) -> None:
    """Note the load average before and now (after) on a measurement."""
    entry["load_1min"] = [before, report.load_average()]


def measure(rig: Rig, scratch: Path) -> Measurements:
    """Every measurement, each with the machine's load average before and after it."""
    page, before = measuring("filtered_page", lambda: filtered_page(rig))
    stamp(page, before)
    deep, before = measuring("deep_pages", lambda: deep_pages(rig))
    stamp(deep["deep_keyset_page"], before)
    stamp(deep["deep_offset_page"], before)
    offset, before = measuring("filtered_offset_page", lambda: filtered_offset_page(rig))
    stamp(offset, before)
    total, before = measuring("exact_total", lambda: exact_total(rig))
    stamp(total, before)
    cold, before = measuring("cold_totals", lambda: cold_totals(rig))
    stamp(cold["by_scan"], before)
    stamp(cold["by_statistics"], before)
    stamp(cold["between_dates"], before)
    estimated, before = measuring("estimated_total", lambda: estimated_total(rig))
    stamp(estimated, before)
    grouped, before = measuring("aggregate", lambda: aggregate(rig))
    stamp(grouped, before)
    searched, before = measuring("datastore_search", lambda: datastore_search(rig))
    stamp(searched, before)
    export, before = measuring("csv_export", lambda: csv_export(rig, scratch))
    stamp(export, before)
    return Measurements(
        filtered_page=page,
        deep_keyset_page=deep["deep_keyset_page"],
        deep_offset_page=deep["deep_offset_page"],
        cold_offset_pages=deep["cold_offset_pages"],
        filtered_offset_page=offset,
        exact_total=total,
        cold_totals=cold,
        estimated_total=estimated,
        aggregate=grouped,
        csv_export=export,
        datastore_search=searched,
    )


def run(args: argparse.Namespace, tmp: Path) -> ApiResults:
    settings = Settings()
    report.say(NAME, f"generating and publishing {args.rows:,} SYNTHETIC rows in {tmp}")
    published, steps = prepare(tmp, args.rows, settings.row_group_size)
    report.say(NAME, f"prepared: {steps}")
    env = {
        "OPENDATA_MAX_OFFSET": str(args.rows),
        "OPENDATA_QUERY_TIMEOUT_SECONDS": str(args.query_timeout),
    }
    plan = Plan(args.warmup, args.repeat, args.budget)
    store, datasets = tmp / "store", tmp / "datasets"
    with ExitStack() as stack:
        ours = stack.enter_context(
            serve_opendata(store, datasets=datasets, log=tmp / "ours.log", env=env)
        )
        peer = stack.enter_context(
            serve_datasette(tmp / "bench.db", tmp / "inspect.json", tmp / "datasette.log")
        )
        client = stack.enter_context(httpx.Client(timeout=args.query_timeout * 5))
        idle = idle_rss_mb(client, ours)
        # Entered after the server started, left before it stops: its peak over every question.
        whole = stack.enter_context(PeakMemory(ours.pid))
        rig = Rig(client, plan, (ours, peer), published.parquet, published.rows)
        measurements = measure(rig, tmp)
    # The export resets VmHWM for its own peak, so the run's is the sampler's or that one.
    peak_kb = max(whole.sampled_peak_kb, whole.hwm_kb or 0)
    measurements["server_memory"] = ServerMemory(
        idle_rss_mb=idle, peak_rss_mb=round(peak_kb / 1024, 1), budget_mb=settings.memory_budget_mb
    )
    # The same download again from a server that has done nothing else: the export's own
    # memory, apart from what the engine kept from the queries before.
    report.say(NAME, "measuring csv_export on a fresh server")
    with (
        serve_opendata(store, datasets=datasets, log=tmp / "o2.log", env=env) as fresh,
        httpx.Client(timeout=args.query_timeout * 5) as client,
    ):
        measurements["csv_export"]["ours_fresh_server"] = export_ours(client, fresh, published.rows)
    return ApiResults(
        data="SYNTHETIC 12333-hotline consultation log (seeded, made up; not real data)",
        rows=published.rows,
        version=published.version,
        machine=report.machine(),
        software=report.versions("duckdb", "pyarrow", "fastapi", "uvicorn", "datasette", "httpx"),
        code=report.checkout(),
        plan=RunPlan(warmup=args.warmup, repeat=args.repeat, budget_seconds=args.budget),
        settings=ServerSettings(ours=ours_settings(env, settings), datasette=DATASETTE_DESCRIPTION),
        preparation=steps,
        measurements=measurements,
    )


DATASETTE_DESCRIPTION = DatasetteDescription(
    sql_time_limit_ms=DATASETTE_SETTINGS["sql_time_limit_ms"],
    max_returned_rows=DATASETTE_SETTINGS["max_returned_rows"],
    max_csv_mb=DATASETTE_SETTINGS["max_csv_mb"],
    mode="--immutable, --inspect-file",
    indexes=["id (INTEGER PRIMARY KEY)", *hotline.SQLITE_INDEXES],
    analyze=True,
)


def idle_rss_mb(client: httpx.Client, server: Server) -> float:
    """The server's resident memory once ready (`/readyz`: its catalogue loaded), before any
    question: what it holds at rest."""
    deadline = time.monotonic() + 120
    while client.get(f"{server.url}/readyz").status_code != 200:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{server.name} never answered /readyz with 200")
        time.sleep(0.2)
    found = status_kb(server.pid, "VmRSS")
    if found is None:
        raise RuntimeError(f"{server.name} is gone")
    return round(found / 1024, 1)


def ours_settings(env: Mapping[str, str], settings: Settings) -> OursSettings:
    """The environment our server ran with, and the settings it read."""
    return OursSettings(
        OPENDATA_MAX_OFFSET=env["OPENDATA_MAX_OFFSET"],
        OPENDATA_QUERY_TIMEOUT_SECONDS=env["OPENDATA_QUERY_TIMEOUT_SECONDS"],
        duckdb_threads=settings.duckdb_threads,
        duckdb_memory_limit=settings.engine_memory_limit,
        exact_total_rows=settings.exact_total_rows,
        total_sample_rows=settings.total_sample_rows,
        row_group_cache_mb=settings.row_group_cache_mb,
    )


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks api", description=(__doc__ or "").splitlines()[0]
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--warmup", type=int, default=3, help="untimed runs of each request")
    parser.add_argument("--repeat", type=int, default=20, help="timed runs of each request")
    parser.add_argument(
        "--budget",
        type=float,
        default=20.0,
        help="seconds of timed runs per request before a slow one stops early",
    )
    parser.add_argument(
        "--query-timeout",
        type=float,
        default=120.0,
        help="OPENDATA_QUERY_TIMEOUT_SECONDS of our server",
    )
    parser.add_argument("--out", type=Path, default=Path("bench-results"))
    parser.add_argument("--tmp", type=Path, default=None, help="where the scratch folder goes")
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    args = parser().parse_args(argv)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-api-", dir=args.tmp) as tmp:
        results = run(args, Path(tmp))
    results["run_seconds"] = round(time.perf_counter() - started, 1)
    results["targets"] = targets(results["measurements"])
    report.write(args.out, NAME, results, markdown(results))
