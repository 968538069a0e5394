"""The audit log: append-only JSON lines, safe across threads and processes, read with filters;
and `opendata audit` over what the command line itself recorded."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from catalog.errors import NotAuthorized, QueryFailed
from catalog.store import AuditLog, cli_token, outcome_of, parse_time
from catalog.store.audit import MAX_FIELD_CHARS
from tests.conftest import WAGE_CSV, write_wages

OPENDATA = str(Path(sys.executable).with_name("opendata"))


def test_audit_record_then_read_gives_every_field(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "state" / "audit.log")
    before = datetime.now(UTC)
    made = log.record(
        token="abc123",
        action="package_create",
        dataset="wages",
        outcome="refused",
        detail="Authorization Error",
        client="203.0.113.9",
    )
    [read] = log.read()
    assert read == made
    assert (read.token, read.action, read.dataset, read.outcome, read.detail, read.client) == (
        "abc123",
        "package_create",
        "wages",
        "refused",
        "Authorization Error",
        "203.0.113.9",
    )
    assert read.time.endswith("Z")
    assert before <= read.when <= datetime.now(UTC)


def test_audit_file_is_private_and_one_json_object_a_line(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.log")
    log.record(token="t", action="build", outcome="ok", dataset="a")
    log.record(token="t", action="build", outcome="failed", dataset="b", detail="StoreError")
    assert (tmp_path / "audit.log").stat().st_mode & 0o077 == 0
    lines = (tmp_path / "audit.log").read_text().splitlines()
    assert [json.loads(line)["dataset"] for line in lines] == ["a", "b"]


def test_audit_lines_already_written_never_change(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.log")
    for number in range(5):
        log.record(token="t", action="build", outcome="ok", dataset=f"d{number}")
    before = (tmp_path / "audit.log").read_bytes()
    log.record(token="t", action="withdraw", outcome="ok", dataset="d0")
    after = (tmp_path / "audit.log").read_bytes()
    assert after.startswith(before) and after.count(b"\n") == 6


def test_audit_read_filters_by_dataset_action_outcome_token_and_time(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.log")
    log.record(token="a", action="package_create", outcome="ok", dataset="x")
    log.record(token="b", action="package_create", outcome="refused", dataset="y")
    log.record(token="a", action="resource_create", outcome="failed", dataset="x")
    assert [e.outcome for e in log.read(dataset="x")] == ["ok", "failed"]
    assert [e.dataset for e in log.read(action="package_create")] == ["x", "y"]
    assert [e.token for e in log.read(outcome="refused")] == ["b"]
    assert [e.action for e in log.read(token="a", dataset="x", outcome="failed")] == [
        "resource_create"
    ]
    assert len(list(log.read(since=datetime.now(UTC) - timedelta(minutes=1)))) == 3
    assert list(log.read(since=datetime.now(UTC) + timedelta(minutes=1))) == []


def test_audit_read_of_a_missing_log_is_empty(tmp_path: Path) -> None:
    assert list(AuditLog(tmp_path / "none.log").read()) == []


def test_audit_callers_text_cannot_break_a_line_or_grow_it(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.log")
    hostile = 'x\n{"outcome": "ok"}\r\n\ud800' + "y" * 10_000
    log.record(token=hostile, action=hostile, outcome="refused", dataset=hostile, client=hostile)
    [line] = (tmp_path / "audit.log").read_bytes().splitlines()
    [entry] = log.read()
    assert entry.outcome == "refused"
    assert len(entry.dataset) == MAX_FIELD_CHARS and entry.dataset.startswith("x\n{")
    assert len(line) < 8 * MAX_FIELD_CHARS * 2


def test_audit_ignores_a_line_another_process_is_still_writing(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.log")
    log.record(token="t", action="build", outcome="ok")
    with (tmp_path / "audit.log").open("ab") as handle:
        handle.write(b'{"time": "2026-')
    assert len(list(log.read())) == 1


def test_audit_refuses_an_unknown_outcome(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="outcome"):
        AuditLog(tmp_path / "audit.log").record(token="t", action="a", outcome="maybe")  # type: ignore[arg-type]


def _write_many(path: str, writer: int, count: int) -> None:
    log = AuditLog(Path(path))
    for number in range(count):
        log.record(token=f"w{writer}", action="build", outcome="ok", dataset=f"{number:05d}")


@pytest.mark.slow
def test_audit_appends_from_threads_and_processes_keep_every_line_whole(tmp_path: Path) -> None:
    path = tmp_path / "audit.log"
    threads = [threading.Thread(target=_write_many, args=(str(path), n, 100)) for n in range(4)]
    spawn = multiprocessing.get_context("spawn")
    processes = [spawn.Process(target=_write_many, args=(str(path), 10 + n, 100)) for n in range(3)]
    for worker in [*threads, *processes]:
        worker.start()
    for worker in [*threads, *processes]:
        worker.join(timeout=120)
    assert all(process.exitcode == 0 for process in processes)
    entries = list(AuditLog(path).read())
    assert len(entries) == 700
    for writer in (0, 1, 2, 3, 10, 11, 12):
        mine = [e.dataset for e in entries if e.token == f"w{writer}"]
        assert mine == [f"{n:05d}" for n in range(100)]  # each writer's order kept


def test_audit_outcome_of_tells_refusals_from_failures() -> None:
    assert outcome_of(NotAuthorized("no token")) == ("refused", "Authorization Error: no token")
    assert outcome_of(QueryFailed("out of memory")) == ("failed", "QueryFailed")
    assert outcome_of(OSError("disk full")) == ("failed", "OSError")


def test_audit_parse_time_reads_dates_and_zones_as_utc() -> None:
    assert parse_time("2026-01-02") == datetime(2026, 1, 2, tzinfo=UTC)
    assert parse_time("2026-01-02T03:04:05Z") == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert parse_time("2026-01-02T11:04:05+08:00") == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_audit_cli_token_names_the_user() -> None:
    assert cli_token().startswith("cli:") and len(cli_token()) > 4


# --- the command line --------------------------------------------------------------------


def opendata(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OPENDATA_STATE": str(root / "state")}
    return subprocess.run(
        [OPENDATA, "--datasets", str(root / "datasets"), "--store", str(root / "store"), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


@pytest.mark.slow
def test_cli_writes_are_audited_and_listed_by_opendata_audit(
    tmp_path: Path, datasets_dir: Path
) -> None:
    assert opendata(tmp_path, "build", "wages-test").returncode == 0
    made = opendata(tmp_path, "token", "create", "--name", "steward")
    secret = made.stdout.strip()
    assert opendata(tmp_path, "token", "revoke", "steward").returncode == 0
    assert opendata(tmp_path, "token", "revoke", "nobody").returncode == 1
    write_wages(tmp_path / "datasets", WAGE_CSV + "520200,2022,abc,81000.00,2023-06-01\n")
    assert opendata(tmp_path, "build", "wages-test").returncode == 1
    assert opendata(tmp_path, "withdraw", "wages-test").returncode == 0
    assert opendata(tmp_path, "withdraw", "no-such-dataset").returncode == 1

    log_text = (tmp_path / "state" / "audit.log").read_text()
    assert secret and secret not in log_text and secret.split("_")[2] not in log_text
    listed = opendata(tmp_path, "audit", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    user = cli_token()
    assert [(r["action"], r["dataset"], r["outcome"]) for r in rows] == [
        ("build", "regions-test", "ok"),  # wages-test references it: built first
        ("build", "wages-test", "ok"),
        ("token create", "", "ok"),
        ("token revoke", "", "ok"),
        ("token revoke", "", "refused"),
        ("build", "regions-test", "ok"),
        ("build", "wages-test", "refused"),
        ("withdraw", "wages-test", "ok"),
        ("withdraw", "no-such-dataset", "refused"),
    ]
    assert {(r["token"], r["client"]) for r in rows} == {(user, "local")}
    details = [r["detail"] for r in rows]
    assert details[1].startswith("published ") and details[5].startswith("unchanged ")
    assert details[2] == details[3] == f"token {secret.split('_')[1]} (steward)"
    assert details[4] == "Not Found Error: no active token named or numbered 'nobody'"
    assert details[6].startswith("Validation Error: wages-test: validation failed")
    assert details[8].startswith("Not Found Error: ")

    refused = opendata(tmp_path, "audit", "--outcome", "refused", "--dataset", "wages-test")
    assert refused.stdout.count("\n") == 1 and "refused  build  wages-test" in refused.stdout
    assert opendata(tmp_path, "audit", "--action", "withdraw").stdout.count("\n") == 2
    assert opendata(tmp_path, "audit", "--since", "2999-01-01").stdout == ""
    wrong = opendata(tmp_path, "audit", "--outcome", "maybe")
    assert wrong.returncode == 2 and "ok, refused, failed" in wrong.stderr
    assert opendata(tmp_path, "audit", "--since", "yesterday").returncode == 2
