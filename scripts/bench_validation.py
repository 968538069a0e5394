"""Benchmark: our vectorised ``validate_package`` against ``frictionless validate``.

The data is SYNTHETIC: a deterministic, made-up log of calls to a 12333-style social-security
hotline (date, prefecture code, topic, wait in seconds, resolved). It resembles no real record.

    .venv/bin/python scripts/bench_validation.py [--rows 1000000] [--out bench-results/]

Writes ``bench-validation.json`` and ``bench-validation.md`` into ``--out``.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

# Run from a checkout: the editable install exposes `validation` only as a namespace package.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from validation import validate_package

PREFECTURES = ["520100", "520200", "520300", "520400", "520500", "520600", "522300", "522600"]
TOPICS = ["养老保险", "医疗保险", "失业保险", "工伤保险", "就业创业", "劳动关系", "社保卡"]

SCHEMA: dict[str, Any] = {
    "fields": [
        {"name": "call_id", "type": "integer", "constraints": {"required": True}},
        {"name": "call_date", "type": "date"},
        {"name": "region_code", "type": "string", "constraints": {"pattern": "52[0-9]{4}"}},
        {"name": "topic", "type": "string", "constraints": {"enum": TOPICS}},
        {"name": "wait_seconds", "type": "integer", "constraints": {"minimum": 0}},
        {"name": "satisfaction", "type": "number"},
        {"name": "resolved", "type": "boolean"},
    ],
    "primaryKey": ["call_id"],
}


def write_csv(path: Path, rows: int) -> None:
    """A deterministic synthetic hotline log (seeded generator, no real data)."""
    rng = np.random.default_rng(12333)
    days = np.datetime64("2020-01-01") + rng.integers(0, 1826, rows).astype("timedelta64[D]")
    columns = [
        np.arange(1, rows + 1).astype(str),
        days.astype(str),
        np.array(PREFECTURES)[rng.integers(0, len(PREFECTURES), rows)],
        np.array(TOPICS)[rng.integers(0, len(TOPICS), rows)],
        rng.integers(0, 1800, rows).astype(str),
        np.round(rng.uniform(1, 5, rows), 2).astype(str),
        np.where(rng.random(rows) < 0.8, "true", "false"),
    ]
    lines = [",".join(f["name"] for f in SCHEMA["fields"])]
    lines += [",".join(cells) for cells in zip(*columns, strict=True)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def descriptor() -> dict[str, Any]:
    return {
        "name": "synthetic-hotline",
        "resources": [{"name": "calls", "path": "calls.csv", "format": "csv", "schema": SCHEMA}],
        "checks": [
            {"type": "non_negative", "resource": "calls", "fields": ["wait_seconds"]},
            {"type": "range", "resource": "calls", "field": "satisfaction", "min": 1, "max": 5},
        ],
    }


def best_of(runs: int, action: Callable[[], Any]) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(runs):
        started = time.perf_counter()
        result = action()
        best = min(best, time.perf_counter() - started)
    return best, result


def run_frictionless(folder: Path) -> bool:
    import frictionless
    from frictionless import Resource, Schema

    with frictionless.system.use_context(trusted=True):
        resource = Resource(path=str(folder / "calls.csv"), schema=Schema.from_descriptor(SCHEMA))
        report = frictionless.validate(resource, limit_errors=1000)
    return bool(report.valid)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3, help="runs of ours (best is kept)")
    parser.add_argument("--frictionless-runs", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("bench-results"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_csv(folder / "calls.csv", args.rows)
        size = (folder / "calls.csv").stat().st_size
        ours, validation = best_of(args.runs, lambda: validate_package(descriptor(), folder))
        assert validation.report.valid, validation.report.summary()
        theirs, valid = best_of(args.frictionless_runs, lambda: run_frictionless(folder))
        assert valid, "frictionless found errors in the synthetic file"
    results = {
        "data": "SYNTHETIC 12333-style hotline log (seeded, made up)",
        "rows": args.rows,
        "bytes": size,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "ours": {"seconds": round(ours, 3), "rows_per_second": round(args.rows / ours)},
        "frictionless": {"seconds": round(theirs, 3), "rows_per_second": round(args.rows / theirs)},
        "ratio": round(theirs / ours, 1),
    }
    write_results(args.out, results)
    print(json.dumps(results, indent=2, ensure_ascii=False))


def write_results(out: Path, results: dict[str, Any]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench-validation.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    table = [
        f"Validation of {results['rows']:,} rows ({results['bytes']:,} bytes) of "
        f"{results['data']}.",
        "",
        "| validator | seconds | rows/s |",
        "| --- | ---: | ---: |",
        *(
            f"| {name} | {results[key]['seconds']} | {results[key]['rows_per_second']:,} |"
            for name, key in (
                ("validation.validate_package", "ours"),
                ("frictionless", "frictionless"),
            )
        ),
        "",
        f"Ratio: **{results['ratio']}×** the rows/s of frictionless.",
    ]
    (out / "bench-validation.md").write_text("\n".join(table) + "\n")


if __name__ == "__main__":
    main()
