"""The load benchmark's command line, and the plan it records from it."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from benchmarks import hotline
from benchmarks.load.plan import FORMATS
from benchmarks.load.results import LoadPlan


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks load",
        description="Load benchmark: many clients at once against one real server,"
        " with a publish in the middle.",
    )
    parser.add_argument("--rows", type=int, default=1_000_000, help="synthetic resource rows")
    parser.add_argument("--downloads", type=int, default=100, help="concurrent, per format")
    parser.add_argument("--big", type=int, default=5, help="of them, of the synthetic resource")
    parser.add_argument("--big-xlsx", action="store_true", help="also xlsx of the synthetic")
    parser.add_argument("--sql", type=int, default=200, help="concurrent SQL queries")
    parser.add_argument("--stalled", type=int, default=50, help="stalled readers")
    parser.add_argument("--publish", default=hotline.SLUG, help="dataset republished mid-load")
    parser.add_argument("--publish-after", type=float, default=3.0, help="seconds into the load")
    parser.add_argument(
        "--budget-mb",
        type=int,
        default=int(os.environ.get("OPENDATA_MEMORY_BUDGET_MB", "1024")),
        help="OPENDATA_MEMORY_BUDGET_MB of the server (default: that variable, else 1024)",
    )
    parser.add_argument(
        "--kill-rss-mb",
        type=int,
        default=6000,
        help="kill the server past this RSS (a shared machine; reported as a failure)",
    )
    parser.add_argument("--timeout", type=float, default=300.0, help="client timeout, seconds")
    parser.add_argument("--seed", type=int, default=10, help="order in which requests start")
    parser.add_argument("--out", type=Path, default=Path("bench-results"))
    parser.add_argument("--tmp", type=Path, default=None, help="where the scratch folder goes")
    return parser


def plan(args: argparse.Namespace) -> LoadPlan:
    return LoadPlan(
        downloads_per_format=args.downloads,
        synthetic_downloads_per_format=args.big,
        synthetic_xlsx=args.big_xlsx,
        formats=list(FORMATS),
        sql_queries=args.sql,
        stalled_readers=args.stalled,
        publish=args.publish,
        publish_after_s=args.publish_after,
        client_timeout_s=args.timeout,
        kill_rss_mb=args.kill_rss_mb,
        seed=args.seed,
    )
