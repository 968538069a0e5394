"""Per-client rate limits (token buckets), kept in step across replicas.

`RateLimit` is one class of requests' buckets in this server. `SharedRates` makes the
buckets of every server over one state database act as one: each counts the tokens it hands
out, and every `RATE_WINDOW_SECONDS` (a worker thread, started at the first token and ended
when the server handed out nothing for `LOOKBACK_WINDOWS`: an idle server asks the database
nothing) adds them
to the shared window rows (`catalog.state.RateWindows`), reads back what the other servers
handed out to the same clients in the last `LOOKBACK_WINDOWS`, and takes that from its own
buckets. A client alternating between replicas is so held near the configured rate:
over any T seconds, N replicas let one client do at most rate x T + N x burst +
(N - 1) x rate x lag, the lag being what a count takes to reach the other servers (two
windows and a database round trip, about a second) — docs/replicas.md.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from api.perimeter.quiet import QuietLog
from catalog.errors import TooManyRequests
from catalog.state import KEEP_WINDOWS, RATE_WINDOW_SECONDS, RateWindows, WindowKey

log = logging.getLogger("opendata.rates")
# A database away fails every sync (twice a second): one line a minute, with a count.
quiet = QuietLog(log, 60.0)
LOOKBACK_WINDOWS = 4  # windows read back: a count added late by a slow server still counts
FORGET_EVERY = 60  # syncs between deletions of old rows


@dataclass
class _Bucket:
    tokens: float
    stamp: float
    refusing: bool = False  # refused since the last token it gave


class RateLimit:
    """Token buckets per client: `rate` tokens a second up to `burst`; LRU-bounded table."""

    def __init__(
        self,
        name: str,
        rate: float,
        burst: int,
        clients: int,
        shared: tuple[SharedRates, str] | None = None,
    ) -> None:
        self.name = name
        self.rate = rate
        self.burst = burst
        self.clients = clients
        self.buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self._lock = threading.Lock()  # the sharing thread debits buckets too
        self.shared = shared  # (the replicas' counts, this class's name there)
        if shared is not None:
            shared[0].limits[shared[1]] = self

    def take(self, client: str, now: float | None = None) -> None:
        """Spend one token of `client`, or raise TooManyRequests naming the wait."""
        if self.rate <= 0:
            return
        with self._lock:
            bucket = self._bucket(client, time.monotonic() if now is None else now)
            if bucket.tokens < 1:
                refused = TooManyRequests(
                    f"too many {self.name} requests from this client; at most {self.rate:g} a"
                    f" second after a burst of {self.burst}",
                    retry_after=max(math.ceil((1 - bucket.tokens) / self.rate), 1),
                )
                refused.first = not bucket.refusing
                bucket.refusing = True
                raise refused
            bucket.tokens -= 1
            bucket.refusing = False
        if self.shared is not None:
            self.shared[0].count(self.shared[1], client)

    def debit(self, client: str, tokens: int) -> None:
        """Take `tokens` another server handed out to `client` (down to minus one burst)."""
        if self.rate <= 0:
            return
        with self._lock:
            bucket = self._bucket(client, time.monotonic())
            bucket.tokens = max(bucket.tokens - tokens, -float(self.burst))

    def _bucket(self, client: str, now: float) -> _Bucket:
        """`client`'s bucket filled up to `now`, made the most recently seen (the lock held)."""
        bucket = self.buckets.pop(client, None) or _Bucket(float(self.burst), now)
        bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.stamp) * self.rate)
        bucket.stamp = now
        self.buckets[client] = bucket
        while len(self.buckets) > self.clients:
            self.buckets.popitem(last=False)
        return bucket


class SharedRates:
    """This server's counts added to the shared windows, the other servers' taken here."""

    def __init__(
        self,
        windows: RateWindows,
        interval: float = RATE_WINDOW_SECONDS,
        clock: Callable[[], float] = time.time,
        *,
        autostart: bool = True,
    ) -> None:
        self.windows = windows
        self.interval = interval
        self.clock = clock  # wall time: every server numbers the windows alike
        self.limits: dict[str, RateLimit] = {}
        self._lock = threading.Lock()
        self._syncing = threading.Lock()  # one sync at a time: the thread's, or the last
        self._pending: dict[WindowKey, int] = {}
        self._own: dict[WindowKey, int] = {}  # added by this server
        self._others: dict[WindowKey, int] = {}  # the others', already debited here
        self._stop = threading.Event()
        if not autostart:  # the caller syncs (tests)
            self._stop.set()
        self._thread: threading.Thread | None = None
        self._syncs = 0

    def count(self, kind: str, client: str) -> None:
        """One token of `kind` handed out to `client` here."""
        key = WindowKey(kind, client, self._window())
        with self._lock:
            self._pending[key] = self._pending.get(key, 0) + 1
            if self._thread is None and not self._stop.is_set():
                self._thread = threading.Thread(target=self._run, name="rates", daemon=True)
                self._thread.start()

    def sync(self) -> None:
        """Add the counts made here since the last sync; debit the others' new ones."""
        with self._syncing:
            self._sync()

    def _sync(self) -> None:
        window = self._window()
        with self._lock:
            pending, self._pending = self._pending, {}
        try:
            self.windows.add(pending)
        except BaseException:
            with self._lock:  # kept for the next sync
                for key, n in pending.items():
                    self._pending[key] = self._pending.get(key, 0) + n
            raise
        for key, n in pending.items():
            self._own[key] = self._own.get(key, 0) + n
        self._debit(self.windows.since(window - LOOKBACK_WINDOWS))
        self._drop_before(window - LOOKBACK_WINDOWS)
        self._syncs += 1
        if self._syncs % FORGET_EVERY == 0:
            self.windows.forget(window - KEEP_WINDOWS)

    @property
    def running(self) -> bool:
        """Whether the sharing thread runs now."""
        return self._thread is not None

    def close(self) -> None:
        """Stop the thread after one last sync (at shutdown, before the database closes)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _debit(self, totals: dict[WindowKey, int]) -> None:
        for key, total in totals.items():
            others = total - self._own.get(key, 0)
            new = others - self._others.get(key, 0)
            if new > 0 and key.kind in self.limits:
                self.limits[key.kind].debit(key.client, new)
                self._others[key] = others

    def _drop_before(self, window: int) -> None:
        self._own = {k: n for k, n in self._own.items() if k.window >= window}
        self._others = {k: n for k, n in self._others.items() if k.window >= window}

    def _window(self) -> int:
        return math.floor(self.clock() / self.interval)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._try_sync()
            with self._lock:
                # Idle: end; the next token starts another (an app whose lifespan never
                # ran, a test's in process, keeps no thread either).
                if not self._pending and not self._own:
                    self._thread = None
                    return
        self._try_sync()

    def _try_sync(self) -> None:
        try:
            self.sync()
        except Exception as exc:  # the database is away: each server limits alone meanwhile
            quiet.warning(
                "rates: the counts were not shared with the other servers: %s: %s",
                type(exc).__name__,
                str(exc).splitlines()[0][:300] if str(exc) else "",
            )
