"""The `Store`: everything the catalogue asks of where published versions live.

Callers name datasets, versions and files; only a store turns those into places. The local
folder (`catalog.store.folder.FolderStore`) is the first implementation; an object-storage
store is to be the second, so the interface says which answers are documents and which are
files, and what a file is:

- Documents (the published descriptor, the validation report) are answered parsed:
  `package` (the typed model), `descriptor` (the same as a dict, until every caller takes
  the model) and `report`. Nobody outside a store opens them.
- The files of a version are read in place by the query engine: `place` names where a
  reader opens one (a local path, or `s3://bucket/key`), and `files` opens places (pyarrow
  by byte ranges, a filesystem registered with DuckDB; `catalog.store.files`), so a query of
  an object store copies no file.
- Files streamed whole to a client (downloads, zips, their byte ranges) are answered as
  **local paths** by `local_path`, and `readable_root` is the folder they lie under. A store
  over object storage keeps a local copy of each file it hands out so (versions are
  immutable, so a copy never goes stale) under that root.
- Writing happens in a local staging folder (`writing`) that `commit` makes the version.

Every read that leads to data (`served_version`, `package`, `descriptor`, `report`) answers
`NotFound` for a name that is not there and `Gone` for a withdrawn dataset or version.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from datetime import datetime
from pathlib import Path
from typing import Generic, Protocol, TypeVar

from catalog.store.clock import Clock
from catalog.store.files import Files
from catalog.store.model import Document, Package
from catalog.store.records import Served, VersionInfo, Withdrawal
from validation import ReportDocument

T = TypeVar("T")
R = TypeVar("R")
K = TypeVar("K")
# How many of a store's reads run at once where many are wanted (an index load, a listing):
# over S3 each is a request of 20-50 ms, and boto3's client is thread-safe.
READERS = 16
# How long a failed look at the store's generation stands for the next ones (`OneAtATime`).
FAILURE_HOLD_SECONDS = 1.0


def read_each(read: Callable[[T], R], items: Sequence[T]) -> list[R]:
    """`read(item)` of every item, in order, up to `READERS` at once; the first error is
    raised."""
    if len(items) < 2:
        return [read(item) for item in items]
    with ThreadPoolExecutor(min(READERS, len(items)), thread_name_prefix="store-read") as pool:
        return list(pool.map(read, items))


class OneAtATime:
    """Calls made one at a time, where a caller that waited for a call that failed fails with
    it instead of making the same call again.

    For the looks at the store that many requests make at once when a refresh is due (the
    generation, the catalogue index, a memo of pointers): with the store hung, each waiting
    request used to try it again in turn for its full time limit, so the last of 100 waited
    out the whole outage (issue 17's attack). Now a request waits for at most the call under
    way when it came and, if that one succeeded, its own. A call that succeeds answers no
    one but its caller: each waiter makes its own call, which finds what that one read (and a
    writer in this process that asked to look again does look again).

    `hold_seconds`: a failure is also the answer of those who come that long after it, so
    that requests let through one by one (a client's admission slots) do not each wait on
    the hung store in turn; once it answers again, that long of 503s at most."""

    def __init__(self, hold_seconds: float = 0.0) -> None:
        self.hold_seconds = hold_seconds
        self._lock = threading.Lock()
        self._ended = 0  # calls ended, changed under `_lock`
        # The last failure: the count of the call that ended with it, it, and when.
        self._failed: tuple[int, Exception, float] | None = None

    def __call__(self, call: Callable[[], R]) -> R:
        arrived = self._ended  # read whole: an int, under the GIL
        with self._lock:
            failed = self._failed
            if failed is not None and (
                failed[0] > arrived or time.monotonic() - failed[2] < self.hold_seconds
            ):
                raise failed[1]  # the same failure to each who waited, as a Future's result
            try:
                answer = call()
            except Exception as exc:
                self._failed = (self._ended + 1, exc, time.monotonic())
                raise
            finally:
                self._ended += 1
            self._failed = None  # the store answered: nothing kept of the failure
            return answer


class OneAtATimeEach(Generic[K]):
    """`OneAtATime` for each key (a file to copy, a page to make, a pointer to read): the
    calls for one key one at a time, those for others alongside; a key's entry goes once
    no call for it is under way, so the table holds only keys being read."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._each: dict[K, OneAtATime] = {}

    def __call__(self, key: K, call: Callable[[], R]) -> R:
        with self._lock:
            flight = self._each.setdefault(key, OneAtATime())
        try:
            return flight(call)
        finally:
            with self._lock:
                if self._each.get(key) is flight:
                    del self._each[key]


# The names of a version's files, in every store and wherever the files go (a zip of the
# version keeps them): part of the published format. `has_file` and `local_path` take them.
DESCRIPTOR = "datapackage.json"
REPORT = "validation.json"
# The folder of a version's whole-resource downloads, rendered once at publish.
DOWNLOADS = "downloads"


def resource_file(name: str) -> str:
    """The file a published resource's table is written to, inside its version."""
    return f"{name}.parquet"


def download_file(name: str, extension: str) -> str:
    """The whole-resource download of resource `name` as `extension`, inside its version."""
    return f"{DOWNLOADS}/{name}.{extension}"


class Store(Protocol):
    """Published versions of datasets, which one each serves, and how that changed."""

    clock: Clock
    """What versions, HISTORY and withdrawals are stamped with (`catalog.store.clock`)."""

    # -- what is served ------------------------------------------------------------------

    def slugs(self) -> list[str]:
        """The datasets served now, sorted."""
        ...

    def known_slugs(self) -> list[str]:
        """Every dataset ever served, withdrawn ones included, sorted."""
        ...

    def current(self, slug: str) -> str | None:
        """The version `slug` serves; None when it serves none (or is no dataset name)."""
        ...

    def generation(self) -> str:
        """A token that changes whenever any dataset's current version changes ("" if the
        store keeps none): one read tells a mirror whether to look again."""
        ...

    def forget(self) -> None:
        """Read what is served afresh at the next read: after another process wrote it."""
        ...

    def generation_time(self) -> datetime:
        """When the generation last changed (the epoch when there is none)."""
        ...

    def state_time(self, slug: str) -> datetime:
        """When `slug`'s current version or withdrawals last changed (the epoch if never)."""
        ...

    # -- versions and their documents ----------------------------------------------------

    def served_version(self, slug: str, version: str | None = None) -> str:
        """`version`, or the current one, checked to be readable: NotFound or Gone if not."""
        ...

    def versions(self, slug: str) -> list[VersionInfo]:
        """Every complete version of `slug`, oldest first, withdrawn ones flagged."""
        ...

    def version_exists(self, slug: str, version: str) -> bool:
        """Whether anything already holds the name `version` (complete or not)."""
        ...

    def package(self, slug: str, version: str | None = None) -> Package:
        """The published descriptor of `version` (or the current one), as the model."""
        ...

    def descriptor(self, slug: str, version: str | None = None) -> Document:
        """The published descriptor as a dict (a copy: callers may change it)."""
        ...

    def report(self, slug: str, version: str | None = None) -> ReportDocument:
        """The validation report (Frictionless format) of `version` or the current one."""
        ...

    def published_at(self, slug: str, version: str) -> datetime:
        """When `version` was published: its `build.published`, else when it was written."""
        ...

    # -- files of a version --------------------------------------------------------------

    def has_file(self, slug: str, version: str, name: str) -> bool:
        """Whether `version` holds the file `name` (`datapackage.json`, `wages.parquet`)."""
        ...

    def local_path(self, slug: str, version: str, name: str) -> Path:
        """Where the file `name` of `version` can be read locally (see the module notes).

        Only the last segment of `name` counts (the last two for a file of the version's
        `downloads/` folder, `download_file`): a resource's `path` names a file of its own
        version, never a place elsewhere.
        """
        ...

    def readable_root(self) -> Path:
        """The folder every `local_path` lies under."""
        ...

    def place(self, slug: str, version: str, name: str) -> str:
        """Where a reader opens the file `name` of `version` in place, through `files`: a
        local path, or an object's URL (`s3://bucket/key`). Copies nothing; names the file
        as `local_path` does (a place of nothing when the version holds no such file)."""
        ...

    def files(self) -> Files:
        """What opens this store's places: the same object at every call."""
        ...

    # -- history and withdrawals ---------------------------------------------------------

    def history(self, slug: str) -> list[Served]:
        """Every version that became current, in the order it did, with the time."""
        ...

    def withdrawals(self, slug: str) -> list[Withdrawal]:
        """Every withdrawal of `slug`, oldest first."""
        ...

    def withdrawal(self, slug: str) -> Withdrawal | None:
        """The withdrawal that keeps `slug` unserved now, if any."""
        ...

    def withdrawn_versions(self, slug: str) -> frozenset[str]:
        """The versions of `slug` that were withdrawn, alone or with the dataset."""
        ...

    # -- writing -------------------------------------------------------------------------

    def locked(self, slug: str) -> AbstractContextManager[None]:
        """Hold the dataset's publish lock (re-entrant within a thread)."""
        ...

    def holds_lock(self, slug: str) -> bool: ...

    def writing(self, slug: str) -> AbstractContextManager[Path]:
        """Hold the lock and give a fresh local staging folder, dropped unless committed."""
        ...

    def commit(
        self,
        slug: str,
        staging: Path,
        version: str,
        *,
        expected_current: str | None,
        before_switch: Callable[[], None] | None = None,
    ) -> None:
        """Make `staging` the version `version` and serve it, if `expected_current` is
        still current (`Conflict` otherwise)."""
        ...

    def withdraw(self, slug: str, reason: str = "", version: str | None = None) -> Withdrawal:
        """Stop serving `slug`, or one superseded version of it."""
        ...
