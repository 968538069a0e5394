"""A log line that repeats, written at most once per interval with how many were held back.

A state database or a store that is away makes the same failure every request or every sync:
logged each time, it floods the log (and the disk) of every replica. `QuietLog` writes the
first at once, then one line per interval saying how many like it came meanwhile.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable


class QuietLog:
    """`warning()` / `error()` through `logger`, at most once per `interval` seconds."""

    def __init__(
        self,
        logger: logging.Logger,
        interval: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.logger = logger
        self.interval = interval
        self.clock = clock
        self._lock = threading.Lock()
        self._last = float("-inf")
        self._held = 0

    def warning(self, message: str, *args: object) -> None:
        self.log(logging.WARNING, message, *args)

    def error(self, message: str, *args: object) -> None:
        self.log(logging.ERROR, message, *args)

    def log(self, level: int, message: str, *args: object) -> None:
        """Log now if the interval has passed (with the count held back), else count it."""
        with self._lock:
            now = self.clock()
            if now - self._last < self.interval:
                self._held += 1
                return
            held, self._held, self._last = self._held, 0, now
        if held:
            message += f" (and {held} more like it in the last %.0f s)"
            args = (*args, self.interval)
        self.logger.log(level, message, *args)
