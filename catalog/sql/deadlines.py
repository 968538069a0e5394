"""One watchdog thread that interrupts DuckDB queries past their time limit.

DuckDB has no statement timeout, so something else must call `interrupt()` on a cursor that
runs too long. A `threading.Timer` per query would do it at the price of starting a thread
on every request (a tenth of a millisecond, a tenth of a fast page); here every query shares
one thread, which sleeps until the earliest deadline. Deadlines are mostly pushed in order
(one time limit for all), so adding one seldom wakes the thread at all.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from dataclasses import dataclass, field
from typing import Protocol


class Interruptible(Protocol):
    def interrupt(self) -> None: ...


@dataclass(order=True)
class Deadline:
    at: float
    number: int
    target: Interruptible = field(compare=False)
    active: bool = field(default=True, compare=False)


class Watchdog:
    def __init__(self) -> None:
        self._due: list[Deadline] = []
        self._numbers = itertools.count()
        self._wake = threading.Condition()
        self._closed = False
        self._thread: threading.Thread | None = None

    def watch(self, seconds: float, target: Interruptible) -> Deadline:
        """Interrupt `target` in `seconds` unless `cancel` comes first."""
        deadline = Deadline(time.monotonic() + seconds, next(self._numbers), target)
        with self._wake:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="opendata-deadlines", daemon=True
                )
                self._thread.start()
            heapq.heappush(self._due, deadline)
            if self._due[0] is deadline:
                self._wake.notify()
        return deadline

    def cancel(self, deadline: Deadline) -> None:
        # Under the lock: once this returns, the target is never interrupted for it.
        with self._wake:
            deadline.active = False

    def close(self) -> None:
        with self._wake:
            self._closed = True
            self._wake.notify()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        with self._wake:
            while not self._closed:
                while self._due and not self._due[0].active:
                    heapq.heappop(self._due)
                if not self._due:
                    self._wake.wait()
                    continue
                wait = self._due[0].at - time.monotonic()
                if wait > 0:
                    self._wake.wait(wait)
                    continue
                deadline = heapq.heappop(self._due)
                deadline.active = False
                deadline.target.interrupt()
