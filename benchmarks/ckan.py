"""CKAN benchmark: the Action API against the same work done in DuckDB directly.

1. Catalogue: `package_search` (q, fq and 4 facets) and `package_list` over N synthetic
   published descriptors (default 100,000; benchmarks.catalogue), over HTTP from a real
   uvicorn, against the same selection run on the catalogue index's DuckDB table (the floor;
   the target is within 3×).
2. DataStore: `datastore_search` with filters and an exact total over the synthetic 12333
   hotline table (default 10,000,000 rows, benchmarks.hotline), against the v1 rows
   endpoint with the same filters (the target is within 2×).

    python -m benchmarks ckan [--datasets 100000] [--rows 10000000] [--repeat 30]
        [--skip-datastore] [--out bench-results/]

Writes `ckan.json` and `ckan.md` into `--out`, with the servers' logs. Synthetic data only.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NotRequired, TypedDict

import duckdb
import httpx
import pyarrow as pa

from benchmarks import catalogue, hotline, report
from benchmarks.servers import free_port, running, serve_opendata
from benchmarks.timing import Plan, Timing, repeat, time_get
from catalog.ckan import CkanActions
from catalog.search import CatalogueIndex, SearchResult, Selection, catalogue_uuid, entry
from catalog.store import FolderStore, Package

NAME = "ckan"
SEARCH: dict[str, str | int] = {
    "q": "养老",
    "fq": "organization:org-05 +metadata_modified:[2024-01-01T00:00:00Z TO *]",
    "facet.field": json.dumps(["organization", "groups", "tags", "license_id"]),
    "rows": 20,
}
ROW_GROUP_SIZE = 122_880


class Floor(TypedDict):
    """DuckDB doing an action's work in this process (`load_seconds`: indexing, if any)."""

    load_seconds: NotRequired[float]
    timing: Timing
    count: int


class Compared(TypedDict):
    ours: Timing
    duckdb: Timing


class SearchCompared(Compared):
    count: int


class CatalogueRun(TypedDict):
    datasets: int
    index_load_seconds: float
    package_search: SearchCompared
    package_list: Compared


class DatastoreRun(TypedDict):
    rows: int
    prepare_seconds: float
    total: int
    datastore_search: Timing
    v1_rows: Timing


class Results(TypedDict):
    """`ckan.json`."""

    catalogue: CatalogueRun
    datastore: NotRequired[DatastoreRun]


class RecordingIndex(CatalogueIndex):
    """The catalogue index, keeping the last selection it was asked to run."""

    selection = Selection()

    def select(self, selection: Selection, drafts: Sequence[Package] = ()) -> SearchResult:
        self.selection = selection
        return super().select(selection, drafts)


def search_floor(descriptors: list[Package], plan: Plan, scratch: Path) -> Floor:
    """The search package_search runs, timed on the index's DuckDB table in this process."""
    index = RecordingIndex(FolderStore(scratch / "none"), refresh_seconds=float("inf"))
    started = time.perf_counter()
    index.load(descriptors)
    load_seconds = time.perf_counter() - started
    CkanActions(index, base_url="http://bench").package_search(dict(SEARCH))
    selection = index.selection
    timing, found = repeat(plan, lambda: index.select(selection))
    return Floor(load_seconds=load_seconds, timing=timing, count=found.count)


def list_floor(descriptors: list[Package], plan: Plan) -> Floor:
    """package_list's work in DuckDB: every slug of the index's rows, sorted."""
    con = duckdb.connect()
    con.register("entries", pa.Table.from_pylist([entry(d) for d in descriptors]))
    con.execute("CREATE TABLE datasets AS SELECT * FROM entries")
    timing, names = repeat(
        plan, lambda: con.execute("SELECT slug FROM datasets ORDER BY slug").fetchall()
    )
    return Floor(timing=timing, count=len(names))


def bench_catalogue(count: int, plan: Plan, out: Path) -> CatalogueRun:
    descriptors = catalogue.descriptors(count)
    search = search_floor(descriptors, plan, out)
    listing = list_floor(descriptors, plan)
    port = free_port()
    command = [sys.executable, "-m", "benchmarks.catalogue", str(count), str(port)]
    log = out / "ckan-catalogue-server.log"
    with (
        running("ours", command, port, log=log, timeout=600) as server,
        httpx.Client(base_url=server.url, timeout=120) as client,
    ):
        ours_search, answer = time_get(client, plan, "/api/3/action/package_search", SEARCH)
        ours_list, names = time_get(client, plan, "/api/3/action/package_list")
    found = answer.json()["result"]["count"]
    if not found == search["count"] > 0:
        raise RuntimeError(f"package_search found {found}, the floor {search['count']}")
    if not len(names.json()["result"]) == listing["count"] == count:
        raise RuntimeError(f"package_list listed {len(names.json()['result'])} of {count}")
    return CatalogueRun(
        datasets=count,
        index_load_seconds=round(search.get("load_seconds", 0.0), 2),
        package_search=SearchCompared(ours=ours_search, duckdb=search["timing"], count=found),
        package_list=Compared(ours=ours_list, duckdb=listing["timing"]),
    )


def bench_datastore(rows: int, plan: Plan, out: Path, work: Path) -> DatastoreRun:
    datasets, store = work / "datasets", work / "store"
    started = time.perf_counter()
    hotline.write_dataset(datasets, rows)
    published = hotline.publish(datasets, store, ROW_GROUP_SIZE)
    prepare_seconds = time.perf_counter() - started
    resource_id = catalogue_uuid("resource", f"{hotline.SLUG}/{hotline.RESOURCE}")
    filters = {"prefecture": hotline.FILTER_PREFECTURE, "topic": hotline.FILTER_TOPIC}
    log = out / "ckan-datastore-server.log"
    env = {"OPENDATA_QUERY_TIMEOUT_SECONDS": "30", "OPENDATA_EXACT_TOTAL_SECONDS": "30"}
    datastore: dict[str, str | int] = {
        "resource_id": resource_id,
        "filters": json.dumps(filters),
        "limit": 100,
    }
    rows_url = f"/api/v1/datasets/{hotline.SLUG}/resources/{hotline.RESOURCE}/rows"
    with (
        serve_opendata(store, datasets=datasets, log=log, env=env) as server,
        httpx.Client(base_url=server.url, timeout=120) as client,
    ):
        search, answer = time_get(client, plan, "/api/3/action/datastore_search", datastore)
        v1, v1_answer = time_get(client, plan, rows_url, {**filters, "limit": 100})
    total, v1_total = answer.json()["result"]["total"], v1_answer.json().get("total")
    if total != v1_total:
        raise RuntimeError(f"datastore_search counted {total}, the rows page {v1_total}")
    return DatastoreRun(
        rows=published.rows,
        prepare_seconds=round(prepare_seconds, 1),
        total=total,
        datastore_search=search,
        v1_rows=v1,
    )


def markdown(results: Results) -> str:
    rows: list[list[object]] = []
    catalogue_run = results.get("catalogue")
    if catalogue_run:
        for name in ("package_search", "package_list"):
            ours = catalogue_run[name]["ours"]["p50_ms"]
            floor = catalogue_run[name]["duckdb"]["p50_ms"]
            what = f"{name} ({catalogue_run['datasets']:,} datasets) vs DuckDB"
            rows.append([what, ours, floor, f"{ours / floor:.1f}×", "≤ 3×"])
    store = results.get("datastore")
    if store:
        ours, floor = store["datastore_search"]["p50_ms"], store["v1_rows"]["p50_ms"]
        what = f"datastore_search, filters + exact total ({store['rows']:,} rows) vs v1 rows"
        rows.append([what, ours, floor, f"{ours / floor:.1f}×", "≤ 2×"])
    headers = ("operation", "ours p50 ms", "floor p50 ms", "ratio", "target")
    lines = ["# CKAN benchmark (synthetic data)", "", *report.table(headers, "lrrrl", rows)]
    return "\n".join(lines) + "\n"


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks ckan", description=(__doc__ or "").splitlines()[0]
    )
    parser.add_argument("--out", type=Path, default=Path("bench-results"))
    parser.add_argument("--datasets", type=int, default=100_000)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--skip-datastore", action="store_true")
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    args = parser().parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    plan = Plan(warmup=3, repeat=args.repeat, budget=20.0)
    report.say(NAME, f"catalogue of {args.datasets:,} SYNTHETIC datasets")
    results = Results(catalogue=bench_catalogue(args.datasets, plan, args.out))
    if not args.skip_datastore:
        report.say(NAME, f"DataStore over {args.rows:,} SYNTHETIC rows")
        with tempfile.TemporaryDirectory(prefix="bench-ckan-") as work:
            results["datastore"] = bench_datastore(args.rows, plan, args.out, Path(work))
    report.write(args.out, NAME, results, markdown(results))
