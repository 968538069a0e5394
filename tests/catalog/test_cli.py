"""The `opendata` command as a steward runs it: real processes, real files."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from catalog.store import FolderStore
from tests.conftest import WAGE_CSV, write_wages
from tests.servers import free_port, state_of

pytestmark = pytest.mark.slow

OPENDATA = str(Path(sys.executable).with_name("opendata"))


def opendata(datasets: Path, store: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [OPENDATA, "--datasets", str(datasets), "--store", str(store), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_every_command_has_help() -> None:
    for command in ([], ["validate"], ["build"], ["versions"], ["withdraw"], ["serve"]):
        result = subprocess.run([OPENDATA, *command, "--help"], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        assert "Usage" in result.stdout


def test_cli_build_then_versions_lists_history(datasets_dir: Path, store_dir: Path) -> None:
    built = opendata(datasets_dir, store_dir, "build")
    assert built.returncode == 0, built.stderr
    assert "wages-test: published" in built.stdout
    again = opendata(datasets_dir, store_dir, "build")
    assert "wages-test: unchanged" in again.stdout
    listed = opendata(datasets_dir, store_dir, "versions", "wages-test")
    assert FolderStore(store_dir).current("wages-test") in listed.stdout


def test_cli_validate_reports_row_field_and_exits_nonzero(
    datasets_dir: Path, store_dir: Path
) -> None:
    write_wages(datasets_dir, WAGE_CSV + "520200,2022,abc,81000.00,2023-06-01\n")
    result = opendata(
        datasets_dir,
        store_dir,
        "validate",
        "wages-test",
        "--json",
        str(store_dir.parent / "r.json"),
    )
    assert result.returncode == 1
    assert "row 5" in result.stdout and "workers" in result.stdout and "abc" in result.stdout
    assert (store_dir.parent / "r.json").is_file()


def test_cli_build_failure_publishes_nothing_and_exits_nonzero(
    datasets_dir: Path, store_dir: Path
) -> None:
    assert opendata(datasets_dir, store_dir, "build").returncode == 0
    before = FolderStore(store_dir).current("wages-test")
    write_wages(datasets_dir, WAGE_CSV + "520999,2022,10,81000.00,2023-06-01\n")
    result = opendata(datasets_dir, store_dir, "build", "wages-test")
    assert result.returncode == 1
    assert "520999" in result.stderr and "NOT published" in result.stderr
    assert FolderStore(store_dir).current("wages-test") == before


def test_cli_build_killed_mid_write_leaves_previous_version_current(
    datasets_dir: Path, store_dir: Path
) -> None:
    assert opendata(datasets_dir, store_dir, "build").returncode == 0
    store = FolderStore(store_dir)
    before = store.current("wages-test")
    # Synthetic rows, enough that writing the version takes long enough to be interrupted.
    rows = "".join(f"520100,{1000 + i},{i},{i}.25,2022-06-01\n" for i in range(400_000))
    write_wages(datasets_dir, "region_code,year,workers,avg_wage,published\n" + rows)
    process = subprocess.Popen(
        [
            OPENDATA,
            "--datasets",
            str(datasets_dir),
            "--store",
            str(store_dir),
            "build",
            "wages-test",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    staged = False
    while time.monotonic() < deadline and process.poll() is None:
        if any((store_dir / "wages-test").glob(".staging-*/*")):
            staged = True
            os.kill(process.pid, signal.SIGKILL)
            break
        time.sleep(0.002)
    process.wait(timeout=30)
    assert staged, "the build finished before it could be interrupted"
    assert store.current("wages-test") == before
    assert [info.version for info in store.versions("wages-test")] == [before]
    rebuilt = opendata(datasets_dir, store_dir, "build", "wages-test")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert store.current("wages-test") != before
    assert not list((store_dir / "wages-test").glob(".staging-*"))


def test_cli_withdraw_stops_serving_and_build_serves_again(
    datasets_dir: Path, store_dir: Path
) -> None:
    assert opendata(datasets_dir, store_dir, "build").returncode == 0
    withdrawn = opendata(datasets_dir, store_dir, "withdraw", "wages-test", "--reason", "test")
    assert withdrawn.returncode == 0, withdrawn.stderr
    assert FolderStore(store_dir).current("wages-test") is None
    again = opendata(datasets_dir, store_dir, "withdraw", "wages-test")
    assert again.returncode == 1 and "no published version" in again.stderr
    same = opendata(datasets_dir, store_dir, "build", "wages-test")
    assert same.returncode == 1
    assert "withdrawn (test); change the source, or build with --republish" in same.stderr
    assert FolderStore(store_dir).current("wages-test") is None
    republished = opendata(datasets_dir, store_dir, "build", "wages-test", "--republish")
    assert republished.returncode == 0, republished.stderr
    assert FolderStore(store_dir).current("wages-test") is not None


def test_cli_republished_inputs_build_as_any_others_afterwards(
    datasets_dir: Path, store_dir: Path
) -> None:
    # Found by the issue 17 trial: the withdrawn version's record still said "withdrawn"
    # of the very inputs `--republish` had served again, so once a later version superseded
    # them, a plain build of those inputs (a change undone) was refused and exited 1.
    assert opendata(datasets_dir, store_dir, "build").returncode == 0
    assert opendata(datasets_dir, store_dir, "withdraw", "wages-test").returncode == 0
    republished = opendata(datasets_dir, store_dir, "build", "wages-test", "--republish")
    assert republished.returncode == 0, republished.stderr
    data = datasets_dir / "wages-test" / "data" / "wages.csv"
    republished_data = data.read_text(encoding="utf-8")
    data.write_text(republished_data + "520200,2022,310,81000.00,2023-06-01\n", "utf-8")
    assert opendata(datasets_dir, store_dir, "build").returncode == 0
    data.write_text(republished_data, "utf-8")  # the change undone: the republished inputs
    for plain in (("build",), ("build", "wages-test")):
        again = opendata(datasets_dir, store_dir, *plain)
        assert again.returncode == 0, again.stderr
        assert "withdrawn" not in again.stderr
    versions = FolderStore(store_dir).versions("wages-test")
    assert [(v.withdrawn, v.current) for v in versions] == [
        (True, False), (False, False), (False, False), (False, True)
    ]  # fmt: skip
    assert versions[0].input_sha256 == versions[1].input_sha256 == versions[3].input_sha256


def test_cli_build_of_everything_leaves_a_withdrawn_dataset_withdrawn(
    datasets_dir: Path, store_dir: Path
) -> None:
    assert opendata(datasets_dir, store_dir, "build").returncode == 0
    withdrawn = opendata(datasets_dir, store_dir, "withdraw", "wages-test", "--reason", "mistake")
    assert withdrawn.returncode == 0, withdrawn.stderr
    everything = opendata(datasets_dir, store_dir, "build")
    assert everything.returncode == 0, everything.stderr
    assert "wages-test: skipped, withdrawn at" in everything.stderr
    assert "(mistake); `opendata build wages-test` publishes a changed source" in everything.stderr
    assert FolderStore(store_dir).current("wages-test") is None
    write_wages(datasets_dir, WAGE_CSV + "520200,2022,310,81000.00,2023-06-01\n")
    named = opendata(datasets_dir, store_dir, "build", "wages-test")
    assert named.returncode == 0, named.stderr
    assert "wages-test: published" in named.stdout
    assert FolderStore(store_dir).current("wages-test") is not None


def test_cli_help_names_the_environment_variables() -> None:
    main = subprocess.run([OPENDATA, "--help"], capture_output=True, text=True)
    serve = subprocess.run([OPENDATA, "serve", "--help"], capture_output=True, text=True)
    for name in ("OPENDATA_DATASETS", "OPENDATA_STORE", "OPENDATA_STATE"):
        assert name in main.stdout
    for name in ("OPENDATA_HOST", "OPENDATA_PORT", "OPENDATA_BASE_URL"):
        assert name in serve.stdout


def test_cli_serve_builds_the_app_from_options_over_environment(
    datasets_dir: Path, store_dir: Path
) -> None:
    assert opendata(datasets_dir, store_dir, "build").returncode == 0
    port = free_port()
    env = {
        **os.environ,
        "OPENDATA_STATE": str(state_of(store_dir)),
        "OPENDATA_BASE_URL": "http://env.example",
        "OPENDATA_CATALOG_TITLE": "环境目录",
    }
    command = ["--store", str(store_dir), "serve", "--port", str(port)]
    with _serving(env, *command, "--base-url", "http://option.example/") as url:
        status = httpx.get(url + "/api/3/action/status_show", timeout=10).json()
    # The option wins over the environment; a setting with no option comes from it.
    assert status["help"] == "http://option.example/api/3/action/help_show?name=status_show"
    assert status["result"]["site_title"] == "环境目录"


@contextmanager
def _serving(env: dict[str, str], *args: str) -> Iterator[str]:
    port = args[args.index("--port") + 1]
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [OPENDATA, *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 60
        while process.poll() is None and time.monotonic() < deadline:
            try:
                httpx.get(url + "/healthz", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert process.poll() is None, f"opendata serve exited with {process.returncode}"
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_cli_messages_are_never_wrapped(datasets_dir: Path, store_dir: Path) -> None:
    # Logs and cron mail keep lines whole whatever width the console guesses.
    write_wages(datasets_dir, WAGE_CSV + "520200,2022,abc,81000.00,2023-06-01\n")
    result = subprocess.run(
        [OPENDATA, "--datasets", str(datasets_dir), "--store", str(store_dir), "build"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "40"},
    )
    assert result.returncode == 1
    row = next(line for line in result.stderr.splitlines() if "row 5" in line)
    assert len(row) > 40 and row.rstrip().endswith('"abc"'), result.stderr


def test_cli_a_first_build_refused_says_nothing_was_published(
    datasets_dir: Path, store_dir: Path
) -> None:
    write_wages(datasets_dir, WAGE_CSV + "520200,2022,abc,81000.00,2023-06-01\n")
    result = opendata(datasets_dir, store_dir, "build", "wages-test")
    assert result.returncode == 1
    assert "wages-test: NOT published; it has no published version" in result.stderr
