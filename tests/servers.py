"""Real servers for client tests: `opendata serve` on 127.0.0.1, as scripts/run starts it.

Starting a server and waiting for it is `benchmarks.servers`' work, shared with the
benchmarks; this module adds what the tests want of it: the private state beside the store.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from benchmarks import OPENDATA as OPENDATA_PATH
from benchmarks import Server, free_port, serve_opendata
from catalog.state import State, open_state, sqlite_url

OPENDATA = str(OPENDATA_PATH)

__all__ = ["OPENDATA", "Server", "free_port", "serving", "state_database", "state_of"]


def state_of(store: Path) -> Path:
    """The private state folder the test servers of `store` use: a sibling of the store."""
    return store.parent / "state"


@contextmanager
def state_database(store: Path) -> Iterator[State]:
    """The state database (tokens, audit log) of the test servers of `store`, open."""
    state = open_state(sqlite_url(state_of(store)))
    try:
        yield state
    finally:
        state.close()


@contextmanager
def serving(store: Path, *, env: dict[str, str] | None = None) -> Iterator[Server]:
    """Serve `store` until the block ends; fails if the server does not answer /healthz."""
    # Private state (tokens, audit log) beside the store, never in the repository's state/.
    private = {"OPENDATA_STATE": str(state_of(store))}
    with serve_opendata(store, env={**private, **(env or {})}, timeout=60) as server:
        yield server
