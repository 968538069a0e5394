"""Refused reads of conditional data do not grow the audit log a row per request: the first
of each (who, dataset, client) in an hour is written at once, the rest counted and written
as one row when the hour closes or the server stops. And the SQL sandbox refuses a
conditional dataset's view only when the parsed query reads it, not when its name is text."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from catalog.state import AuditLog, Database, open_state, sqlite_url
from catalog.state.audit import MAX_TALLIES
from catalog.store import ManualClock
from tests.access.conftest import SECRET, Site, audit_entries, has_secret
from tests.servers import serving

ROWS = f"/api/v1/datasets/{SECRET}/resources/wages/rows"
VIEW = "secret_wages__wages"


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    state = open_state(sqlite_url(tmp_path / "state"))
    yield state.database
    state.database.dispose()


def _refuse(log: AuditLog, client: str = "203.0.113.9", token: str = "anonymous") -> None:
    log.refusal(token=token, action="read data", dataset=SECRET, detail="no token", client=client)


def test_the_first_refusal_of_an_hour_is_written_and_the_rest_counted(database: Database) -> None:
    clock = ManualClock(datetime(2026, 12, 1, 10, 5, tzinfo=UTC))
    log = AuditLog(database, clock=clock)
    for _ in range(5):
        _refuse(log)
    _refuse(log, client="198.51.100.7")  # another client: its own first row
    assert [(e.client, e.detail) for e in log.read()] == [
        ("203.0.113.9", "no token"),
        ("198.51.100.7", "no token"),
    ]
    clock.advance(timedelta(hours=1))  # the hour closes at the next refusal
    _refuse(log)
    details = [e.detail for e in log.read()]
    assert details[2:] == ["refused 4 more times in the hour from 2026-12-01T10:00Z", "no token"]
    _refuse(log)
    log.flush()  # shutdown: the count of the open hour
    last = list(log.read())[-1]
    assert last.detail == "refused 1 more times in the hour from 2026-12-01T11:00Z"
    assert (last.token, last.dataset, last.outcome) == ("anonymous", SECRET, "refused")


def test_the_tally_is_bounded_in_memory(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert MAX_TALLIES == 10_000
    monkeypatch.setattr("catalog.state.audit.MAX_TALLIES", 20)  # fewer rows to write
    clock = ManualClock(datetime(2026, 12, 1, 10, 5, tzinfo=UTC))
    log = AuditLog(database, clock=clock)
    for n in range(50):
        _refuse(log, client=f"10.0.0.{n}")
        _refuse(log, client=f"10.0.0.{n}")
        assert len(log._tallies) <= 20
    log.flush()
    rows = list(log.read())
    # Every client's first row, and its count when the full tally was written, none lost.
    assert len([e for e in rows if e.detail == "no token"]) == 50
    assert sum(int(e.detail.split()[1]) for e in rows if e.detail != "no token") == 50


@pytest.mark.slow
def test_a_server_writes_one_row_for_many_refused_reads_and_the_count_at_shutdown(
    site: Site, tmp_path: Path
) -> None:
    # A server of its own over the same store and state, stopped (SIGTERM) to flush.
    with serving(site.store) as running, httpx.Client(base_url=running.url) as client:
        before = len(audit_entries(site.store, action="read data", dataset=SECRET))
        statuses = {client.get(ROWS, headers={"X-Probe": str(n)}).status_code for n in range(40)}
        during = audit_entries(site.store, action="read data", dataset=SECRET)
    after = audit_entries(site.store, action="read data", dataset=SECRET)
    assert statuses == {403}
    assert len(during) - before <= 1  # the first of the hour (unless `site` wrote it already)
    assert len(after) - len(during) == 1
    assert after[-1].token == "anonymous" and after[-1].detail.startswith("refused ")


@pytest.mark.slow
def test_a_view_name_in_a_string_or_a_comment_is_no_read_of_it(site: Site) -> None:
    with site.client() as client:
        literal = client.get("/api/v1/sql", params={"sql": f"select '{VIEW}' as name"})
        comment = client.get("/api/v1/sql", params={"sql": f"select 1 /* {VIEW} */"})
        quoted = client.get("/api/v1/sql", params={"sql": f'select * from "{VIEW.upper()}"'})
        nested = client.get(
            "/api/v1/sql", params={"sql": f"select (select count(*) from {VIEW}) as n"}
        )
        described = client.get("/api/v1/sql", params={"sql": f"describe {VIEW}"})
    assert literal.status_code == 200, literal.text
    assert literal.json()["rows"] == [[VIEW]] or VIEW in literal.text
    assert comment.status_code == 200, comment.text
    for refused in (quoted, nested, described):
        assert refused.status_code == 403, refused.text
        assert SECRET in refused.text and not has_secret(refused.text)
    with site.client(site.tokens.granted) as client:
        granted = client.get("/api/v1/sql", params={"sql": f"select * from {VIEW}"})
    assert granted.status_code == 200 and has_secret(granted.text)
