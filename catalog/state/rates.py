"""Rate limits that hold across replicas: each server's counts per short window, added up.

Every server keeps its own token buckets (`api.perimeter.admission`) and, every window
(`RATE_WINDOW_SECONDS`), adds what it let each busy client do in it to one row per (rate
class, client, window) — an upsert that adds, so no server overwrites another's — and reads
back the rows of the last few windows: what the other servers let the same clients do, which
it takes from its own buckets (`api.perimeter.rates`). Rows older than `KEEP_WINDOWS` are
deleted; a client is kept as the address the buckets key it by, for that minute only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from catalog.state.database import Database

RATE_WINDOW_SECONDS = 0.5  # how often a server adds its counts and reads the others'
KEEP_WINDOWS = 120  # a minute of windows: rows older are deleted
MAX_CLIENT = 64  # characters of a client key a row holds (an IPv6 /64 takes 43)
# The same text on SQLite and PostgreSQL: an upsert that adds. `window` is a keyword of
# PostgreSQL's, so quoted.
ADD = (
    'INSERT INTO rate_windows (kind, client, "window", count)'
    " VALUES (:kind, :client, :window, :count)"
    ' ON CONFLICT (kind, client, "window")'
    " DO UPDATE SET count = rate_windows.count + excluded.count"
)


@dataclass(frozen=True, order=True)
class WindowKey:
    """One row: a rate class (`sql`, `exports`, ...), a client, a window number."""

    kind: str
    client: str
    window: int


class RateWindows:
    """The `rate_windows` table: counts added by every server, read back by each."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def add(self, counts: Mapping[WindowKey, int]) -> None:
        """Add `counts` to the stored ones, in one transaction (keys too long are skipped:
        no address the buckets key by is)."""
        rows = [
            {"kind": k.kind, "client": k.client, "window": k.window, "count": n}
            for k, n in sorted(counts.items())  # one order: two servers lock rows alike
            if n > 0 and len(k.client) <= MAX_CLIENT
        ]
        if not rows:
            return
        with self.database.begin() as connection:
            connection.executemany(ADD, rows)

    def since(self, window: int) -> dict[WindowKey, int]:
        """Every row of `window` and later: what all servers counted."""
        query = 'SELECT kind, client, "window", count FROM rate_windows WHERE "window" >= :window'
        with self.database.connect() as connection:
            rows = connection.execute(query, {"window": window}).rows
        return {WindowKey(r["kind"], r["client"], int(r["window"])): int(r["count"]) for r in rows}

    def forget(self, before: int) -> None:
        """Delete the rows of windows before `before`."""
        with self.database.begin() as connection:
            connection.execute(
                'DELETE FROM rate_windows WHERE "window" < :before', {"before": before}
            )
