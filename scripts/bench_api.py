"""Benchmark: our REST API against Datasette on the same rows, with DuckDB alone as the floor.

The data is SYNTHETIC: a seeded, made-up 12333-hotline consultation log (see bench_data.py).
It is published through the real pipeline into a temporary store, served by `opendata serve`,
copied into SQLite and served by Datasette, each server its own process on 127.0.0.1. Every
figure is measured through HTTP with one keep-alive client; DuckDB's floor runs the same
query on the published Parquet file in this process while both servers sit idle.

    .venv/bin/python scripts/bench_api.py [--rows 1000000] [--out bench-results/]

Writes ``api.json`` and ``api.md`` into ``--out``. The issue's targets are set for 10M rows.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from importlib import metadata
from pathlib import Path
from typing import Any

import duckdb
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_data as data
import bench_report as report
import bench_servers as servers
from bench_timing import (
    Plan,
    duckdb_copy,
    stream_export,
    summary,
    time_get,
    time_sql,
    time_sqls,
)

from catalog.query.cursor import Cursor
from catalog.settings import Settings

DEPTH = 0.7  # how deep the deep pages are, as a share of the rows
PAGE = 100
WALK_PAGE = 10_000  # the largest page our API gives, to walk to the deep page quickly
AGGREGATE_SQL = (
    "SELECT prefecture, channel, count(*) AS count, avg(wait_seconds) AS avg_wait_seconds"
    " FROM {table} GROUP BY prefecture, channel ORDER BY prefecture, channel"
)
FILTER_SQL = f"prefecture = '{data.FILTER_PREFECTURE}' AND topic = '{data.FILTER_TOPIC}'"


class Bench:
    """The measurements of one run, against two running servers and the Parquet file."""

    def __init__(
        self,
        client: httpx.Client,
        plan: Plan,
        ours: servers.Server,
        peer: servers.Server,
        parquet: Path,
        rows: int,
    ) -> None:
        self.client = client
        self.plan = plan
        self.ours = ours
        self.peer = peer
        self.parquet = parquet
        self.rows = rows
        self.base = f"{ours.url}/api/v1/datasets/{data.SLUG}/resources/{data.RESOURCE}"
        self.table = f"{peer.url}/bench/{data.RESOURCE}"
        self.sql_url = f"{peer.url}/bench.json"
        settings = Settings()
        self.con = duckdb.connect(
            config={
                "threads": settings.duckdb_threads,
                "memory_limit": settings.engine_memory_limit,
            }
        )
        self.source = f"read_parquet('{parquet}')"
        self.filters = {"prefecture": data.FILTER_PREFECTURE, "topic": data.FILTER_TOPIC}
        self.depth = (int(rows * DEPTH) // WALK_PAGE) * WALK_PAGE

    def peer_sql(self, sql: str) -> tuple[dict[str, Any], httpx.Response]:
        return time_get(self.client, self.plan, self.sql_url, {"sql": sql, "_shape": "array"})

    def floor(self, sql: str) -> tuple[dict[str, Any], list[tuple[Any, ...]]]:
        return time_sql(self.con, self.plan, sql.format(table=self.source))

    # -- measurements ------------------------------------------------------------------------

    def filtered_page(self) -> dict[str, Any]:
        ours, mine = time_get(
            self.client, self.plan, f"{self.base}/rows", {**self.filters, "limit": PAGE}
        )
        exact, _ = time_get(
            self.client,
            self.plan,
            f"{self.base}/rows",
            {**self.filters, "limit": PAGE, "total": "exact"},
        )
        bare, _ = time_get(
            self.client,
            self.plan,
            f"{self.base}/rows",
            {**self.filters, "limit": PAGE, "total": "none"},
        )
        peer, theirs = time_get(
            self.client,
            self.plan,
            f"{self.table}.json",
            {
                **self.filters,
                "_size": PAGE,
                "_shape": "objects",
                "_nosuggest": 1,
                "_nofacet": 1,
            },
        )
        lean, _ = time_get(
            self.client,
            self.plan,
            f"{self.table}.json",
            {
                **self.filters,
                "_size": PAGE,
                "_shape": "array",
            },
        )
        page_sql = f"SELECT * FROM {{table}} WHERE {FILTER_SQL} ORDER BY id LIMIT {PAGE}"
        floor, found = self.floor(page_sql)
        both = time_sqls(
            self.con,
            self.plan,
            [
                (page_sql.format(table=self.source), ()),
                (f"SELECT count(*) FROM {self.source} WHERE {FILTER_SQL}", ()),
            ],
        )
        ids = [[r["id"] for r in mine.json()["rows"]], [r["id"] for r in theirs.json()["rows"]]]
        return {
            "what": f"rows where {FILTER_SQL}, sorted by id, first {PAGE}",
            "ours": {
                **ours,
                "total": mine.json()["total"],
                "total_exact": mine.json()["total_exact"],
                "note": "default total=auto: estimated past OPENDATA_EXACT_TOTAL_ROWS",
            },
            "ours_exact_total": {**exact, "note": "total=exact"},
            "ours_no_total": {**bare, "note": "total=none"},
            "datasette": {**peer, "note": "_shape=objects: rows and filtered_table_rows_count"},
            "datasette_lean": {**lean, "note": "_shape=array: rows only, no count"},
            "duckdb": floor,
            "duckdb_page_and_count": both,
            "agree": ids[0] == ids[1] == [row[0] for row in found],
        }

    def deep_pages(self) -> dict[str, Any]:
        """The page after row `depth` by cursor (walked to), by offset, and by SQL floors."""
        walk_started = time.perf_counter()
        cursor, pages = None, 0
        params: dict[str, Any] = {"fields": "id", "limit": WALK_PAGE}
        while pages * WALK_PAGE < self.depth:
            answer = self.client.get(f"{self.base}/rows", params=params).raise_for_status().json()
            cursor, pages = answer["next"], pages + 1
            params = {"fields": "id", "limit": WALK_PAGE, "next": cursor}
        walk = {
            "pages": pages,
            "page_rows": WALK_PAGE,
            "seconds": round(time.perf_counter() - walk_started, 2),
        }
        keyset, mine = time_get(
            self.client, self.plan, f"{self.base}/rows", {"limit": PAGE, "next": cursor}
        )
        cold = self.cold_keyset_pages(mine.json()["version"])
        offset, by_offset = time_get(
            self.client, self.plan, f"{self.base}/rows", {"limit": PAGE, "offset": self.depth}
        )
        first_page = self.client.get(f"{self.table}.json", params={"_size": PAGE}).json()
        token_is_id = str(first_page.get("next")) == str(first_page["rows"][-1][0])
        peer_keyset, theirs = time_get(
            self.client,
            self.plan,
            f"{self.table}.json",
            {
                "_next": self.depth,
                "_size": PAGE,
                "_shape": "objects",
                "_nosuggest": 1,
                "_nofacet": 1,
            },
        )
        peer_offset, _ = self.peer_sql(
            f"select * from {data.RESOURCE} order by id limit {PAGE} offset {self.depth}"
        )
        floor_keyset, found = self.floor(
            f"SELECT * FROM {{table}} WHERE id > {self.depth} ORDER BY id LIMIT {PAGE}"
        )
        floor_offset, _ = self.floor(
            f"SELECT * FROM {{table}} ORDER BY id LIMIT {PAGE} OFFSET {self.depth}"
        )
        expected = list(range(self.depth + 1, self.depth + PAGE + 1))
        agree = (
            [r["id"] for r in mine.json()["rows"]] == expected
            and [r["id"] for r in by_offset.json()["rows"]] == expected
            and [r["id"] for r in theirs.json()["rows"]] == expected
            and [row[0] for row in found] == expected
        )
        what = f"rows {self.depth + 1:,}–{self.depth + PAGE:,} of {self.rows:,} sorted by id"
        return {
            "deep_keyset_page": {
                "what": what + " by keyset cursor",
                "walk": walk,
                "ours": keyset,
                "ours_cold": cold,
                "datasette": {
                    **peer_keyset,
                    "note": (
                        "_next=<last id> (Datasette's own token for an integer-key table"
                        f"{'' if token_is_id else ' — NOT confirmed on page 1'});"
                        " count from inspect"
                    ),
                },
                "duckdb": floor_keyset,
                "agree": agree,
            },
            "deep_offset_page": {
                "what": what + " by offset",
                "ours": offset,
                "datasette": {
                    **peer_offset,
                    "note": "?sql=... limit/offset (tables have no"
                    " _offset in Datasette 0.65; _next is keyset)",
                },
                "duckdb": floor_offset,
                "agree": agree,
            },
        }

    def cold_keyset_pages(self, version: str) -> dict[str, Any]:
        """Deep pages each in a row group no request has read: no kept group to answer from.

        The cursors are made here, as the API makes them (the page after id N), at depths
        more than a row group apart, so every request is the first to its group and is
        answered by scanning the file (a group is kept from its second request on).
        """
        depths = [self.depth + i * (self.rows // 50) for i in range(-12, 13)]
        depths = [d for d in depths if 0 < d < self.rows - PAGE]
        samples = []
        for depth in depths:
            token = Cursor(version, "id", (str(depth),)).encode()
            begun = time.perf_counter()
            answer = self.client.get(f"{self.base}/rows", params={"limit": PAGE, "next": token})
            samples.append((time.perf_counter() - begun) * 1000)
            first = answer.raise_for_status().json()["rows"][0]["id"]
            if first != depth + 1:
                raise RuntimeError(f"the page after id {depth} began at id {first}")
        return {
            **summary(samples, 0),
            "note": f"{len(samples)} pages, each the first to its row group (depths"
            f" {self.rows // 50:,} rows apart): answered by scanning the file",
        }

    def exact_total(self) -> dict[str, Any]:
        ours, mine = time_get(
            self.client,
            self.plan,
            f"{self.base}/rows",
            {**self.filters, "limit": 1, "total": "exact"},
        )
        counted, by_aggregate = time_get(
            self.client, self.plan, f"{self.base}/aggregate", {**self.filters, "count": "*"}
        )
        peer, theirs = self.peer_sql(
            f"select count(*) as n from {data.RESOURCE} where {FILTER_SQL}"
        )
        floor, found = self.floor(f"SELECT count(*) FROM {{table}} WHERE {FILTER_SQL}")
        totals = [
            mine.json()["total"],
            by_aggregate.json()["rows"][0]["count"],
            theirs.json()[0]["n"],
            found[0][0],
        ]
        return {
            "what": f"count of rows where {FILTER_SQL}",
            "ours": {
                **ours,
                "note": "`total` of /rows?limit=1&total=exact",
                "total_exact": mine.json()["total_exact"],
            },
            "ours_aggregate": {**counted, "note": "/aggregate?count=*"},
            "datasette": {**peer, "note": "?sql=select count(*) ..."},
            "duckdb": floor,
            "totals": totals,
            "agree": len(set(totals)) == 1 and mine.json()["total_exact"] is True,
        }

    def aggregate(self) -> dict[str, Any]:
        ours, mine = time_get(
            self.client,
            self.plan,
            f"{self.base}/aggregate",
            {
                "group_by": "prefecture,channel",
                "count": "*",
                "avg": "wait_seconds",
            },
        )
        peer, theirs = self.peer_sql(AGGREGATE_SQL.format(table=data.RESOURCE))
        floor, found = self.floor(AGGREGATE_SQL)
        counts = [
            [(r["prefecture"], r["channel"], r["count"]) for r in mine.json()["rows"]],
            [(r["prefecture"], r["channel"], r["count"]) for r in theirs.json()],
            [(r[0], r[1], r[2]) for r in found],
        ]
        return {
            "what": "count(*) and avg(wait_seconds) grouped by prefecture, channel",
            "ours": ours,
            "datasette": {**peer, "note": "?sql=select ... group by"},
            "duckdb": floor,
            "groups": len(counts[2]),
            "agree": counts[0] == counts[1] == counts[2],
        }

    def csv_export(self, scratch: Path) -> dict[str, Any]:
        ours = export_ours(self.client, self.ours, self.rows)
        with servers.PeakMemory(self.peer.pid) as memory:
            peer = stream_export(self.client, f"{self.table}.csv", {"_stream": "on"})
        peer.update(_export_rates(peer, self.rows), **_memory(memory))
        floor = duckdb_copy(self.con, self.parquet, scratch / "floor.csv")
        floor.update(_export_rates({**floor, "lines": self.rows + 1}, self.rows))
        return {
            "what": f"all {self.rows:,} rows as CSV",
            "ours": ours,
            "datasette": peer,
            "duckdb_copy": floor,
        }


def export_ours(client: httpx.Client, server: servers.Server, rows: int) -> dict[str, Any]:
    """Our whole-resource CSV download, if the route answers; never a stand-in for it."""
    url = f"{server.url}/api/v1/datasets/{data.SLUG}/resources/{data.RESOURCE}.csv"
    with servers.PeakMemory(server.pid) as memory:
        found = stream_export(client, url, {})
    if found["status"] != 200:
        return {
            "url": url,
            "status": found["status"],
            "measured": False,
            "note": f"the download route answered HTTP {found['status']}: not measured",
        }
    return {**found, **_export_rates(found, rows), **_memory(memory)}


def _export_rates(result: dict[str, Any], rows: int) -> dict[str, Any]:
    exported = result["lines"] - 1
    return {
        "measured": True,
        "rows": exported,
        "complete": exported == rows,
        "rows_per_second": round(exported / result["seconds"]) if result["seconds"] else None,
        "mb_per_second": round(result["bytes"] / 1e6 / result["seconds"], 1),
    }


def _memory(memory: servers.PeakMemory) -> dict[str, Any]:
    return {
        "peak_rss_mb": memory.peak_mb,
        "rss_before_mb": round((memory.before_kb or 0) / 1024, 1),
        "rss_increase_mb": round(memory.peak_mb - (memory.before_kb or 0) / 1024, 1),
        "peak_source": "VmHWM after clear_refs" if memory.hwm_reset else "sampled VmRSS",
        "sampled_peak_rss_mb": round(memory.sampled_peak_kb / 1024, 1),
    }


def prepare(tmp: Path, rows: int, row_group_size: int) -> tuple[data.Published, dict[str, Any]]:
    steps: dict[str, Any] = {}
    started = time.perf_counter()
    data.write_dataset(tmp / "datasets", rows)
    steps["generate_csv_seconds"] = round(time.perf_counter() - started, 2)
    steps["csv_bytes"] = (tmp / "datasets" / data.SLUG / "data" / "calls.csv").stat().st_size
    started = time.perf_counter()
    published = data.publish(tmp / "datasets", tmp / "store", row_group_size)
    steps["publish_seconds"] = round(time.perf_counter() - started, 2)
    steps["parquet_bytes"] = published.parquet.stat().st_size
    loaded = data.load_sqlite(published.parquet, tmp / "bench.db")
    steps.update({f"sqlite_{k}": round(v, 2) for k, v in loaded.items()})
    steps["sqlite_bytes"] = (tmp / "bench.db").stat().st_size
    started = time.perf_counter()
    servers.datasette_inspect(tmp / "bench.db", tmp / "inspect.json")
    steps["datasette_inspect_seconds"] = round(time.perf_counter() - started, 2)
    return published, steps


def checkout() -> dict[str, Any]:
    """The commit the servers ran, and whether the code they import differed from it."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=servers.ROOT, capture_output=True, text=True)
        return done.stdout.strip()

    changed = git("status", "--porcelain", "--", "catalog", "api", "validation")
    return {"commit": git("rev-parse", "--short", "HEAD"), "uncommitted_changes": bool(changed)}


def versions() -> dict[str, str]:
    found = {"python": platform.python_version(), "sqlite": __import__("sqlite3").sqlite_version}
    for name in ("duckdb", "pyarrow", "fastapi", "uvicorn", "datasette", "httpx"):
        found[name] = metadata.version(name)
    return found


def run(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    settings = Settings()
    say(f"generating and publishing {args.rows:,} SYNTHETIC rows in {tmp}")
    published, steps = prepare(tmp, args.rows, settings.row_group_size)
    say(f"prepared: {steps}")
    env = {
        "OPENDATA_MAX_OFFSET": str(args.rows),
        "OPENDATA_QUERY_TIMEOUT_SECONDS": str(args.query_timeout),
    }
    plan = Plan(args.warmup, args.repeat, args.budget)
    with ExitStack() as stack:
        ours = stack.enter_context(
            servers.ours(
                tmp / "store", tmp / "datasets", servers.free_port(), tmp / "ours.log", env
            )
        )
        peer = stack.enter_context(
            servers.datasette(
                tmp / "bench.db", tmp / "inspect.json", servers.free_port(), tmp / "datasette.log"
            )
        )
        client = stack.enter_context(httpx.Client(timeout=args.query_timeout * 5))
        bench = Bench(client, plan, ours, peer, published.parquet, published.rows)
        measurements: dict[str, Any] = {}
        for name, action in (
            ("filtered_page", bench.filtered_page),
            ("deep_pages", bench.deep_pages),
            ("exact_total", bench.exact_total),
            ("aggregate", bench.aggregate),
        ):
            say(f"measuring {name}")
            load = os.getloadavg()[0]
            found = action()
            for entry in found.values() if name == "deep_pages" else [found]:
                entry["load_1min"] = [round(load, 2), round(os.getloadavg()[0], 2)]
            measurements.update(found if name == "deep_pages" else {name: found})
        say("measuring csv_export")
        load = os.getloadavg()[0]
        measurements["csv_export"] = bench.csv_export(tmp)
        measurements["csv_export"]["load_1min"] = [round(load, 2), round(os.getloadavg()[0], 2)]
    # The same download again from a server that has done nothing else: the export's own
    # memory, apart from what the engine kept from the queries before.
    say("measuring csv_export on a fresh server")
    with ExitStack() as stack:
        fresh = stack.enter_context(
            servers.ours(tmp / "store", tmp / "datasets", servers.free_port(), tmp / "o2.log", env)
        )
        client = stack.enter_context(httpx.Client(timeout=args.query_timeout * 5))
        measurements["csv_export"]["ours_fresh_server"] = export_ours(client, fresh, published.rows)
    return {
        "data": "SYNTHETIC 12333-hotline consultation log (seeded, made up; not real data)",
        "rows": published.rows,
        "version": published.version,
        "machine": {"cpus": os.cpu_count(), "arch": platform.machine()},
        "software": versions(),
        "code": checkout(),
        "plan": {"warmup": args.warmup, "repeat": args.repeat, "budget_seconds": args.budget},
        "settings": {
            "ours": {
                **env,
                "duckdb_threads": settings.duckdb_threads,
                "duckdb_memory_limit": settings.engine_memory_limit,
                "exact_total_rows": settings.exact_total_rows,
                "total_sample_rows": settings.total_sample_rows,
                "row_group_cache_mb": settings.row_group_cache_mb,
            },
            "datasette": {
                **servers.DATASETTE_SETTINGS,
                "mode": "--immutable, --inspect-file",
                "indexes": ["id (INTEGER PRIMARY KEY)", *data.SQLITE_INDEXES],
                "analyze": True,
            },
        },
        "preparation": steps,
        "measurements": measurements,
    }


def say(message: str) -> None:
    print(f"[bench_api {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
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
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-api-", dir=args.tmp) as tmp:
        results = run(args, Path(tmp))
    results["run_seconds"] = round(time.perf_counter() - started, 1)
    results["targets"] = report.targets(results["measurements"])
    report.write(args.out, results)
    print((args.out / "api.md").read_text())


if __name__ == "__main__":
    main()
