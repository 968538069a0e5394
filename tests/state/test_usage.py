"""Usage counts in the state database, on SQLite and PostgreSQL: added by upsert from several
processes at once, kept when the database fails, bounded in memory."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

from catalog.state import (
    OTHER,
    Database,
    State,
    UsageCounter,
    UsageKey,
    UsageLog,
    open_state,
    sqlite_url,
    usage_day,
)

DAY = "2026-03-02"


def key(dataset: str = "wages", kind: str = "download", channel: str = "rest") -> UsageKey:
    return UsageKey(DAY, dataset, kind, channel)


def test_usage_flush_adds_to_what_is_stored(state: State) -> None:
    log, counter = UsageLog(state.database), UsageCounter()
    counter.add(key(), 2)
    counter.add(key(kind="api_call", channel="ckan"))
    assert log.flush(counter) == 3
    assert len(counter) == 0
    counter.add(key(), 5)
    counter.add(key(OTHER, "api_call", "dcat"))
    log.flush(counter)
    assert log.between(DAY, DAY) == {
        key(): 7,
        key(kind="api_call", channel="ckan"): 1,
        key(OTHER, "api_call", "dcat"): 1,
    }


def test_usage_between_takes_only_the_days_asked(state: State) -> None:
    log = UsageLog(state.database)
    log.add({UsageKey("2025-12-31", "wages", "download", "rest"): 1, key(): 2})
    log.add({UsageKey("2027-01-01", "wages", "download", "rest"): 4})
    assert log.between("2026-01-01", "2026-12-31") == {key(): 2}


def test_usage_several_processes_flushing_at_once_lose_no_count(database_url: str) -> None:
    # Two engines are two servers' connection pools on one database; each flushes 30 times.
    states = [open_state(database_url) for _ in range(2)]
    failures: list[BaseException] = []

    def server(state: State) -> None:
        log, counter = UsageLog(state.database), UsageCounter()
        try:
            for _ in range(30):
                counter.add(key(), 3)
                counter.add(key("regions"))
                log.flush(counter)
        except BaseException as exc:  # reported below: a thread's failure is not the test's
            failures.append(exc)

    threads = [threading.Thread(target=server, args=(state,)) for state in states]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert failures == []
        assert UsageLog(states[0].database).between(DAY, DAY) == {key(): 180, key("regions"): 60}
    finally:
        for state in states:
            state.close()


def test_usage_counts_a_failed_flush_did_not_store_wait_for_the_next(tmp_path: Path) -> None:
    unmigrated = Database.open(sqlite_url(tmp_path / "empty"))  # no usage_daily table
    counter = UsageCounter()
    counter.add(key(), 4)
    try:
        UsageLog(unmigrated).flush(counter)
    except Exception as exc:  # the database's own error, whichever it is
        assert "usage_daily" in str(exc)
    else:
        raise AssertionError("a flush into a database without the table succeeded")
    finally:
        unmigrated.dispose()
    assert counter.take() == {key(): 4}


def test_usage_counter_keeps_at_most_max_keys_and_counts_what_it_dropped() -> None:
    counter = UsageCounter(max_keys=2)
    counter.add(key("a"))
    counter.add(key("b"), 2)
    counter.add(key("c"), 5)  # a third key: dropped
    counter.add(key("a"), 3)  # a key already held still counts
    assert counter.take() == {key("a"): 4, key("b"): 2}
    assert counter.dropped == 5


def test_usage_day_is_the_day_in_china() -> None:
    assert usage_day(datetime(2026, 12, 31, 15, 59, tzinfo=UTC)) == "2026-12-31"
    assert usage_day(datetime(2026, 12, 31, 16, 0, tzinfo=UTC)) == "2027-01-01"
