"""Benchmark: validating and building the hotline log, against ``frictionless validate``.

The data is SYNTHETIC: the seeded 12333-style hotline consultation log of `benchmarks.hotline`
(the one the API benchmark publishes). It resembles no real record.

    python -m benchmarks validation [--rows 1000000] [--runs 3] [--frictionless-rows 100000]
        [--frictionless-runs 1] [--data DIR] [--out bench-results/]

Ours validates the whole file (`validate_package`), then builds it (`Publisher.build`: the
validation again, the Parquet file and the downloads, as `opendata build` does); each run is
a fresh process, whose peak resident size (`VmHWM`) is reported. Frictionless, ~30k rows/s
here, validates a sample of the same log (its first `--frictionless-rows` rows): rows/s is
compared. `--data` keeps the generated dataset folder there and reuses it next time.

Writes ``bench-validation.json`` and ``bench-validation.md`` into ``--out``.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any, TypedDict

import yaml

from benchmarks import hotline, report
from benchmarks.memory import status_kb

CSV = Path("data") / "calls.csv"  # inside the dataset folder (`hotline.descriptor`)


class Speed(TypedDict):
    seconds: float
    rows_per_second: int


class Run(TypedDict):
    """One step in a fresh process: its best time, and its peak resident size."""

    seconds: float
    rows_per_second: int
    peak_rss_mb: float


class Results(TypedDict):
    """What the benchmark writes: the file, where it ran, each step's figures."""

    data: str
    rows: int
    bytes: int
    python: str
    machine: str
    ours: Run
    build: Run
    frictionless: Speed
    frictionless_rows: int
    ratio: float


def dataset(folder: Path, rows: int) -> Path:
    """The hotline dataset of `rows` rows in `folder`, generated unless already there."""
    source = folder / hotline.SLUG
    marker = source / ".rows"
    if not (marker.is_file() and marker.read_text() == str(rows)):
        shutil.rmtree(source, ignore_errors=True)
        hotline.write_dataset(folder, rows)
        marker.write_text(str(rows))
    return source


def validate_once(source: str) -> tuple[float, int, bool]:
    """In a fresh process: seconds to validate, the process's peak RSS (kB), and validity."""
    from validation import validate_package

    descriptor = yaml.safe_load((Path(source) / "datapackage.yaml").read_text("utf-8"))
    started = time.perf_counter()
    result = validate_package(descriptor, Path(source))
    seconds = time.perf_counter() - started
    return seconds, status_kb(os.getpid(), "VmHWM") or 0, result.report.valid


def build_once(datasets: str, store: str) -> tuple[float, int, int]:
    """In a fresh process: seconds to build, the peak RSS (kB), and the rows published."""
    started = time.perf_counter()
    published = hotline.publish(Path(datasets), Path(store), hotline_row_group_size())
    seconds = time.perf_counter() - started
    return seconds, status_kb(os.getpid(), "VmHWM") or 0, published.rows


def hotline_row_group_size() -> int:
    """The row group size `opendata build` uses by default."""
    from catalog.settings import Settings

    size: int = Settings.model_fields["row_group_size"].default
    return size


def in_fresh_process(function: Any, *args: str) -> Any:
    """`function(*args)` in a new interpreter, so that its peak RSS is its own."""
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(function, *args).result()


def run_frictionless(rows: int, work: Path) -> tuple[float, bool]:
    """Frictionless over the first `rows` rows of the log (best of one run), and validity."""
    import frictionless
    from frictionless import Resource, Schema

    sample = work / "sample.csv"
    hotline.write_csv(sample, rows)
    schema = {"fields": hotline.FIELDS, "primaryKey": ["id"]}
    started = time.perf_counter()
    with frictionless.system.use_context(trusted=True):
        resource = Resource(path=str(sample), schema=Schema.from_descriptor(schema))
        result = frictionless.validate(resource, limit_errors=1000)
    return time.perf_counter() - started, bool(result.valid)


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks validation", description=(__doc__ or "").splitlines()[0]
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3, help="validations of ours (best is kept)")
    parser.add_argument("--frictionless-rows", type=int, default=100_000)
    parser.add_argument("--frictionless-runs", type=int, default=1)
    parser.add_argument("--data", type=Path, help="keep (and reuse) the dataset folder here")
    parser.add_argument("--out", type=Path, default=Path("bench-results"))
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    args = parser().parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-validation-") as tmp:
        results = measure(Path(tmp), args)
    report.write(args.out, "bench-validation", results, markdown(results))


def measure(work: Path, args: argparse.Namespace) -> Results:
    """Ours (validation, then build) over the whole log, frictionless over a sample."""
    datasets = args.data or work / "datasets"
    source = dataset(datasets, args.rows)
    ours = _validations(source, args.runs, args.rows)
    seconds, peak_kb, published = in_fresh_process(build_once, str(datasets), str(work / "store"))
    if published != args.rows:
        raise RuntimeError(f"the build published {published} rows of {args.rows}")
    sample = min(args.frictionless_rows, args.rows)
    runs = max(args.frictionless_runs, 1)
    timings = [run_frictionless(sample, work) for _ in range(runs)]
    if not all(valid for _, valid in timings):
        raise RuntimeError("frictionless found errors in the synthetic file")
    theirs = _speed(min(t for t, _ in timings), sample)
    return Results(
        data="SYNTHETIC 12333-style hotline log (seeded, made up)",
        rows=args.rows,
        bytes=(source / CSV).stat().st_size,
        python=platform.python_version(),
        machine=platform.machine(),
        ours=ours,
        build=_run(seconds, args.rows, peak_kb),
        frictionless=theirs,
        frictionless_rows=sample,
        ratio=round(ours["rows_per_second"] / theirs["rows_per_second"], 1),
    )


def _validations(source: Path, runs: int, rows: int) -> Run:
    """The best of `runs` validations, each in a fresh process, with the highest peak RSS."""
    done = [in_fresh_process(validate_once, str(source)) for _ in range(max(runs, 1))]
    if not all(valid for _, _, valid in done):
        raise RuntimeError("our validation found errors in the synthetic file")
    return _run(min(s for s, _, _ in done), rows, max(kb for _, kb, _ in done))


def _run(seconds: float, rows: int, peak_kb: int) -> Run:
    return Run(**_speed(seconds, rows), peak_rss_mb=round(peak_kb / 1024, 1))


def _speed(seconds: float, rows: int) -> Speed:
    return Speed(seconds=round(seconds, 3), rows_per_second=round(rows / seconds))


def markdown(results: Results) -> str:
    ours, build, theirs = results["ours"], results["build"], results["frictionless"]
    rows = (
        ("validation.validate_package", ours["seconds"], ours["rows_per_second"], ours),
        ("opendata build (Publisher)", build["seconds"], build["rows_per_second"], build),
        (f"frictionless ({results['frictionless_rows']:,} rows)", theirs["seconds"],
         theirs["rows_per_second"], None),
    )  # fmt: skip
    lines = [
        f"Validation and build of {results['rows']:,} rows ({results['bytes']:,} bytes) of "
        f"{results['data']}.",
        "",
        *report.table(
            ("step", "seconds", "rows/s", "peak RSS (MB)"),
            "lrrr",
            (
                (name, seconds, f"{speed:,}", f"{run['peak_rss_mb']:,}" if run else "—")
                for name, seconds, speed, run in rows
            ),
        ),
        "",
        f"Ratio: **{results['ratio']}×** the rows/s of frictionless.",
    ]
    return "\n".join(lines) + "\n"
