"""The audit log in the state database: append-only, safe across threads and processes, read
with filters, on SQLite and PostgreSQL; and `opendata audit` over what the command line
itself recorded."""

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
from catalog.state import (
    AuditEntry,
    DatabaseError,
    State,
    cli_token,
    open_state,
    outcome_of,
    parse_time,
)
from catalog.state.audit import MAX_FIELD_CHARS
from tests.conftest import WAGE_CSV, write_wages

OPENDATA = str(Path(sys.executable).with_name("opendata"))


def test_audit_record_then_read_gives_every_field(state: State) -> None:
    log = state.audit
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


def test_audit_rows_already_written_cannot_change(state: State) -> None:
    state.audit.record(token="t", action="build", outcome="ok", dataset="a")
    for statement in ("UPDATE audit SET outcome = 'failed'", "DELETE FROM audit"):
        with pytest.raises(DatabaseError, match="append-only"), state.database.begin() as c:
            c.execute(statement)
    assert [e.outcome for e in state.audit.read()] == ["ok"]


def test_audit_read_filters_and_keeps_order(state: State) -> None:
    log = state.audit
    log.record(token="t1", action="build", outcome="ok", dataset="a")
    log.record(token="t2", action="package_create", outcome="refused", dataset="b")
    log.record(token="t1", action="build", outcome="failed", dataset="b")
    assert [e.dataset for e in log.read()] == ["a", "b", "b"]
    assert [e.outcome for e in log.read(dataset="b")] == ["refused", "failed"]
    assert [e.token for e in log.read(action="build", outcome="failed")] == ["t1"]
    assert [e.dataset for e in log.read(token="t1")] == ["a", "b"]
    assert list(log.read(since=datetime.now(UTC) + timedelta(seconds=1))) == []
    assert len(list(log.read(since=datetime.now(UTC) - timedelta(minutes=1)))) == 3


def test_audit_reads_a_long_log_in_pages(state: State) -> None:
    entries = [
        AuditEntry(f"2026-01-01T00:00:00.{n:06d}Z", "t", "build", f"{n}", "ok", "", "local")
        for n in range(2500)
    ]
    state.audit.append(entries)
    assert list(state.audit.read()) == entries


def test_audit_callers_text_cannot_break_a_row_or_grow_it(state: State) -> None:
    log = state.audit
    hostile = 'x\n{"outcome": "ok"}\r\n\ud800\x00' + "y" * 10_000
    log.record(token=hostile, action=hostile, outcome="refused", dataset=hostile, client=hostile)
    [entry] = log.read()
    assert entry.outcome == "refused"
    assert len(entry.dataset) == MAX_FIELD_CHARS and entry.dataset.startswith("x\n{")
    assert "\\ud800\\x00" in entry.dataset  # escaped: neither UTF-8 nor PostgreSQL text holds them


def test_audit_refuses_an_unknown_outcome(state: State) -> None:
    with pytest.raises(ValueError, match="outcome"):
        state.audit.record(token="t", action="a", outcome="maybe")  # type: ignore[arg-type]


def _write_many(url: str, writer: int, count: int) -> None:
    state = open_state(url)
    try:
        for number in range(count):
            state.audit.record(
                token=f"w{writer}", action="build", outcome="ok", dataset=f"{number:05d}"
            )
    finally:
        state.close()


@pytest.mark.slow
@pytest.mark.parametrize("round_", range(4))  # on SQLite, 1 run in 3 lost entries (CI)
def test_audit_appends_from_threads_and_processes_keep_every_entry(
    database_url: str, round_: int
) -> None:
    # Each thread's `open_state` made its engine while others wrote: making it opened and
    # closed the database file, which drops every POSIX lock this process's SQLite
    # connections hold, and two writers then overwrote each other's pages.
    open_state(database_url).close()  # migrated before the writers start
    threads = [threading.Thread(target=_write_many, args=(database_url, n, 50)) for n in range(4)]
    spawn = multiprocessing.get_context("spawn")
    processes = [
        spawn.Process(target=_write_many, args=(database_url, 10 + n, 50)) for n in range(2)
    ]
    for worker in [*threads, *processes]:
        worker.start()
    for worker in [*threads, *processes]:
        worker.join(timeout=120)
    assert all(process.exitcode == 0 for process in processes)
    state = open_state(database_url)
    entries = list(state.audit.read())
    state.close()
    assert len(entries) == 300
    for writer in (0, 1, 2, 3, 10, 11):
        mine = [e.dataset for e in entries if e.token == f"w{writer}"]
        assert mine == [f"{n:05d}" for n in range(50)]  # each writer's order kept


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
    made = opendata(tmp_path, "token", "create", "--name", "steward", "--scope", "admin")
    secret = made.stdout.strip()
    assert opendata(tmp_path, "token", "revoke", "steward").returncode == 0
    assert opendata(tmp_path, "token", "revoke", "nobody").returncode == 1
    write_wages(tmp_path / "datasets", WAGE_CSV + "520200,2022,abc,81000.00,2023-06-01\n")
    assert opendata(tmp_path, "build", "wages-test").returncode == 1
    assert opendata(tmp_path, "withdraw", "wages-test").returncode == 0
    assert opendata(tmp_path, "withdraw", "no-such-dataset").returncode == 1

    stored = b"".join(p.read_bytes() for p in (tmp_path / "state").glob("opendata.sqlite*"))
    hidden = secret.split("_", 2)[2]  # the part after `odt_<id>_`, which may hold "_" too
    assert secret and secret.encode() not in stored and hidden.encode() not in stored
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
    ident = secret.split("_")[1]
    assert details[2] == f"token {ident} (steward) scopes admin expires never"
    assert details[3] == f"token {ident} (steward)"
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
