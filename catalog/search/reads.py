"""What a refresh of the catalogue index reads from the store, several reads at once.

Each dataset's mark (its current version, and when it or its withdrawals changed), its
descriptor and what its rows hold. Over an object store each read is a request or two
(20-50 ms on S3): one after the other, the five reads each of a 300-dataset store kept a new
replica from answering for a minute. `read_each` reads several at once (a store's reads are
thread-safe; on a folder store it changes little either way), each holding read on a cursor
of its own of the refresh's small database.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import duckdb

from catalog.errors import ObjectMissing, OpenDataError
from catalog.search.holdings import Holding, read_holding
from catalog.store import Package, Store, read_each

# What a dataset's entry is a function of: its current version, and when it or its
# withdrawals last changed.
Mark = tuple[str | None, datetime]


def read_marks(store: Store, slugs: Sequence[str]) -> dict[str, Mark]:
    """The mark of each of `slugs`, by slug."""

    def mark(slug: str) -> Mark:
        return store.current(slug), store.state_time(slug)

    return dict(zip(slugs, read_each(mark, slugs), strict=True))


def read_packages(store: Store, wanted: Sequence[tuple[str, str]]) -> list[Package | None]:
    """The descriptor of each (slug, version); None for one withdrawn since it was marked."""

    def read(one: tuple[str, str]) -> Package | None:
        try:
            return store.package(*one)
        except OpenDataError:
            return None

    return read_each(read, wanted)


def read_holdings(
    store: Store, wanted: Sequence[tuple[Package, str]], reads: duckdb.DuckDBPyConnection
) -> list[Holding | None]:
    """What each (package, version) holds, read on cursors of `reads` (`read_holding`); None
    for one with a file the store does not hold now (`ObjectMissing`), to be read again."""

    def read(one: tuple[Package, str]) -> Holding | None:
        try:
            return read_holding(store, one[0], one[1], reads)
        except ObjectMissing:
            return None

    return read_each(read, wanted)
