"""`python -m benchmarks ranges` end to end at a tiny size: its own moto server, the three
sides, well-formed JSON and Markdown. The figures mean nothing at this size: no assertion is
about time."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import ROOT

pytestmark = pytest.mark.slow

SIDES = ["folder", "s3 ranges", "s3 copy"]


def test_ranges_benchmark_times_each_side_cold_and_warm(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "benchmarks", "ranges", "--rows", "3000"]
    command += ["--repeat", "1", "--cold", "1", "--out", str(tmp_path)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-4000:]
    results = json.loads((tmp_path / "ranges.json").read_text(encoding="utf-8"))
    markdown = (tmp_path / "ranges.md").read_text(encoding="utf-8")
    assert done.stdout.strip() == markdown.strip()
    assert results["rows"] == 3000 and sorted(results["sides"]) == sorted(SIDES)
    queries = list(results["sides"]["folder"])
    assert len(queries) == 4
    for side in SIDES:
        assert list(results["sides"][side]) == queries
        for measured in results["sides"][side].values():
            assert measured["cold"]["n"] == 1 and measured["warm"]["n"] == 1
            assert 0 < measured["cold"]["min_ms"] <= measured["cold"]["p50_ms"]
    for query in queries:
        assert markdown.count(f"| {query} |") == 2  # a cold row and a warm row
