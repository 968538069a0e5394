"""The load benchmark's store and requests: what is built, what is asked for, and the answers
each request is checked against."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import httpx

from benchmarks import hotline
from benchmarks.load.outcomes import Job, Reference, fetch
from benchmarks.load.results import Built, Preparation
from benchmarks.servers import OPENDATA, ROOT
from catalog.store import Store

FORMATS = ("csv", "json", "ndjson", "parquet", "xlsx", "zip")
# Formats the synthetic resource is downloaded in; xlsx writes ~5k rows/s, so 1M rows take
# minutes each: ask for it with --big-xlsx.
BIG_FORMATS = ("csv", "json", "ndjson", "parquet", "zip")
SQL_TABLE = f"{hotline.SLUG.replace('-', '_')}__{hotline.RESOURCE}"
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


def build(datasets: Path, store: Path, *slugs: str) -> Built:
    """`opendata build`, as a data steward runs it; its exit code, output and duration."""
    started = time.monotonic()
    done = subprocess.run(
        [str(OPENDATA), "--datasets", str(datasets), "--store", str(store), "build", *slugs],
        capture_output=True,
        text=True,
        # Its own private state (audit log): never the checkout's `state/`.
        env={**os.environ, "OPENDATA_STATE": str(store.parent / "state")},
    )
    return Built(
        exit_code=done.returncode,
        seconds=round(time.monotonic() - started, 2),
        output=(done.stdout + done.stderr).strip()[-2000:],
    )


def prepare(tmp: Path, rows: int) -> tuple[Path, Path, Preparation]:
    """A copy of the checkout's datasets plus the synthetic one, built into a new store."""
    datasets, store = tmp / "datasets", tmp / "store"
    shutil.copytree(ROOT / "datasets", datasets)
    started = time.monotonic()
    hotline.write_dataset(datasets, rows)
    generated = round(time.monotonic() - started, 2)
    built = build(datasets, store)
    if built["exit_code"] != 0:
        raise RuntimeError(f"opendata build failed:\n{built['output']}")
    return datasets, store, Preparation(generate_seconds=generated, build=built)


def download_jobs(base: str, store: Store, downloads: int, big: int, big_xlsx: bool) -> list[Job]:
    """`downloads` per format over the real resources, `big` of them synthetic."""
    real = [s for s in store.slugs() if s != hotline.SLUG]
    resources = [
        (slug, str(r["name"]), store.current(slug) or "")
        for slug in real
        for r in store.descriptor(slug)["resources"]
    ]
    big_version = store.current(hotline.SLUG) or ""
    jobs = []
    for fmt in FORMATS:
        synthetic = big if fmt in BIG_FORMATS or big_xlsx else 0
        for number in range(downloads):
            if number < synthetic:
                slug, resource, version = hotline.SLUG, hotline.RESOURCE, big_version
            elif fmt == "zip":
                slug = real[number % len(real)]
                resource, version = "", store.current(slug) or ""
            else:
                slug, resource, version = resources[number % len(resources)]
            path = f"{slug}.zip" if fmt == "zip" else f"{slug}/resources/{resource}.{fmt}"
            target = "synthetic" if slug == hotline.SLUG else "real"
            jobs.append(Job(fmt, target, f"{base}/api/v1/datasets/{path}", {"version": version}))
    return jobs


def sql_jobs(base: str, count: int) -> list[Job]:
    return [
        Job("sql", "synthetic", f"{base}/api/v1/sql", {"sql": SQL_QUERIES[n % len(SQL_QUERIES)]})
        for n in range(count)
    ]


def stalled_jobs(base: str, store: Store, count: int) -> list[Job]:
    version = store.current(hotline.SLUG) or ""
    url = f"{base}/api/v1/datasets/{hotline.SLUG}/resources/{hotline.RESOURCE}.csv"
    return [Job("stalled", "synthetic", url, {"version": version}) for _ in range(count)]


async def references(client: httpx.AsyncClient, jobs: list[Job]) -> dict[str, Reference]:
    """One download of every distinct URL, one at a time, before the load."""
    found: dict[str, Reference] = {}
    for job in jobs:
        if job.key in found:
            continue
        outcome = await fetch(client, job, {})
        if outcome.status != 200 or outcome.note:
            raise RuntimeError(f"reference download failed: {job} {outcome}")
        found[job.key] = Reference(outcome.sha256 or "", outcome.size, outcome.etag)
    return found
