"""Serialised catalogue pages, kept per state of the catalogue.

A catalogue page costs a graph of its datasets and its serialisation (about a second per
hundred datasets as JSON-LD), and harvesters ask the same pages again and again. Its bytes
are a function of the catalogue's state (the index's current descriptors), the search, the
serialisation and the links (base URL, the arguments echoed in them): `CataloguePages` keeps
the bodies under a key of those, drops them all when the catalogue changes, holds at most
`entries` bodies and `max_bytes` bytes (least recently used first out), and makes one body
per key at a time: thirty identical requests arriving together wait for one rendering.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from catalog.store import OneAtATimeEach

ENTRIES = 256
MAX_BYTES = 48 * 1024 * 1024
# A body larger than this is served but not kept: it would push out many smaller pages.
MAX_KEPT_BODY = 8 * 1024 * 1024


class CataloguePages:
    """Bodies by key, for one state of the catalogue at a time (compared by identity)."""

    def __init__(self, entries: int = ENTRIES, max_bytes: int = MAX_BYTES) -> None:
        self.entries = entries
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._state: object = None
        self._kept: OrderedDict[Hashable, bytes] = OrderedDict()
        self._bytes = 0
        self._making: OneAtATimeEach[Hashable] = OneAtATimeEach()

    def body(self, state: object, key: Hashable, make: Callable[[], bytes]) -> bytes:
        """The body of `key` in the catalogue state `state`, made by `make()` if not kept."""
        found = self._found(state, key)
        if found is not None:
            return found
        return self._making(key, lambda: self._make(state, key, make))

    def _make(self, state: object, key: Hashable, make: Callable[[], bytes]) -> bytes:
        found = self._found(state, key)  # made while this request waited
        if found is not None:
            return found
        made = make()
        self._keep(state, key, made)
        return made

    def __len__(self) -> int:
        with self._lock:
            return len(self._kept)

    def _found(self, state: object, key: Hashable) -> bytes | None:
        with self._lock:
            if state is not self._state:
                return None
            found = self._kept.get(key)
            if found is not None:
                self._kept.move_to_end(key)
            return found

    def _keep(self, state: object, key: Hashable, body: bytes) -> None:
        if len(body) > MAX_KEPT_BODY:
            return
        with self._lock:
            if state is not self._state:  # the catalogue changed: every kept page is stale
                self._kept.clear()
                self._bytes = 0
                self._state = state
            previous = self._kept.pop(key, None)
            self._bytes += len(body) - len(previous or b"")
            self._kept[key] = body
            while self._kept and (len(self._kept) > self.entries or self._bytes > self.max_bytes):
                self._bytes -= len(self._kept.popitem(last=False)[1])
