"""Rate buckets of several servers over one state database act as one (SQLite, PostgreSQL)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.perimeter import SharedRates
from api.perimeter.rates import RateLimit
from catalog.errors import TooManyRequests
from catalog.state import (
    KEEP_WINDOWS,
    Database,
    DatabaseAway,
    RateWindows,
    WindowKey,
    open_state,
    sqlite_url,
)

CLIENT = "203.0.113.9"


class Clock:
    """Wall time the test moves: every server numbers its windows by it."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def windows(database_url: str) -> Iterator[RateWindows]:
    state = open_state(database_url)
    yield RateWindows(state.database)
    state.close()


def server(windows: RateWindows, clock: Clock) -> tuple[SharedRates, RateLimit]:
    """One server's sharing and its search buckets (a token an hour: no refill meanwhile)."""
    shared = SharedRates(windows, clock=clock, autostart=False)
    return shared, RateLimit("search", 1 / 3600, 5, 10, (shared, "search"))


def test_a_burst_spent_on_one_server_is_spent_on_the_other(windows: RateWindows) -> None:
    clock = Clock()
    (a, on_a), (b, on_b) = server(windows, clock), server(windows, clock)
    for _ in range(5):
        on_a.take(CLIENT)
    a.sync()
    b.sync()
    with pytest.raises(TooManyRequests):
        on_b.take(CLIENT)
    on_b.take("198.51.100.1")  # another client keeps its own bucket


def test_what_both_servers_hand_out_is_taken_from_both(windows: RateWindows) -> None:
    clock = Clock()
    (a, on_a), (b, on_b) = server(windows, clock), server(windows, clock)
    for limit in (on_a, on_a, on_b, on_b):
        limit.take(CLIENT)
    a.sync()
    b.sync()
    a.sync()  # a reads b's counts, added after a's first sync
    on_a.take(CLIENT)  # the fifth of the burst
    a.sync()
    b.sync()
    for limit in (on_a, on_b):
        with pytest.raises(TooManyRequests):
            limit.take(CLIENT)


def test_counts_are_taken_once_however_often_they_are_read(windows: RateWindows) -> None:
    clock = Clock()
    (a, on_a), (b, on_b) = server(windows, clock), server(windows, clock)
    on_a.take(CLIENT)
    a.sync()
    for _ in range(4):
        b.sync()
    assert on_b.buckets[CLIENT].tokens == pytest.approx(4, abs=0.01)


def test_windows_add_up_and_old_ones_are_forgotten(windows: RateWindows) -> None:
    key = WindowKey("search", CLIENT, 10)
    windows.add({key: 2})
    windows.add({key: 3, WindowKey("sql", "x" * 65, 10): 1})  # no address is that long
    windows.add({WindowKey("search", CLIENT, 10 + KEEP_WINDOWS): 1})
    assert windows.since(10) == {key: 5, WindowKey("search", CLIENT, 10 + KEEP_WINDOWS): 1}
    windows.forget(11)
    assert list(windows.since(0)) == [WindowKey("search", CLIENT, 10 + KEEP_WINDOWS)]


def test_a_server_whose_database_fails_keeps_its_counts_for_the_next_sync(
    windows: RateWindows, tmp_path: Path
) -> None:
    clock = Clock()
    (a, on_a), (b, on_b) = server(windows, clock), server(windows, clock)
    on_a.take(CLIENT)
    working = a.windows
    a.windows = RateWindows(Database.open(sqlite_url(tmp_path)))  # never migrated: no table
    with pytest.raises(DatabaseAway):
        a.sync()
    a.windows = working
    a.sync()
    b.sync()
    assert on_b.buckets[CLIENT].tokens == pytest.approx(4, abs=0.01)


def test_the_thread_shares_the_counts_and_ends_when_the_server_is_idle(
    windows: RateWindows,
) -> None:
    shared = SharedRates(windows, interval=0.05)
    limit = RateLimit("search", 1 / 3600, 5, 10, (shared, "search"))
    assert not shared.running
    limit.take(CLIENT)
    assert shared.running
    deadline = time.monotonic() + 30
    while shared.running or not windows.since(0):
        assert time.monotonic() < deadline, "the thread neither shared nor ended"
        time.sleep(0.05)
    assert sum(windows.since(0).values()) == 1
    shared.close()
