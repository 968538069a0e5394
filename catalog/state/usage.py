"""The platform's use, counted: downloads, API calls and page views per day and dataset.

A server counts each answered request in memory (`UsageCounter`: one number per day, dataset,
kind and channel; nothing about the client) and adds its counts to the `usage_daily` table
every few seconds and when it stops (`UsageLog.flush`). The addition is an upsert that adds
(`count = count + excluded.count`), so several servers on one database each add their own
and none overwrites another's. A flush that fails gives its counts back to the counter, to
be added at the next one.

Memory is bounded: the dataset of a key is a published slug or `OTHER` (a request about no
one dataset, or naming none that exists: whatever a client puts in a URL costs one key), the
kinds and channels are fixed, and a day is China time (`CHINA`), so a counter holds at most
datasets × kinds × channels keys per day between flushes; past `MAX_KEYS` (a database down
for days) new keys are dropped and counted in `dropped`.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from catalog.state.database import Database
from catalog.state.requests import CHINA

# What was used: a file downloaded, an API answered, a dataset's page seen.
USAGE_KINDS = ("download", "api_call", "page_view")
# Through what: the web pages, the REST API `/api/v1`, the CKAN Action API (and DataStore
# dump), SDMX-REST, the DCAT feeds (catalogue graphs, data.json, the register, the Atom feed).
USAGE_CHANNELS = ("web", "rest", "ckan", "sdmx", "dcat")
OTHER = "*"
MAX_KEYS = 100_000
# The same text on SQLite and PostgreSQL: an upsert that adds.
ADD = (
    "INSERT INTO usage_daily (day, dataset, kind, channel, count)"
    " VALUES (:day, :dataset, :kind, :channel, :count)"
    " ON CONFLICT (day, dataset, kind, channel)"
    " DO UPDATE SET count = usage_daily.count + excluded.count"
)


@dataclass(frozen=True, order=True)
class UsageKey:
    """What one count is of: a day (YYYY-MM-DD, China time), a dataset, a kind, a channel."""

    day: str
    dataset: str
    kind: str
    channel: str


def usage_day(moment: datetime) -> str:
    """The day (China time) a moment falls on, as usage is counted."""
    return moment.astimezone(CHINA).date().isoformat()


class UsageCounter:
    """The counts of one process not yet in the database; safe from several threads."""

    def __init__(self, max_keys: int = MAX_KEYS) -> None:
        self.max_keys = max_keys
        self.dropped = 0
        self._counts: dict[UsageKey, int] = {}
        self._lock = threading.Lock()

    def add(self, key: UsageKey, count: int = 1) -> None:
        with self._lock:
            self._merge({key: count})

    def take(self) -> dict[UsageKey, int]:
        """Every count, leaving the counter empty."""
        with self._lock:
            taken, self._counts = self._counts, {}
        return taken

    def give_back(self, counts: Mapping[UsageKey, int]) -> None:
        """Counts taken and not stored (the database failed): kept for the next flush."""
        with self._lock:
            self._merge(counts)

    def __len__(self) -> int:
        return len(self._counts)

    def _merge(self, counts: Mapping[UsageKey, int]) -> None:
        for key, count in counts.items():
            if key not in self._counts and len(self._counts) >= self.max_keys:
                self.dropped += count
                continue
            self._counts[key] = self._counts.get(key, 0) + count


class UsageLog:
    """The `usage_daily` table: counts added by every server, read by the yearly report."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def add(self, counts: Mapping[UsageKey, int]) -> None:
        """Add `counts` to the stored ones, in one transaction."""
        rows = [
            {"day": k.day, "dataset": k.dataset, "kind": k.kind, "channel": k.channel, "count": n}
            for k, n in sorted(counts.items())  # one order: two servers lock rows alike
            if n > 0
        ]
        if not rows:
            return
        with self.database.begin() as connection:
            connection.executemany(ADD, rows)

    def flush(self, counter: UsageCounter) -> int:
        """Move the counter's counts into the table; how many requests they were."""
        taken = counter.take()
        try:
            self.add(taken)
        except BaseException:
            counter.give_back(taken)
            raise
        return sum(taken.values())

    def between(self, first: str, last: str) -> dict[UsageKey, int]:
        """The stored counts of the days `first` to `last` (YYYY-MM-DD, both included)."""
        query = (
            "SELECT day, dataset, kind, channel, count FROM usage_daily"
            " WHERE day >= :first AND day <= :last"
        )
        with self.database.connect() as connection:
            rows = connection.execute(query, {"first": first, "last": last}).rows
        return {
            UsageKey(row["day"], row["dataset"], row["kind"], row["channel"]): int(row["count"])
            for row in rows
        }
