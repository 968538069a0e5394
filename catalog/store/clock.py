"""The time the store stamps versions, HISTORY and withdrawals with: a clock it is handed.

A version is named by the UTC second it was built in, HISTORY and WITHDRAWN record when each
switch happened, and the change feed orders by those times. Taking the time from a clock
the store and the publisher are given (the system's UTC time unless told otherwise) lets a
test or a benchmark publish two rounds "a second apart" without waiting for a second.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

Clock = Callable[[], datetime]
"""Answers the current time, timezone-aware, in UTC."""


def utc_now() -> datetime:
    """The system's time, in UTC: the clock of every store that is not given one."""
    return datetime.now(UTC)


class ManualClock:
    """A clock that moves only when told to, and by one tick at each reading.

    The tick (a microsecond by default) keeps two readings in a row distinct, as two real
    readings are: a publisher that reads it twice gets two instants in order.
    """

    def __init__(self, start: datetime, tick: timedelta = timedelta(microseconds=1)) -> None:
        if start.tzinfo is None:
            raise ValueError("a clock answers timezone-aware times; give `start` a tzinfo")
        self._now = start.astimezone(UTC)
        self._tick = tick

    def __call__(self) -> datetime:
        now = self._now
        self._now += self._tick
        return now

    def advance(self, by: timedelta) -> datetime:
        """Move the clock on by `by`; the new time."""
        self._now += by
        return self._now

    def next_second(self) -> datetime:
        """Move the clock to the start of its next second (what a test once slept for)."""
        return self.advance(timedelta(seconds=1) - timedelta(microseconds=self._now.microsecond))
