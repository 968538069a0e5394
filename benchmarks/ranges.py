"""Byte ranges benchmark: the query engine over a folder, over S3 in place, over a whole copy.

The same queries on one synthetic table (1,000,000 rows by default, labelled SYNTHETIC), in
this process, through `catalog.query.QueryEngine`:

- `folder`: a folder store, the Parquet on the local disk;
- `s3 ranges`: an S3 store on moto's standalone server (127.0.0.1), the Parquet read in
  place by byte ranges (`catalog.store.s3.ranges`): what the engine does now;
- `s3 copy`: the same store copying the object whole into its cache folder on first use,
  then reading it there: what the S3 store did before (a cold query pays the download).

Cold: a new engine over a new store (a new DuckDB; no descriptor, footer, object size or
range read cached; an empty cache folder), its first query, `--cold` times; warm: the same
engine, the query repeated. Reported as p50 and as ratios to the folder.

    python -m benchmarks ranges [--rows 1000000] [--repeat 10] [--cold 3] [--out bench-results/]

Writes `ranges.json` and `ranges.md` into `--out`. moto serves one machine's loopback: a
real object store adds its network's latency to every range (the cold column's count of
requests matters more there than here).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TypedDict

import boto3
import pyarrow as pa
import pyarrow.parquet as pq

from benchmarks import report
from benchmarks.s3server import CREDENTIALS, serving_s3
from benchmarks.timing import Plan, Timing, repeat
from catalog.query import AggregateRequest, QueryEngine, RowsRequest
from catalog.settings import Settings
from catalog.store import Files, FolderStore, LocalFiles, S3Options, S3Store, Store, open_store

NAME = "ranges"
SLUG, RESOURCE, VERSION = "ranges-bench", "facts", "v1"
BUCKET = "opendata-bench"
ROW_GROUP_SIZE = 122_880  # as `opendata build` writes them
SIDES = ("folder", "s3 ranges", "s3 copy")
SCHEMA = {
    "fields": [
        {"name": "id", "type": "integer"},
        {"name": "year", "type": "integer"},
        {"name": "region", "type": "string"},
        {"name": "value", "type": "number"},
    ],
    "primaryKey": ["id"],
}


class Measured(TypedDict):
    cold: Timing
    warm: Timing


class Results(TypedDict):
    """`ranges.json`."""

    rows: int
    parquet_bytes: int
    row_groups: int
    sides: dict[str, dict[str, Measured]]
    load_average: float
    code: report.Checkout
    versions: dict[str, str]


def queries(rows: int) -> dict[str, Callable[[QueryEngine], object]]:
    """Each measured query, as the engine answers it."""
    middle = RowsRequest(limit=100, offset=rows // 2, total="none")
    counted = RowsRequest(filters=(("year__gte", "2020"),), limit=100, total="exact")
    grouped = AggregateRequest(
        filters=(("year__lt", "2010"),),
        group_by="region",
        measures={"sum": "value", "count": "*"},
    )
    return {
        "rows: first page": lambda e: e.rows(SLUG, RESOURCE, RowsRequest(limit=100)),
        "rows: offset to the middle": lambda e: e.rows(SLUG, RESOURCE, middle),
        "rows: filtered, exact total": lambda e: e.rows(SLUG, RESOURCE, counted),
        "aggregate: filtered group by": lambda e: e.aggregate(SLUG, RESOURCE, grouped),
    }


def write_store(root: Path, rows: int) -> Path:
    """A folder store of one version of one SYNTHETIC resource; its Parquet's path."""
    folder = root / SLUG / VERSION
    folder.mkdir(parents=True)
    ids = pa.array(range(rows), pa.int64())
    table = pa.table(
        {
            "id": ids,
            "year": pa.array([2000 + (i * 7) % 25 for i in range(rows)], pa.int64()),
            "region": pa.array([f"52{(i * 13) % 90:02d}00" for i in range(rows)]),
            "value": pa.array([(i * 7919) % 100_000 / 100 for i in range(rows)], pa.float64()),
        }
    ).replace_schema_metadata({b"table_schema": json.dumps(SCHEMA).encode()})
    path = folder / f"{RESOURCE}.parquet"
    pq.write_table(table, path, row_group_size=ROW_GROUP_SIZE, compression="zstd")
    resource = {"name": RESOURCE, "path": path.name, "schema": SCHEMA, "rows": rows}
    descriptor = {"name": SLUG, "version": VERSION, "resources": [resource]}
    (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    (root / SLUG / "CURRENT").write_text(VERSION + "\n", encoding="utf-8")
    return path


@contextmanager
def moto() -> Iterator[str]:
    """moto's S3 server on 127.0.0.1 (`benchmarks.s3server`), holding the bucket; its URL.
    Threaded, as a real server reads concurrently (DuckDB asks ranges in parallel)."""
    os.environ.update(CREDENTIALS)
    with serving_s3(BUCKET, threaded=True) as server:
        yield server.url


def upload(endpoint: str, root: Path) -> None:
    client = boto3.client("s3", endpoint_url=endpoint)
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        client.upload_file(str(path), BUCKET, path.relative_to(root).as_posix())


class WholeCopies(S3Store):
    """The S3 store as it read before: each Parquet copied whole into its cache folder on
    first use (`local_path`), then read there."""

    def place(self, slug: str, version: str, name: str) -> str:
        return str(self.local_path(slug, version, name))

    def files(self) -> Files:
        return LocalFiles(str(self.readable_root()))


class Sides:
    """Fresh engines of each side: nothing cached from an earlier one."""

    def __init__(self, root: Path, endpoint: str, scratch: Path) -> None:
        self.root, self.endpoint, self.scratch = root, endpoint, scratch
        self.settings = Settings(store=str(root), sql_workers=1, query_timeout_seconds=120.0)
        self.made = 0

    def engine(self, side: str) -> QueryEngine:
        """A new engine of `side` over a new store (an S3 store's cache folder empty)."""
        self.made += 1
        # As a server remembers CURRENT between its looks (OPENDATA_REFRESH_SECONDS): the
        # figures are of reading the Parquet, not of asking the bucket what is served.
        cache = self.scratch / f"c{self.made}"
        options = S3Options(endpoint_url=self.endpoint, cache=cache, refresh_seconds=3600.0)
        store: Store = FolderStore(self.root)
        if side != "folder":
            store = open_store(f"s3://{BUCKET}", s3=options)
        if side == "s3 copy":
            assert isinstance(store, S3Store)
            store = WholeCopies(store.location, options)
        return QueryEngine(store, self.settings)


def measure(
    sides: Sides, side: str, query: Callable[[QueryEngine], object], colds: int, plan: Plan
) -> Measured:
    """`colds` first queries of new engines, then `plan`'s runs of one engine. One first
    query is left untimed: what a process sets up once (the AWS SDK, boto3) is not a cost
    per query."""
    cold: list[float] = []
    for run in range(colds + 1):
        engine = sides.engine(side)
        try:
            started = time.perf_counter()
            query(engine)
            if run:
                cold.append((time.perf_counter() - started) * 1000)
        finally:
            engine.close()
    engine = sides.engine(side)
    try:
        warm, _ = repeat(plan, lambda: query(engine))
    finally:
        engine.close()
    return Measured(cold=_summary(cold), warm=warm)


def _summary(samples: list[float]) -> Timing:
    return Timing(
        p50_ms=round(statistics.median(samples), 2),
        p95_ms=round(max(samples), 2),
        min_ms=round(min(samples), 2),
        n=len(samples),
        warmup=0,
    )


def run(rows: int, colds: int, plan: Plan, scratch: Path) -> Results:
    root = scratch / "store"
    path = write_store(root, rows)
    footer = pq.read_metadata(path)
    results: dict[str, dict[str, Measured]] = {side: {} for side in SIDES}
    with moto() as endpoint:
        upload(endpoint, root)
        sides = Sides(root, endpoint, scratch)
        for name, query in queries(rows).items():
            for side in SIDES:
                report.say(NAME, f"{name}: {side}")
                results[side][name] = measure(sides, side, query, colds, plan)
    return Results(
        rows=rows,
        parquet_bytes=path.stat().st_size,
        row_groups=footer.num_row_groups,
        sides=results,
        load_average=report.load_average(),
        code=report.checkout(),
        versions=report.versions("duckdb", "pyarrow", "fsspec", "moto"),
    )


def markdown(results: Results) -> str:
    folder = results["sides"]["folder"]
    rows: list[list[object]] = []
    for name in folder:
        for when in ("cold", "warm"):
            base = folder[name][when]["p50_ms"]
            cells: list[object] = [name, when, base]
            for side in SIDES[1:]:
                ms = results["sides"][side][name][when]["p50_ms"]
                cells += [ms, f"{ms / base:.1f}×" if base else "-"]
            rows.append(cells)
    headers = ("query", "", "folder ms", "s3 ranges ms", "ratio", "s3 copy ms", "ratio")
    size = f"{results['rows']:,} SYNTHETIC rows, {results['parquet_bytes'] / 1e6:.1f} MB"
    lines = [
        "# Byte ranges benchmark (synthetic data)",
        "",
        f"One resource of {size} of Parquet in {results['row_groups']} row groups; p50 in ms,"
        " ratios to the folder. Cold: a new engine's first query (for `s3 copy`, with the"
        " whole download); warm: the same engine again. moto on 127.0.0.1, load average"
        f" {results['load_average']}.",
        "",
        *report.table(headers, "llrrrrr", rows),
        "",
        report.code_line(results["code"]) + ".",
    ]
    return "\n".join(lines) + "\n"


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks ranges", description=(__doc__ or "").splitlines()[0]
    )
    parser.add_argument("--out", type=Path, default=Path("bench-results"))
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=10, help="warm runs of each query")
    parser.add_argument("--cold", type=int, default=3, help="cold runs (new engines) of each")
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    args = parser().parse_args(argv)
    plan = Plan(warmup=1, repeat=args.repeat, budget=30.0)
    report.say(NAME, f"{args.rows:,} SYNTHETIC rows, folder vs S3 in place vs S3 copied")
    with tempfile.TemporaryDirectory(prefix="bench-ranges-") as work:
        results = run(args.rows, args.cold, plan, Path(work))
    report.write(args.out, NAME, dict(results), markdown(results))
