"""The watchdog: interrupts what passes its deadline, in deadline order, and nothing cancelled."""

from __future__ import annotations

import threading
import time

from catalog.sql import Watchdog


class Target:
    def __init__(self) -> None:
        self.interrupted = threading.Event()
        self.at = 0.0

    def interrupt(self) -> None:
        self.at = time.monotonic()
        self.interrupted.set()


def test_watchdog_interrupts_past_the_deadline_only() -> None:
    watchdog = Watchdog()
    late, cancelled = Target(), Target()
    started = time.monotonic()
    watchdog.watch(0.05, late)
    watchdog.cancel(watchdog.watch(0.05, cancelled))
    assert late.interrupted.wait(2)
    assert late.at - started >= 0.05
    time.sleep(0.1)
    assert not cancelled.interrupted.is_set()
    watchdog.close()


def test_watchdog_wakes_for_a_sooner_deadline_added_later() -> None:
    watchdog = Watchdog()
    slow, quick = Target(), Target()
    watchdog.watch(30, slow)
    watchdog.watch(0.02, quick)  # the thread sleeps towards 30 s unless this wakes it
    assert quick.interrupted.wait(2)
    assert not slow.interrupted.is_set()
    watchdog.close()
