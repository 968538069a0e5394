"""Each benchmark run end to end at a tiny size, as `python -m benchmarks` runs it.

Real servers (ours, Datasette), real files, one timed run of each request: the figures mean
nothing at this size, so no assertion is about time. The tests check that each benchmark
writes well-formed JSON and Markdown, and that the sides it compares answered alike.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from benchmarks import ROOT

pytestmark = pytest.mark.slow

API_MEASUREMENTS = (
    "filtered_page",
    "deep_keyset_page",
    "deep_offset_page",
    "filtered_offset_page",
    "exact_total",
    "aggregate",
)


def run_benchmark(which: str, name: str, out: Path, *options: str) -> tuple[dict[str, Any], str]:
    """Run `python -m benchmarks <which>` from the checkout; its `<name>.json` and `.md`."""
    command = [sys.executable, "-m", "benchmarks", which, *options, "--out", str(out)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-4000:]
    markdown = (out / f"{name}.md").read_text(encoding="utf-8")
    assert done.stdout.strip() == markdown.strip()  # the Markdown is also what it prints
    return json.loads((out / f"{name}.json").read_text(encoding="utf-8")), markdown


def assert_timing(timing: dict[str, Any], runs: int = 1) -> None:
    assert timing["n"] == runs
    assert 0 <= timing["min_ms"] <= timing["p50_ms"] <= timing["p95_ms"]


def test_validation_benchmark_compares_both_validators(tmp_path: Path) -> None:
    results, markdown = run_benchmark(
        "validation", "bench-validation", tmp_path, "--rows", "500", "--runs", "1"
    )
    assert results["rows"] == 500
    for side in ("ours", "build", "frictionless"):
        assert results[side]["seconds"] > 0
        assert results[side]["rows_per_second"] > 0
    for step in ("ours", "build"):  # each in a fresh process: at least an interpreter's size
        assert 20 < results[step]["peak_rss_mb"] < 4096
    assert results["frictionless_rows"] == 500
    assert markdown.startswith("Validation and build of 500 rows")
    assert "| frictionless (500 rows) |" in markdown


@pytest.fixture(scope="module")
def api_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str]:
    out = tmp_path_factory.mktemp("api")
    return run_benchmark("api", "api", out, "--rows", "15000", "--warmup", "0", "--repeat", "1")


def test_api_benchmark_measures_ours_datasette_and_duckdb_alike(
    api_run: tuple[dict[str, Any], str],
) -> None:
    results, _ = api_run
    assert results["rows"] == 15000
    assert "datasette" in results["software"]
    m = results["measurements"]
    for name in API_MEASUREMENTS:
        assert m[name]["agree"] is True, name
        for side in ("ours", "datasette", "duckdb"):
            assert_timing(m[name][side])
    assert m["deep_keyset_page"]["walk"]["pages"] == 1  # row 10,001 is one 10,000-row page on
    assert m["deep_keyset_page"]["ours_cold"]["n"] == 25
    assert m["cold_offset_pages"]["n"] == 25
    assert len(set(m["exact_total"]["totals"])) == 1
    assert m["exact_total"]["totals"][0] > 0
    for kind in ("by_scan", "by_statistics", "between_dates"):
        assert m["cold_totals"][kind]["agree"] is True, kind
    for question in ("filtered_page", "deep_keyset_page", "deep_offset_page"):
        asked = m["datastore_search"][question]
        assert asked["agree"] is True, question
        assert_timing(asked["datastore_search"])
        assert_timing(asked["rows"])
    # A file no larger than the estimate's sample is counted: exact, so not flagged.
    assert (m["estimated_total"]["error_percent"], m["estimated_total"]["flagged"]) == (0, False)


def test_api_benchmark_exports_every_row_from_each_exporter(
    api_run: tuple[dict[str, Any], str],
) -> None:
    export = api_run[0]["measurements"]["csv_export"]
    for exporter in ("ours", "ours_fresh_server", "datasette", "duckdb_copy"):
        assert export[exporter]["measured"] is True, exporter
        assert export[exporter]["rows"] == 15000, exporter
    for server in ("ours", "ours_fresh_server", "datasette"):
        assert export[server]["peak_rss_mb"] > 0, server


def test_api_benchmark_judges_every_target_and_says_the_size(
    api_run: tuple[dict[str, Any], str],
) -> None:
    results, markdown = api_run
    assert [t["measurement"] for t in results["targets"]] == [
        *["filtered_page"] * 2,
        *["deep_keyset_page"] * 2,
        "aggregate",
        "exact_total",
        *["deep_offset_page"] * 2,
        *["csv_export"] * 3,
        "deep_keyset_page",
        "deep_keyset_page cold",
        "deep_offset_page",
        "deep_offset_page cold",
        "filtered_offset_page",
        "exact_total",
        "cold_totals by_scan",
        "cold_totals by_statistics",
        "cold_totals between_dates",
        "estimated_total",
        "datastore_search filtered_page",
        "datastore_search deep_keyset_page",
        "datastore_search deep_offset_page",
        *["server_memory"] * 2,
    ]
    assert all(isinstance(t["met"], bool) for t in results["targets"])
    memory = results["measurements"]["server_memory"]
    # Idle is read once ready, before the questions; the peak covers them all and the exports.
    assert 0 < memory["idle_rss_mb"] <= memory["peak_rss_mb"]
    assert memory["peak_rss_mb"] >= results["measurements"]["csv_export"]["ours"]["peak_rss_mb"]
    assert markdown.startswith("# API benchmark: 15,000 rows")
    assert "**The targets are set for 10,000,000 rows; this run has 15,000.**" in markdown


def test_ckan_benchmark_finds_the_same_datasets_and_rows_as_its_floor(tmp_path: Path) -> None:
    results, markdown = run_benchmark(
        "ckan", "ckan", tmp_path, "--datasets", "200", "--rows", "2000", "--repeat", "1"
    )
    catalogue, datastore = results["catalogue"], results["datastore"]
    assert catalogue["datasets"] == 200
    assert catalogue["package_search"]["count"] > 0
    for action in ("package_search", "package_list"):
        for side in ("ours", "duckdb"):
            assert_timing(catalogue[action][side])
    assert datastore["rows"] == 2000
    assert datastore["total"] > 0
    assert_timing(datastore["datastore_search"])
    assert_timing(datastore["v1_rows"])
    assert markdown.count("\n| ") == 5  # the header, its rule and three operations


def test_load_benchmark_serves_every_request_whole_across_a_publish(tmp_path: Path) -> None:
    results, markdown = run_benchmark(
        "load",
        "load",
        tmp_path,
        *("--rows", "2000", "--downloads", "2", "--big", "1", "--sql", "3", "--stalled", "2"),
        *("--publish-after", "0.5"),
    )
    s = results["results"]
    # 6 formats x 2 downloads, 3 SQL queries and 2 stalled readers
    assert s["requests"] == 17
    assert set(s["status_counts"]) <= {"200", "429", "503"}
    for count in ("server_errors_5xx_except_503", "truncated_bodies", "wrong_bytes"):
        assert s[count] == 0, count
    assert results["publish"]["exit_code"] == 0
    assert results["after"]["served_current"] == results["after"]["store_current"]
    assert s["healthz"]["polls"] > 0
    assert s["memory"]["peak_rss_mb"] > 0
    assert len(results["targets"]) == 8
    assert markdown.startswith("# Load benchmark: 2 downloads per format, 3 SQL queries")
