"""The replica benchmark run end to end at a tiny size, as `python -m benchmarks replicas`
runs it: moto's S3 server, a build into it, a folder copy, two replicas of each store behind
nginx, wrk. The figures mean nothing at this size, so no assertion is about time; the test
checks that every configuration was driven, both replicas of a pair served, nothing failed,
and all answers agreed, and that the agreement check does catch a difference."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from benchmarks import ROOT
from benchmarks.replicas import disagreements
from benchmarks.replicas.balancer import NGINX
from benchmarks.replicas.drive import WRK
from tests.servers import require_programs

pytestmark = pytest.mark.slow

ROWS = 3000


@pytest.fixture(scope="module")
def replicas_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str]:
    require_programs(NGINX, WRK)
    out = tmp_path_factory.mktemp("replicas")
    options = ["--rows", str(ROWS), "--clients", "2", "--rounds", "1", "--seconds", "1"]
    command = [sys.executable, "-m", "benchmarks", "replicas", *options, "--warmup", "0"]
    done = subprocess.run(
        [*command, "--out", str(out), "--tmp", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    markdown = (out / "replicas.md").read_text(encoding="utf-8")
    assert done.stdout.strip() == markdown.strip()  # the Markdown is also what it prints
    return json.loads((out / "replicas.json").read_text(encoding="utf-8")), markdown


def test_every_configuration_answers_both_mixes_alike_and_without_error(
    replicas_run: tuple[dict[str, Any], str],
) -> None:
    results, _ = replicas_run
    assert results["preparation"]["synthetic_rows"] == ROWS
    assert results["preparation"]["datasets"] > 10  # the shipped catalogue and the log
    assert results["agreement"] == {
        "agree": True,
        "questions": 14,
        "answers_per_question": 10,  # 4 balancers, and the replicas of each of 4 configurations
        "disagreements": {},
    }
    assert sorted(results["runs"]) == ["local", "s3"]
    for store, by_workers in results["runs"].items():
        assert sorted(by_workers) == ["1", "2"]
        for workers, by_mix in by_workers.items():
            assert sorted(by_mix) == ["catalogue", "rows"]
            for run in by_mix.values():
                assert run["requests"] > 0 and run["errors"] == 0
                assert 0 < run["p50_ms"] <= run["p99_ms"]
                assert run["replica_cpu_ms_per_request"] > 0
                replicas = [p for p in run["cpu_seconds"] if p.startswith("replica")]
                assert len(replicas) == int(workers)
                # nginx spread the load: every replica of the configuration served some
                assert all(run["cpu_seconds"][p] > 0 for p in replicas), run["cpu_seconds"]
                assert ("s3" in run["cpu_seconds"]) == (store == "s3")


def test_the_report_gives_ratios_and_says_how_many_cores(
    replicas_run: tuple[dict[str, Any], str],
) -> None:
    results, markdown = replicas_run
    assert [(r["mix"], r["of"], r["over"]) for r in results["ratios"]] == [
        ("catalogue", "local, 2 workers", "local, 1 worker"),
        ("catalogue", "s3, 2 workers", "s3, 1 worker"),
        ("rows", "local, 2 workers", "local, 1 worker"),
        ("rows", "s3, 2 workers", "s3, 1 worker"),
        ("catalogue", "s3, 1 worker", "local, 1 worker"),
        ("catalogue", "s3, 2 workers", "local, 2 workers"),
        ("rows", "s3, 1 worker", "local, 1 worker"),
        ("rows", "s3, 2 workers", "local, 2 workers"),
    ]
    for ratio in results["ratios"]:
        assert ratio["requests_per_second"] > 0 and ratio["p99"] > 0
        assert ratio["cpu_per_request"] > 0
    assert markdown.startswith("# Replica benchmark: 1 and 2 workers")
    assert f"This machine has {results['machine']['cpus']} cores" in markdown
    assert "SYNTHETIC" in markdown and "**Answers agree**" in markdown


def test_the_agreement_check_catches_a_different_body_and_a_failed_answer() -> None:
    same = {"/a": {"200 aaaa"}, "/b": {"200 bbbb"}}
    assert disagreements([same, same]) == {}
    other = {"/a": {"200 aaaa", "200 cccc"}, "/b": {"500 bbbb"}}
    assert disagreements([same, other]) == {
        "/a": ["200 aaaa", "200 cccc"],
        "/b": ["200 bbbb", "500 bbbb"],
    }
    assert disagreements([{"/c": {"404 dddd"}}]) == {"/c": ["404 dddd"]}
