"""Load benchmark: many clients at once against one real server, with a publish in the middle.

A store is built with `opendata build` from a copy of `datasets/` (the real datasets) plus a
SYNTHETIC resource of `--rows` rows (the seeded, made-up 12333-hotline log of bench_data.py),
and served by `opendata serve` on 127.0.0.1. Then, all at once:

- `--downloads` concurrent downloads of each format (csv, json, ndjson, parquet, xlsx, zip),
  spread over every real resource (and every real dataset for zip), of which `--big` per
  format (not xlsx, at ~5k rows/s) are of the synthetic resource;
- `--sql` concurrent SQL queries over the synthetic resource (`/api/v1/sql`);
- `--stalled` readers that open a download of the synthetic resource and read nothing until
  the rest is done;
- after `--publish-after` seconds, `opendata build` publishes a new version of
  `--publish` (by default the synthetic dataset: same rows, a changed description).

A separate process polls `/healthz` every 50 ms and samples the server's RSS (psutil if
installed, else /proc), so the figures are not delayed by this client's own work. Every
download and query names a pinned version (or asks for rows the publish does not change) and
is compared with a single reference download of the same URL made before the load: a `200`
whose bytes differ from it, or stop short of its `Content-Length`, is a truncated body.

    .venv/bin/python scripts/bench_load.py [--rows 1000000] [--downloads 100] [--sql 200]
        [--stalled 50] [--big 5] [--budget-mb 1024] [--out bench-results/]

Writes ``load.json`` and ``load.md`` into ``--out``. This machine shares its 2 CPUs with the
client: the figures are an honest instrument, not a capacity rating.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import multiprocessing
import os
import platform
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_data as data
import bench_servers as servers

from catalog.store.folder import Store

FORMATS = ("csv", "json", "ndjson", "parquet", "xlsx", "zip")
# Formats the synthetic resource is downloaded in; xlsx writes ~5k rows/s, so 1M rows take
# minutes each: ask for it with --big-xlsx.
BIG_FORMATS = ("csv", "json", "ndjson", "parquet", "zip")
SQL_TABLE = f"{data.SLUG.replace('-', '_')}__{data.RESOURCE}"
# Each answer is the same whatever version of the synthetic dataset is current (the publish
# changes its description, not its rows), so one reference answer checks them all.
SQL_QUERIES = (
    f"SELECT prefecture, topic, count(*) AS calls, avg(wait_seconds) AS wait FROM {SQL_TABLE}"
    " GROUP BY prefecture, topic ORDER BY prefecture, topic",
    f"SELECT count(*) AS calls, sum(talk_seconds) AS talk FROM {SQL_TABLE} WHERE resolved",
    f"SELECT county, count(DISTINCT channel) AS channels FROM {SQL_TABLE} GROUP BY county"
    " ORDER BY county",
    f"SELECT * FROM {SQL_TABLE} WHERE county = '520102' ORDER BY id LIMIT 1000",
    f"SELECT id, talk_seconds FROM {SQL_TABLE} ORDER BY talk_seconds DESC, id LIMIT 100",
    f"SELECT date, count(*) AS calls FROM {SQL_TABLE} GROUP BY date ORDER BY date",
)
HEALTH_INTERVAL = 0.05
TAIL = 65_557  # bytes kept of each body: enough for a zip's end of central directory
RSS_INTERVAL = 0.02


# -- the monitor: its own process, so that this client's work does not delay it ------------


def rss_kb(pid: int) -> int | None:
    """Resident memory of `pid` (psutil when installed, else /proc/<pid>/status)."""
    try:
        import psutil  # type: ignore[import-untyped]

        return int(psutil.Process(pid).memory_info().rss // 1024)
    except ImportError:
        return servers.status_kb(pid, "VmRSS")
    except Exception:  # the process is gone
        return None


def monitor(url: str, pid: int, kill_kb: int, stop: Any, results: Any) -> None:
    """Poll /healthz and sample RSS until `stop` is set; put the samples on `results`.

    Kills the server (SIGKILL) if its RSS passes `kill_kb`: the machine is shared, and a
    server past that has failed the budget already.
    """
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")  # resets VmHWM for this run
        hwm_reset = True
    except OSError:
        hwm_reset = False
    rss: list[tuple[float, int]] = []
    killed: list[int] = []
    started = time.monotonic()

    def sample() -> None:
        while not stop.is_set():
            found = rss_kb(pid)
            if found is not None:
                rss.append((time.monotonic() - started, found))
                if found > kill_kb and not killed:
                    killed.append(found)
                    os.kill(pid, 9)
            stop.wait(RSS_INTERVAL)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    health: list[tuple[float, float | None, str]] = []
    with httpx.Client(timeout=10) as client:
        while not stop.is_set():
            tick = time.monotonic()
            try:
                status = str(client.get(f"{url}/healthz").status_code)
                took: float | None = (time.monotonic() - tick) * 1000
            except httpx.HTTPError as exc:
                status, took = type(exc).__name__, None
            health.append((tick - started, took, status))
            stop.wait(max(0.0, HEALTH_INTERVAL - (time.monotonic() - tick)))
    sampler.join()
    hwm = servers.status_kb(pid, "VmHWM") if hwm_reset else None
    results.put({"rss": rss, "health": health, "hwm_kb": hwm, "killed_at_kb": killed})


# -- requests and how each one ended -----------------------------------------------------


@dataclass(frozen=True)
class Reference:
    sha256: str
    size: int
    etag: str | None


@dataclass
class Outcome:
    kind: str  # download format, "sql" or "stalled"
    target: str
    status: int | None = None
    verdict: str = ""  # ok, truncated, wrong_bytes, refused, client_error, server_error, ...
    seconds: float = 0.0
    size: int = 0
    note: str = ""
    retry_after: bool = False
    etag: str | None = None
    sha256: str | None = None
    tail: bytes = field(default=b"", repr=False)
    body_head: str = ""  # of an error answer


@dataclass(frozen=True)
class Job:
    kind: str
    target: str
    url: str
    params: dict[str, str] = field(default_factory=dict)


async def fetch(client: httpx.AsyncClient, job: Job, references: dict[str, Reference]) -> Outcome:
    """GET `job` and judge the answer against its reference."""
    outcome = Outcome(job.kind, job.target)
    started = time.monotonic()
    digest = hashlib.sha256()
    try:
        async with client.stream("GET", job.url, params=job.params) as response:
            outcome.status = response.status_code
            outcome.retry_after = "retry-after" in response.headers
            outcome.etag = response.headers.get("etag")
            declared = response.headers.get("content-length")
            try:
                async for chunk in response.aiter_bytes():
                    digest.update(chunk)
                    outcome.size += len(chunk)
                    outcome.tail = (outcome.tail + chunk)[-TAIL:]
            except httpx.HTTPError as exc:
                outcome.note = f"cut off after {outcome.size} bytes: {type(exc).__name__}"
            outcome.sha256 = digest.hexdigest()
            outcome.verdict = judge(outcome, declared, references.get(job.url + repr(job.params)))
            if response.status_code >= 400:
                outcome.body_head = outcome.tail[:300].decode("utf-8", "replace")
    except httpx.TimeoutException as exc:
        outcome.verdict, outcome.note = "timeout", type(exc).__name__
    except httpx.HTTPError as exc:
        outcome.verdict, outcome.note = "connection_error", f"{type(exc).__name__}: {exc}"
    outcome.seconds = round(time.monotonic() - started, 3)
    return outcome


def judge(outcome: Outcome, declared: str | None, reference: Reference | None) -> str:
    status = outcome.status or 0
    if status in (429, 503):
        return "refused"
    if status >= 500:
        return "server_error"
    if status >= 400:
        return "client_error"
    if outcome.note:
        return "truncated"
    if declared is not None and int(declared) != outcome.size:
        outcome.note = f"{outcome.size} of {declared} bytes (Content-Length)"
        return "truncated"
    if reference is None:
        return "unchecked"
    if outcome.sha256 == reference.sha256:
        return "ok"
    if not ends_whole(outcome.kind, outcome.tail):
        outcome.note = f"{outcome.size} bytes, reference {reference.size}; no proper end"
        return "truncated"
    outcome.note = f"{outcome.size} bytes, reference {reference.size}; other bytes, whole file"
    return "wrong_bytes"


def ends_whole(kind: str, tail: bytes) -> bool:
    """Whether a body of `kind` ends as a whole file does: a truncated one does not."""
    if kind in ("zip", "xlsx"):
        return b"PK\x05\x06" in tail[-65_557:]  # end of central directory (+ comment)
    if kind == "parquet":
        return tail.endswith(b"PAR1")
    if kind in ("json", "sql"):
        return tail.rstrip().endswith((b"]", b"}"))
    return tail.endswith(b"\n")


async def stall(client: httpx.AsyncClient, job: Job, release: asyncio.Event) -> Outcome:
    """Open a download and read nothing until `release`; then let go of it."""
    outcome = Outcome(job.kind, job.target)
    started = time.monotonic()
    try:
        async with client.stream("GET", job.url, params=job.params) as response:
            outcome.status = response.status_code
            outcome.retry_after = "retry-after" in response.headers
            await release.wait()
        outcome.verdict = judge_stalled(outcome.status)
    except httpx.HTTPError as exc:
        outcome.verdict, outcome.note = "connection_error", f"{type(exc).__name__}: {exc}"
    outcome.seconds = round(time.monotonic() - started, 3)
    return outcome


def judge_stalled(status: int) -> str:
    if status in (429, 503):
        return "refused"
    return "server_error" if status >= 500 else "held" if status < 400 else "client_error"


# -- the plan: the store, the jobs, the references -----------------------------------------


def build(opendata: Path, datasets: Path, store: Path, *slugs: str) -> dict[str, Any]:
    """`opendata build`, as a data steward runs it; its exit code, output and duration."""
    started = time.monotonic()
    done = subprocess.run(
        [str(opendata), "--datasets", str(datasets), "--store", str(store), "build", *slugs],
        capture_output=True,
        text=True,
        # Its own private state (audit log): never the checkout's `state/`.
        env={**os.environ, "OPENDATA_STATE": str(store.parent / "state")},
    )
    return {
        "exit_code": done.returncode,
        "seconds": round(time.monotonic() - started, 2),
        "output": (done.stdout + done.stderr).strip()[-2000:],
    }


def prepare(tmp: Path, rows: int) -> tuple[Path, Path, dict[str, Any]]:
    datasets, store = tmp / "datasets", tmp / "store"
    shutil.copytree(servers.ROOT / "datasets", datasets)
    started = time.monotonic()
    data.write_dataset(datasets, rows)
    generated = round(time.monotonic() - started, 2)
    built = build(servers.BIN / "opendata", datasets, store)
    if built["exit_code"] != 0:
        raise RuntimeError(f"opendata build failed:\n{built['output']}")
    return datasets, store, {"generate_seconds": generated, "build": built}


def download_jobs(base: str, store: Store, args: argparse.Namespace) -> list[Job]:
    """`--downloads` per format over the real resources, `--big` of them synthetic."""
    real = [s for s in store.slugs() if s != data.SLUG]
    resources = [
        (slug, str(r["name"]), store.current(slug) or "")
        for slug in real
        for r in store.descriptor(slug)["resources"]
    ]
    big_version = store.current(data.SLUG) or ""
    jobs = []
    for fmt in FORMATS:
        big = args.big if fmt in BIG_FORMATS or args.big_xlsx else 0
        for number in range(args.downloads):
            if number < big:
                slug, resource, version = data.SLUG, data.RESOURCE, big_version
            elif fmt == "zip":
                slug = real[number % len(real)]
                resource, version = "", store.current(slug) or ""
            else:
                slug, resource, version = resources[number % len(resources)]
            path = f"{slug}.zip" if fmt == "zip" else f"{slug}/resources/{resource}.{fmt}"
            target = "synthetic" if slug == data.SLUG else "real"
            jobs.append(Job(fmt, target, f"{base}/api/v1/datasets/{path}", {"version": version}))
    return jobs


def sql_jobs(base: str, count: int) -> list[Job]:
    return [
        Job("sql", "synthetic", f"{base}/api/v1/sql", {"sql": SQL_QUERIES[n % len(SQL_QUERIES)]})
        for n in range(count)
    ]


def stalled_jobs(base: str, store: Store, count: int) -> list[Job]:
    version = store.current(data.SLUG) or ""
    url = f"{base}/api/v1/datasets/{data.SLUG}/resources/{data.RESOURCE}.csv"
    return [Job("stalled", "synthetic", url, {"version": version}) for _ in range(count)]


async def references(client: httpx.AsyncClient, jobs: list[Job]) -> dict[str, Reference]:
    """One download of every distinct URL, one at a time, before the load."""
    found: dict[str, Reference] = {}
    for job in jobs:
        key = job.url + repr(job.params)
        if key in found:
            continue
        outcome = await fetch(client, job, {})
        if outcome.status != 200 or outcome.note:
            raise RuntimeError(f"reference download failed: {job} {outcome}")
        found[key] = Reference(outcome.sha256 or "", outcome.size, outcome.etag)
    return found


# -- the run -------------------------------------------------------------------------------


def client(timeout: float) -> httpx.AsyncClient:
    # identity: measure the server's work, not gzip's; no pool limit: every job is a client
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=0)
    return httpx.AsyncClient(
        timeout=httpx.Timeout(timeout, connect=timeout),
        limits=limits,
        headers={"Accept-Encoding": "identity"},
    )


async def publish_later(args: argparse.Namespace, tmp: Path, t0: float) -> dict[str, Any]:
    """After `--publish-after` s, a new version of `--publish` by `opendata build`."""
    await asyncio.sleep(args.publish_after)
    descriptor = tmp / "datasets" / args.publish / "datapackage.yaml"
    meta = yaml.safe_load(descriptor.read_text(encoding="utf-8"))
    meta["description_en"] = f"{meta.get('description_en', '')} (republished by bench_load)"
    descriptor.write_text(yaml.safe_dump(meta, allow_unicode=True, sort_keys=False), "utf-8")
    started = time.monotonic() - t0
    built = await asyncio.to_thread(
        build, servers.BIN / "opendata", tmp / "datasets", tmp / "store", args.publish
    )
    return {"dataset": args.publish, "started_at_s": round(started, 2), **built}


async def load(
    args: argparse.Namespace, tmp: Path, url: str, refs: dict[str, Reference], jobs: list[Job]
) -> tuple[list[Outcome], dict[str, Any], float]:
    store = Store(tmp / "store")
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


def run(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    say(f"building the real datasets and {args.rows:,} SYNTHETIC rows in {tmp}")
    _, store_dir, preparation = prepare(tmp, args.rows)
    store = Store(store_dir)
    env = {
        "OPENDATA_MEMORY_BUDGET_MB": str(args.budget_mb),
        "OPENDATA_STATE": str(store_dir.parent / "state"),
    }
    port = servers.free_port()
    with servers.ours(store_dir, tmp / "datasets", port, tmp / "server.log", env) as server:
        url = server.url
        jobs = [*download_jobs(url, store, args), *sql_jobs(url, args.sql)]
        say(f"{len(jobs)} jobs; reference downloads of each distinct URL")

        async def referenced() -> dict[str, Reference]:
            async with client(args.timeout) as http:
                return await references(http, jobs)

        refs = asyncio.run(referenced())
        context = multiprocessing.get_context("spawn")
        stop, results = context.Event(), context.Queue()
        watcher = context.Process(
            target=monitor, args=(url, server.pid, args.kill_rss_mb * 1024, stop, results)
        )
        watcher.start()
        time.sleep(1.0)  # the monitor's own start, so the first samples are before the load
        say(f"load: {len(jobs)} requests and {args.stalled} stalled readers at once")
        load_before = os.getloadavg()[0]
        outcomes, published, seconds = asyncio.run(load(args, tmp, url, refs, jobs))
        load_after = os.getloadavg()[0]
        time.sleep(1.0)
        stop.set()
        samples = results.get(timeout=60)
        watcher.join(timeout=30)
        after = server_state(url, store, server.process.poll())
        logged = logged_errors(server.log)
    return {
        "data": "real datasets/ plus a SYNTHETIC 12333-hotline log (seeded, made up; not real)",
        "rows": args.rows,
        "plan": plan(args),
        "machine": {
            "cpus": os.cpu_count(),
            "arch": platform.machine(),
            "load_1min_before_after": [round(load_before, 2), round(load_after, 2)],
        },
        "code": checkout(),
        "preparation": preparation,
        "load_seconds": round(seconds, 2),
        "publish": published,
        "after": after,
        "references": len(refs),
        "results": summarize(outcomes, refs, samples, args.budget_mb),
        "failures": [failure(o) for o in outcomes if o.verdict not in ("ok", "held")][:300],
        "server_logged_errors": logged,
    }


def logged_errors(log: Path) -> dict[str, int]:
    """The exceptions the server logged, by their last traceback line (paths cut off)."""
    found: Counter[str] = Counter()
    for line in log.read_text(errors="replace").splitlines():
        head = line.split(":", 1)[0]
        if head.endswith(("Error", "Exception", "Interrupt")) and " " not in head:
            found[re.sub(r"\d+(\.\d+)?", "N", line)[:160]] += 1
    return dict(found.most_common(15))


def failure(outcome: Outcome) -> dict[str, Any]:
    found = asdict(outcome)
    del found["tail"]
    return found


def server_state(url: str, store: Store, exit_code: int | None) -> dict[str, Any]:
    """After the load: is the server up, and does it serve the published version?"""
    state: dict[str, Any] = {"server_exit_code": exit_code}
    state["store_current"] = store.current(data.SLUG)
    try:
        health = httpx.get(f"{url}/healthz", timeout=10).json()
        state["served_current"] = health["datasets"].get(data.SLUG)
    except (httpx.HTTPError, ValueError, KeyError) as exc:
        state["served_current"] = f"no answer: {type(exc).__name__}"
    return state


# -- the report ------------------------------------------------------------------------------


def percentiles(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"p50_ms": None, "p99_ms": None, "max_ms": None}
    array = np.array(values)
    return {
        "p50_ms": round(float(np.percentile(array, 50)), 1),
        "p99_ms": round(float(np.percentile(array, 99)), 1),
        "max_ms": round(float(array.max()), 1),
    }


def summarize(
    outcomes: list[Outcome],
    references: dict[str, Reference],
    samples: dict[str, Any],
    budget_mb: int,
) -> dict[str, Any]:
    by_kind: dict[str, Counter[str]] = {}
    timings: dict[str, list[float]] = {}
    for o in outcomes:
        by_kind.setdefault(f"{o.kind} ({o.target})", Counter())[o.verdict] += 1
        timings.setdefault(f"{o.kind} ({o.target})", []).append(o.seconds * 1000)
    statuses = Counter(str(o.status) for o in outcomes)
    rss_mb = [kb / 1024 for _, kb in samples["rss"]]
    peak = samples["hwm_kb"] / 1024 if samples["hwm_kb"] else max(rss_mb, default=0.0)
    health = samples["health"]
    answered = [ms for _, ms, status in health if ms is not None and status == "200"]
    server_errors = sum(1 for o in outcomes if o.status and o.status >= 500 and o.status != 503)
    return {
        "requests": len(outcomes),
        "status_counts": dict(sorted(statuses.items())),
        "server_errors_5xx_except_503": server_errors,
        "refused_429": statuses.get("429", 0),
        "refused_503": statuses.get("503", 0),
        "refused_without_retry_after": sum(
            1 for o in outcomes if o.status in (429, 503) and not o.retry_after
        ),
        "truncated_bodies": sum(1 for o in outcomes if o.verdict == "truncated"),
        "wrong_bytes": sum(1 for o in outcomes if o.verdict == "wrong_bytes"),
        "timeouts": sum(1 for o in outcomes if o.verdict == "timeout"),
        "connection_errors": sum(1 for o in outcomes if o.verdict == "connection_error"),
        "etag_conflicts": etag_conflicts(outcomes, references),
        "by_kind": {kind: dict(sorted(c.items())) for kind, c in sorted(by_kind.items())},
        "seconds_by_kind": {kind: percentiles(ms) for kind, ms in sorted(timings.items())},
        "memory": {
            "budget_mb": budget_mb,
            "peak_rss_mb": round(peak, 1),
            "peak_source": "VmHWM" if samples["hwm_kb"] else "sampled RSS",
            "rss_at_start_mb": round(rss_mb[0], 1) if rss_mb else None,
            "under_budget": peak < budget_mb,
            "killed_at_mb": round(samples["killed_at_kb"][0] / 1024, 1)
            if samples["killed_at_kb"]
            else None,
        },
        "healthz": {
            "polls": len(health),
            "answered_200": len(answered),
            "failed": len(health) - len(answered),
            "failures": dict(Counter(status for _, _, status in health if status != "200")),
            **percentiles(answered),
        },
    }


def etag_conflicts(outcomes: list[Outcome], references: dict[str, Reference]) -> int:
    """ETags seen with more than one whole body: equal ETag must mean equal bytes."""
    bodies: dict[str, set[str]] = {}
    for r in references.values():
        if r.etag:
            bodies.setdefault(r.etag, set()).add(r.sha256)
    for o in outcomes:
        if o.verdict in ("ok", "wrong_bytes") and o.etag and o.sha256:
            bodies.setdefault(o.etag, set()).add(o.sha256)
    return sum(1 for hashes in bodies.values() if len(hashes) > 1)


def plan(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "downloads_per_format": args.downloads,
        "synthetic_downloads_per_format": args.big,
        "synthetic_xlsx": args.big_xlsx,
        "formats": list(FORMATS),
        "sql_queries": args.sql,
        "stalled_readers": args.stalled,
        "publish": args.publish,
        "publish_after_s": args.publish_after,
        "client_timeout_s": args.timeout,
        "kill_rss_mb": args.kill_rss_mb,
        "seed": args.seed,
    }


def checkout() -> dict[str, Any]:
    def git(*parts: str) -> str:
        done = subprocess.run(["git", *parts], cwd=servers.ROOT, capture_output=True, text=True)
        return done.stdout.strip()

    changed = git("status", "--porcelain", "--", "catalog", "api", "validation")
    return {"commit": git("rev-parse", "--short", "HEAD"), "uncommitted_changes": bool(changed)}


def verdicts(r: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """The issue's targets for the load run: (target, value, met)."""
    s = r["results"]
    memory, health = s["memory"], s["healthz"]
    p99 = health["p99_ms"]
    return [
        ("0 responses 5xx (503 counted apart)", str(s["server_errors_5xx_except_503"]),
         s["server_errors_5xx_except_503"] == 0),
        ("0 truncated bodies", str(s["truncated_bodies"]), s["truncated_bodies"] == 0),
        ("0 wrong bodies behind a 200", str(s["wrong_bytes"]), s["wrong_bytes"] == 0),
        ("every 429/503 has Retry-After", str(s["refused_without_retry_after"]),
         s["refused_without_retry_after"] == 0),
        ("equal ETag, equal bytes", str(s["etag_conflicts"]), s["etag_conflicts"] == 0),
        (f"peak RSS under the budget ({memory['budget_mb']} MB)", f"{memory['peak_rss_mb']} MB",
         bool(memory["under_budget"]) and memory["killed_at_mb"] is None),
        ("/healthz p99 under 100 ms", f"{p99} ms", p99 is not None and p99 < 100),
        ("/healthz always answered", str(health["failed"]), health["failed"] == 0),
    ]  # fmt: skip


def markdown(r: dict[str, Any]) -> str:
    s, p = r["results"], r["plan"]
    code = r["code"]
    lines = [
        f"# Load benchmark: {p['downloads_per_format']} downloads per format, "
        f"{p['sql_queries']} SQL queries, {p['stalled_readers']} stalled readers",
        "",
        f"Code at commit `{code['commit']}`"
        + (" **with uncommitted changes**" if code["uncommitted_changes"] else "")
        + f"; {r['machine']['cpus']} CPUs shared by the server, this client and the publish"
        + " (1-minute load average before → after the load: "
        + " → ".join(str(x) for x in r["machine"]["load_1min_before_after"])
        + ")."
        + f" Data: {r['data']}; the synthetic resource has {r['rows']:,} rows. The load took"
        + f" {r['load_seconds']} s; {r['references']} reference downloads were made first.",
        "",
        "Downloads per format: "
        f"{p['downloads_per_format'] - p['synthetic_downloads_per_format']} over the real"
        f" resources (zip: the real datasets), {p['synthetic_downloads_per_format']} of the"
        " synthetic resource"
        + ("" if p["synthetic_xlsx"] else " (xlsx: none, it writes ~5k rows/s)")
        + ". Every URL pins its version; SQL answers do not change with the publish.",
        "",
        "## Targets (issue 10)",
        "",
        "| target | value | met |",
        "| --- | ---: | :---: |",
    ]
    for target, value, met in verdicts(r):
        lines.append(f"| {target} | {value} | {'yes' if met else '**NO**'} |")
    served = s["status_counts"].get("200", 0)
    lines += [
        "",
        f"Served with 200: {served} of {s['requests']}; the rest were refused with 429 or 503"
        " and `Retry-After` (the targets above say nothing of how many were served: read this"
        " line beside them).",
    ]
    memory, health = s["memory"], s["healthz"]
    lines += [
        "",
        "## Counts",
        "",
        f"- requests: {s['requests']}; statuses: {s['status_counts']}",
        f"- 5xx except 503: {s['server_errors_5xx_except_503']}; 429: {s['refused_429']};"
        f" 503: {s['refused_503']}; without Retry-After: {s['refused_without_retry_after']}",
        f"- truncated bodies: {s['truncated_bodies']}; other bytes than the reference:"
        f" {s['wrong_bytes']}; client timeouts ({p['client_timeout_s']} s): {s['timeouts']};"
        f" connection errors: {s['connection_errors']}",
        f"- peak RSS {memory['peak_rss_mb']} MB ({memory['peak_source']}; at start"
        f" {memory['rss_at_start_mb']} MB) against a budget of {memory['budget_mb']} MB"
        + (
            f"; **killed by this benchmark at {memory['killed_at_mb']} MB** (safety cap"
            f" {p['kill_rss_mb']} MB)"
            if memory["killed_at_mb"]
            else ""
        ),
        f"- /healthz every 50 ms: {health['polls']} polls, {health['failed']} failed"
        + (f" {health['failures']}" if health["failures"] else "")
        + ";"
        f" p50 {health['p50_ms']} ms, p99 {health['p99_ms']} ms, max {health['max_ms']} ms",
        f"- publish of `{r['publish']['dataset']}` at {r['publish']['started_at_s']} s:"
        f" exit {r['publish']['exit_code']} after {r['publish']['seconds']} s; served"
        f" afterwards: `{r['after'].get('served_current')}` (store: "
        f"`{r['after'].get('store_current')}`)",
        "",
        "| kind (target) | verdicts | seconds p50 / p99 / max |",
        "| --- | --- | ---: |",
    ]
    for kind, counts in s["by_kind"].items():
        timing = s["seconds_by_kind"].get(kind, {})
        cell = " / ".join(
            f"{(timing.get(k) or 0) / 1000:.1f}" for k in ("p50_ms", "p99_ms", "max_ms")
        )
        lines.append(f"| {kind} | {counts} | {cell} |")
    lines += [
        "",
        "Verdicts: `ok` = the reference bytes; `truncated` = cut off or short of"
        " Content-Length; `wrong_bytes` = complete but other bytes; `refused` = 429/503;"
        " `held` = a stalled reader got its answer's head and kept it.",
        "",
        "## Exceptions in the server's log",
        "",
        "| count | last line of the traceback |",
        "| ---: | --- |",
        *(
            f"| {count} | `{line.replace('|', '/')}` |"
            for line, count in r["server_logged_errors"].items()
        ),
        "",
        "## Failures, one of each kind and verdict",
        "",
        "```json",
        json.dumps(first_of_each(r["failures"]), indent=1, ensure_ascii=False),
        "```",
        "",
    ]
    return "\n".join(lines)


def first_of_each(failures: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: dict[tuple[str, str, str], dict[str, Any]] = {}
    for f in failures:
        seen.setdefault((f["kind"], f["target"], f["verdict"]), f)
    return list(seen.values())


def write(out: Path, results: dict[str, Any]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "load.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    (out / "load.md").write_text(markdown(results))


def say(message: str) -> None:
    print(f"[bench_load {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="synthetic resource rows")
    parser.add_argument("--downloads", type=int, default=100, help="concurrent, per format")
    parser.add_argument("--big", type=int, default=5, help="of them, of the synthetic resource")
    parser.add_argument("--big-xlsx", action="store_true", help="also xlsx of the synthetic")
    parser.add_argument("--sql", type=int, default=200, help="concurrent SQL queries")
    parser.add_argument("--stalled", type=int, default=50, help="stalled readers")
    parser.add_argument("--publish", default=data.SLUG, help="dataset republished mid-load")
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
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-load-", dir=args.tmp) as tmp:
        results = run(args, Path(tmp))
    results["run_seconds"] = round(time.perf_counter() - started, 1)
    results["targets"] = [{"target": t, "value": v, "met": met} for t, v, met in verdicts(results)]
    write(args.out, results)
    print((args.out / "load.md").read_text())


if __name__ == "__main__":
    main()
