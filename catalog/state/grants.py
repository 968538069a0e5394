"""Who reads the data of a conditional dataset (有条件开放): decided once per request.

The server wraps each request in `reading_as(Reader(...))`; every reader of published data
(the query engine's rows, aggregates, downloads and SQL views, the DataStore, SDMX data)
asks `require_data` (or `may_read_data`, to leave a dataset out) before it reads a file,
with the level `data_level` decides: a version's data is as restricted as the stricter of
its own descriptor and the dataset's current one, so that making a dataset conditional
closes its older versions too. A dataset that is not conditional is read by anyone. A
conditional one is read only under a token whose scopes grant it (`read-dataset:<slug>` or
`admin`); anything else (no token, one that is unknown, altered, expired, revoked or of
other scopes) gets the same `DataRefused`, and the refusal is recorded in the audit log (by
the token's id, `anonymous` or `invalid`; never the secret). Outside any request (the
command line, the index builders) nobody holds a grant: data of conditional datasets is
never read into what is shared between requests.

The context travels into the worker threads that run routes and stream bodies (anyio copies
it), and the `Reader` itself is shared, so the server learns after the route whether the
answer carried conditional data (`touched`) and must not be cached as public.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Protocol

from catalog.errors import DataRefused
from catalog.state.audit import ANONYMOUS, INVALID
from catalog.state.tokens import ApiToken

CONDITIONAL = "conditional"
READ_ACTION = "read data"


@dataclass
class Reader:
    """The grant of one request: the token presented (checked at most once, when a
    conditional dataset is first asked for) and what to do with a refusal."""

    presented: str = ""
    check: Callable[[str], ApiToken | None] = lambda _: None
    refused: Callable[[str, str, str], None] = lambda _token, _dataset, _detail: None
    touched: bool = False  # a conditional dataset was asked for: the answer is private
    _checked: bool = False
    _token: ApiToken | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def token(self) -> ApiToken | None:
        """The active token presented, checked once (the check notes its last use)."""
        with self._lock:
            if not self._checked:
                self._token = self.check(self.presented) if self.presented else None
                self._checked = True
            return self._token

    def may_read(self, slug: str) -> bool:
        found = self.token()
        return found is not None and found.may_read(slug)

    def who(self) -> str:
        """The audit log's name for the reader: a token id, `anonymous` or `invalid`."""
        found = self.token()
        if found is not None:
            return found.id
        return INVALID if self.presented else ANONYMOUS


_READER: ContextVar[Reader | None] = ContextVar("opendata_reader", default=None)


@contextmanager
def reading_as(reader: Reader | None) -> Iterator[Reader | None]:
    """Run the block (and the threads it starts) as `reader`; None: as nobody."""
    mark = _READER.set(reader)
    try:
        yield reader
    finally:
        _READER.reset(mark)


def current_reader() -> Reader | None:
    return _READER.get()


class Leveled(Protocol):
    """A descriptor, as far as the grant reads it."""

    @property
    def access_level(self) -> str | None: ...


class Published(Protocol):
    """The store, as far as `data_level` reads it (the store, or a cache of its descriptors)."""

    def current(self, slug: str) -> str | None: ...

    def package(self, slug: str, version: str) -> Leveled: ...


def stricter(*levels: str | None) -> str | None:
    """The level of data several descriptors speak for: conditional if any says so."""
    return CONDITIONAL if CONDITIONAL in levels else next(iter(levels), None)


def data_level(published: Published, slug: str, version: str) -> str | None:
    """The access level of the data of `version` of `slug`: the stricter of the version's own
    and the current version's. A version published open stays as closed as the dataset is
    now (the one rule every reader of a version's data asks)."""
    own = published.package(slug, version).access_level
    current = published.current(slug)
    if current is None or current == version:
        return own
    return stricter(own, published.package(slug, current).access_level)


@dataclass(frozen=True)
class _Level:
    access_level: str | None


class Levels:
    """A store as `data_level` reads it, each version's level read once (versions are
    immutable); the current version is asked every time."""

    def __init__(self, published: Published) -> None:
        self.published = published
        self._levels: dict[tuple[str, str], _Level] = {}

    def current(self, slug: str) -> str | None:
        return self.published.current(slug)

    def package(self, slug: str, version: str) -> Leveled:
        key = (slug, version)
        if key not in self._levels:
            self._levels[key] = _Level(self.published.package(slug, version).access_level)
        return self._levels[key]


def may_read_data(slug: str, access_level: str | None) -> bool:
    """Whether this request may read the data of dataset `slug`; no refusal is recorded."""
    if access_level != CONDITIONAL:
        return True
    reader = _READER.get()
    if reader is None:
        return False
    reader.touched = True
    return reader.may_read(slug)


def require_data(slug: str, access_level: str | None) -> None:
    """Return when this request may read the data of `slug`; else record the refusal and
    raise `DataRefused`."""
    if may_read_data(slug, access_level):
        return
    reader = _READER.get()
    if reader is not None:
        reader.refused(reader.who(), slug, _why(reader))
    raise DataRefused(slug)


def _why(reader: Reader) -> str:
    found = reader.token()
    if found is not None:
        return "no grant of it in the token's scopes " + " ".join(map(str, found.scopes))
    return "a token that does not check" if reader.presented else "no token"
