"""What an object store's small objects say (CURRENT, WITHDRAWN, HISTORY, the listing of
datasets), remembered while the store's generation stays the same.

Every change of CURRENT or WITHDRAWN is followed by a new GENERATION, so an answer read under
one generation holds until the next. A replica reads GENERATION at most every
`refresh_seconds` (`OPENDATA_REFRESH_SECONDS`), so a request asks the bucket nothing more in
between, and a publish through another replica is seen within that delay, as the folder
store's replicas see it (docs/replicas.md). A write through this store forgets at once.
Writers never read through here: a publish or withdrawal decides on what the bucket says now.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from catalog.store.base import FAILURE_HOLD_SECONDS, OneAtATime, OneAtATimeEach

T = TypeVar("T")
# Answers kept per generation: each names a dataset, and a client may name any; past this the
# memo starts over rather than grow.
MAX_REMEMBERED = 20_000


class Pointers:
    """A memo of reads, cleared when the generation read (at most every `refresh_seconds`)
    changes; `refresh_seconds` 0 remembers nothing.

    Each read is single-flight: callers asking for a key (or the generation) while it is
    being read wait for that read and take its answer, or its failure (`OneAtATime`). A
    server's start asks for the listing of every dataset on two threads at once (the index's
    load, /healthz's served versions), and would read it twice."""

    def __init__(self, read_generation: Callable[[], str], refresh_seconds: float) -> None:
        self._read_generation = read_generation
        self.refresh_seconds = refresh_seconds
        self._lock = threading.Lock()
        self._looking = OneAtATime(FAILURE_HOLD_SECONDS)  # the reads of the generation
        self._checked = float("-inf")
        self._generation = ""
        self._remembered: dict[Hashable, Any] = {}
        self._flights: OneAtATimeEach[Hashable] = OneAtATimeEach()  # the reads of each key

    def remembered(self, key: Hashable, read: Callable[[], T]) -> T:
        """`read()`, or what it answered before under the same generation."""
        if self.refresh_seconds <= 0:
            return read()
        generation = self._seen()
        with self._lock:
            if key in self._remembered:
                found: T = self._remembered[key]
                return found
        # Read outside the memo's lock: a slow bucket holds up only those asking for `key`.
        return self._flights(key, lambda: self._read(key, generation, read))

    def _read(self, key: Hashable, generation: str, read: Callable[[], T]) -> T:
        with self._lock:
            if key in self._remembered:  # read while this caller waited
                found: T = self._remembered[key]
                return found
        answer = read()
        with self._lock:
            if self._generation == generation:
                if len(self._remembered) >= MAX_REMEMBERED:
                    self._remembered.clear()
                self._remembered[key] = answer
        return answer

    def saw(self, generation: str) -> None:
        """`generation` was read by another reader of the store (the catalogue index's own
        clock, a probe): whoever read it and then reads through here gets answers at least
        that new, never what an older generation left remembered."""
        with self._lock:
            if generation != self._generation:
                self._generation = generation
                self._remembered.clear()
                self._checked = time.monotonic()

    def forget(self) -> None:
        """Read the generation again at the next read (after a write through this store)."""
        with self._lock:
            self._checked = float("-inf")
            self._remembered.clear()

    def _seen(self) -> str:
        with self._lock:
            if time.monotonic() - self._checked < self.refresh_seconds:
                return self._generation
        return self._looking(self._look)

    def _look(self) -> str:
        with self._lock:  # read meanwhile by the caller this one waited for
            if time.monotonic() - self._checked < self.refresh_seconds:
                return self._generation
        # Read before what it guards: an answer read after a change is remembered under
        # the older generation at worst, and dropped when the newer one is seen.
        generation = self._read_generation()
        with self._lock:
            self._checked = time.monotonic()
            if generation != self._generation:
                self._generation = generation
                self._remembered.clear()
            return generation
