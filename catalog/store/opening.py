"""Which `Store` serves a location: the one place a setting becomes a store."""

from __future__ import annotations

from pathlib import Path

from catalog.store.base import Store
from catalog.store.clock import Clock, utc_now
from catalog.store.folder import FolderStore


def open_store(location: Path, *, clock: Clock = utc_now) -> Store:
    """The store at `location` (`OPENDATA_STORE`): a local folder, for now the only kind.

    An object-storage store (an `s3://` location) is to be chosen here too, so that the
    CLI and `create_app` never name a kind of store.
    """
    return FolderStore(location, clock=clock)
