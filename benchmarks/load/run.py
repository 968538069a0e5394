"""Load benchmark: many clients at once against one real server, with a publish in the middle.

A store is built with `opendata build` from a copy of `datasets/` (the real datasets) plus a
SYNTHETIC resource of `--rows` rows (the seeded, made-up 12333-hotline log of
benchmarks.hotline), and served by `opendata serve` on 127.0.0.1. Then, all at once:

- `--downloads` concurrent downloads of each format (csv, json, ndjson, parquet, xlsx, zip),
  spread over every real resource (and every real dataset for zip), of which `--big` per
  format (not xlsx, at ~5k rows/s) are of the synthetic resource;
- `--sql` concurrent SQL queries over the synthetic resource (`/api/v1/sql`);
- `--stalled` readers that open a download of the synthetic resource and read nothing until
  the rest is done;
- after `--publish-after` seconds, `opendata build` publishes a new version of
  `--publish` (by default the synthetic dataset: same rows, a changed description).

A separate process polls `/healthz` every 50 ms and samples the server's RSS, so the figures
are not delayed by this client's own work. Every download and query names a pinned version
(or asks for rows the publish does not change) and is compared with a single reference
download of the same URL made before the load: a `200` whose bytes differ from it, or stop
short of its `Content-Length`, is a truncated body.

    python -m benchmarks load [--rows 1000000] [--downloads 100] [--sql 200]
        [--stalled 50] [--big 5] [--budget-mb 1024] [--out bench-results/]

Writes ``load.json`` and ``load.md`` into ``--out``. This machine shares its 2 CPUs with the
client: the figures are an honest instrument, not a capacity rating.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import random
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
import yaml

from benchmarks import hotline, report
from benchmarks.load.markdown import markdown
from benchmarks.load.monitor import monitor
from benchmarks.load.options import parser, plan
from benchmarks.load.outcomes import Job, Outcome, Reference, client, fetch, stall
from benchmarks.load.plan import (
    build,
    download_jobs,
    prepare,
    references,
    sql_jobs,
    stalled_jobs,
)
from benchmarks.load.results import (
    LoadMachine,
    LoadResults,
    Published,
    Samples,
    ServerState,
    Target,
)
from benchmarks.load.summary import failure, logged_errors, summarize, verdicts
from benchmarks.servers import Server, serve_opendata
from catalog.store import FolderStore, Store

NAME = "load"


async def publish_later(args: argparse.Namespace, tmp: Path, t0: float) -> Published:
    """After `--publish-after` s, a new version of `--publish` by `opendata build`."""
    await asyncio.sleep(args.publish_after)
    descriptor = tmp / "datasets" / args.publish / "datapackage.yaml"
    meta = yaml.safe_load(descriptor.read_text(encoding="utf-8"))
    meta["description_en"] = f"{meta.get('description_en', '')} (republished by the load benchmark)"
    descriptor.write_text(yaml.safe_dump(meta, allow_unicode=True, sort_keys=False), "utf-8")
    started = time.monotonic() - t0
    built = await asyncio.to_thread(build, tmp / "datasets", tmp / "store", args.publish)
    return Published(dataset=args.publish, started_at_s=round(started, 2), **built)


async def load(
    args: argparse.Namespace, tmp: Path, url: str, refs: dict[str, Reference], jobs: list[Job]
) -> tuple[list[Outcome], Published, float]:
    """Every job at once, the stalled readers holding on, and the publish in the middle."""
    store = FolderStore(tmp / "store")
    release = asyncio.Event()
    async with client(args.timeout) as http, client(args.timeout) as holding:
        stalled = [
            asyncio.create_task(stall(holding, job, release))
            for job in stalled_jobs(url, store, args.stalled)
        ]
        await asyncio.sleep(1.0)  # let the stalled readers open their downloads first
        t0 = time.monotonic()
        publish = asyncio.create_task(publish_later(args, tmp, t0))
        random.Random(args.seed).shuffle(jobs)
        outcomes = await asyncio.gather(*(fetch(http, job, refs) for job in jobs))
        seconds = time.monotonic() - t0
        published = await publish
        release.set()
        held = await asyncio.gather(*stalled)
    return [*outcomes, *held], published, seconds


async def referenced(jobs: list[Job], timeout: float) -> dict[str, Reference]:
    async with client(timeout) as http:
        return await references(http, jobs)


@dataclass(frozen=True)
class Watched:
    """The load as the client and the monitor saw it."""

    load_1min_before_after: list[float]
    load_seconds: float
    publish: Published
    references: dict[str, Reference]
    outcomes: list[Outcome]
    samples: Samples


def watched_load(args: argparse.Namespace, tmp: Path, server: Server, jobs: list[Job]) -> Watched:
    """The load, with the monitor process watching the server from before to after it."""
    refs = asyncio.run(referenced(jobs, args.timeout))
    context = multiprocessing.get_context("spawn")
    stop, results = context.Event(), context.Queue()
    watcher = context.Process(
        target=monitor, args=(server.url, server.pid, args.kill_rss_mb * 1024, stop, results)
    )
    watcher.start()
    time.sleep(1.0)  # the monitor's own start, so the first samples are before the load
    report.say(NAME, f"load: {len(jobs)} requests and {args.stalled} stalled readers at once")
    load_before = report.load_average()
    outcomes, published, seconds = asyncio.run(load(args, tmp, server.url, refs, jobs))
    load_after = report.load_average()
    time.sleep(1.0)
    stop.set()
    samples: Samples = results.get(timeout=60)
    watcher.join(timeout=30)
    return Watched([load_before, load_after], round(seconds, 2), published, refs, outcomes, samples)


def run(args: argparse.Namespace, tmp: Path) -> LoadResults:
    report.say(NAME, f"building the real datasets and {args.rows:,} SYNTHETIC rows in {tmp}")
    datasets, store_dir, preparation = prepare(tmp, args.rows)
    store = FolderStore(store_dir)
    env = {
        "OPENDATA_MEMORY_BUDGET_MB": str(args.budget_mb),
        "OPENDATA_STATE": str(store_dir.parent / "state"),
    }
    with serve_opendata(store_dir, datasets=datasets, log=tmp / "server.log", env=env) as server:
        jobs = [
            *download_jobs(server.url, store, args.downloads, args.big, args.big_xlsx),
            *sql_jobs(server.url, args.sql),
        ]
        report.say(NAME, f"{len(jobs)} jobs; reference downloads of each distinct URL")
        watched = watched_load(args, tmp, server, jobs)
        after = server_state(server.url, store, server.process.poll())
        logged = logged_errors(tmp / "server.log")
    outcomes = watched.outcomes
    return LoadResults(
        data="real datasets/ plus a SYNTHETIC 12333-hotline log (seeded, made up; not real)",
        rows=args.rows,
        plan=plan(args),
        machine=LoadMachine(
            **report.machine(), load_1min_before_after=watched.load_1min_before_after
        ),
        code=report.checkout(),
        preparation=preparation,
        load_seconds=watched.load_seconds,
        publish=watched.publish,
        after=after,
        references=len(watched.references),
        results=summarize(outcomes, watched.references, watched.samples, args.budget_mb),
        failures=[failure(o) for o in outcomes if o.verdict not in ("ok", "held")][:300],
        server_logged_errors=logged,
    )


def server_state(url: str, store: Store, exit_code: int | None) -> ServerState:
    """After the load: is the server up, and does it serve the published version?"""
    state = ServerState(server_exit_code=exit_code, store_current=store.current(hotline.SLUG))
    try:
        health = httpx.get(f"{url}/healthz", timeout=10).json()
        state["served_current"] = health["datasets"].get(hotline.SLUG)
    except (httpx.HTTPError, ValueError, KeyError) as exc:
        state["served_current"] = f"no answer: {type(exc).__name__}"
    return state


def main(argv: Sequence[str] | None = None) -> None:
    args = parser().parse_args(argv)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-load-", dir=args.tmp) as tmp:
        results = run(args, Path(tmp))
    results["run_seconds"] = round(time.perf_counter() - started, 1)
    results["targets"] = [
        Target(target=t, value=v, met=met) for t, v, met in verdicts(results["results"])
    ]
    report.write(args.out, NAME, results, markdown(results))
