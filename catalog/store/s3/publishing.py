"""Publishing into a bucket: staging on local disk, objects first, then a conditional CURRENT.

`commit` uploads the staged version's files, the descriptor last (a version without one is
incomplete and never read), runs `before_switch`, appends HISTORY and replaces CURRENT by a
conditional write on the ETag it read (If-Match; If-None-Match: * for a first publish). The
server decides which of two racing publishers wins; the loser gets `Conflict` and its
version's objects stay unserved, as a crash between the objects and CURRENT leaves them.

The publish lock (`locked`, `writing`) is a local one, for the threads and processes of one
machine; across machines the conditional write of CURRENT is the guard.
"""

from __future__ import annotations

import abc
import contextlib
import shutil
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

from catalog.errors import Conflict, StoreError
from catalog.store.base import DESCRIPTOR
from catalog.store.descriptors import is_version
from catalog.store.folder import CURRENT, HISTORY, locks
from catalog.store.folder.layout import EPOCH, instant, stamp
from catalog.store.model import Package
from catalog.store.records import Served, changed_since
from catalog.store.s3.journal import Journal
from validation import is_slug

__all__ = ["EPOCH", "Publishing"]


class Publishing(Journal):
    """The writing half of `S3Store`: lock, staging, commit, HISTORY."""

    def __init__(self, locks: Path, staging: Path) -> None:
        # Both local. Staging lies under the readable root, as the folder store's does:
        # rendering a version's downloads queries its staged files.
        self._locks = locks
        self._staging_root = staging

    def _lock_file(self, slug: str) -> Path:
        return self._locks / f"{slug}.lock"

    def locked(self, slug: str) -> contextlib.AbstractContextManager[None]:
        """Hold the dataset's publish lock on this machine (re-entrant within a thread)."""
        if not is_slug(slug):
            raise StoreError(f"{slug!r} is not a dataset name")
        return locks.hold(self._lock_file(slug))

    def holds_lock(self, slug: str) -> bool:
        return locks.holds(self._lock_file(slug))

    @contextlib.contextmanager
    def writing(self, slug: str) -> Iterator[Path]:
        """Hold the lock and give a fresh local staging folder; dropped unless committed."""
        with self.locked(slug):
            # Under the lock, any other staging folder of the dataset is a crashed build's.
            for stale in self._staging_root.glob(f"{slug}.*"):
                shutil.rmtree(stale, ignore_errors=True)
            staging = self._staging_root / f"{slug}.{uuid.uuid4().hex}"
            staging.mkdir(parents=True)
            try:
                yield staging
            finally:
                shutil.rmtree(staging, ignore_errors=True)

    def commit(
        self,
        slug: str,
        staging: Path,
        version: str,
        *,
        expected_current: str | None,
        before_switch: Callable[[], None] | None = None,
    ) -> None:
        """Upload `staging` as the version `version` and serve it, if `expected_current` is
        still current (`Conflict` otherwise, also when another machine wins the race)."""
        if not self.holds_lock(slug):
            raise StoreError(f"commit of {slug!r} without holding its lock")
        if not is_version(version):
            raise StoreError(f"{version!r} is not a version name")
        current = self._read_current(slug)
        if current != expected_current:
            raise changed_since(slug, expected_current, current)
        if self.version_exists(slug, version):
            raise StoreError(f"{slug}/{version}: version already exists; versions are immutable")
        names = _staged(staging)
        for name in names:
            self.objects.upload(self._key(slug, version, *name.split("/")), staging / name)
        if before_switch is not None:
            before_switch()
        self._serve(slug, version, expected_current)
        for name in names:  # the first reader finds the files already copied
            self._adopt(slug, version, staging / name, name)

    def _serve(self, slug: str, version: str, expected: str | None) -> None:
        """Log `version` in HISTORY, then swap CURRENT to it if it is still `expected`."""
        blob = self.objects.read(self._key(slug, CURRENT))
        now = (blob.text().strip() if blob else "") or None  # empty: withdrawn
        if now != expected:
            raise changed_since(slug, expected, now)
        history = self._append_history(slug, version)
        if not self.objects.swap(self._key(slug, CURRENT), f"{version}\n".encode(),
                                 blob.etag if blob else None):  # fmt: skip
            winner = self._read_current(slug)
            if winner == version:
                return  # our own write, answered twice (a retry after a lost reply)
            self._unlog(slug, history)
            raise changed_since(slug, expected, winner)
        self._bump_generation()

    def _append_history(self, slug: str, version: str) -> tuple[str, str] | None:
        """Append the switch to HISTORY; what was written (to take back if CURRENT loses)."""
        lines, read = self._log(slug, HISTORY)
        earlier = [Served.from_line(line) for line in lines] if lines is not None else []
        added = []
        if lines is None:
            # HISTORY begins now: seed it with the versions served before it existed.
            earlier = [s for s in self._derived_history(slug) if s.version != version]
            added = [served.to_line() for served in earlier]
        added.append(Served(version, stamp(self._after(earlier))).to_line())
        written = self._append(slug, HISTORY, added, read)
        return (written.etag, read.text() if read else "") if written else None

    def _unlog(self, slug: str, history: tuple[str, str] | None) -> None:
        """Take back the HISTORY line of a version that lost the race, if nobody wrote
        after it (else it stays: the feed then names a complete version never served, as
        after a crash)."""
        if history is not None:
            etag, before = history
            with contextlib.suppress(Conflict, StoreError):
                self.objects.swap(self._key(slug, HISTORY), before.encode(), etag)

    def _derived_history(self, slug: str) -> list[Served]:
        """The versions of a store written before HISTORY, by publish time."""
        found = []
        for name in self._version_names(slug):
            package = self._package_at(slug, name)
            if package is not None and package.published():
                found.append(Served(name, package.published(), seeded=True))
        return sorted(found, key=lambda served: (served.time, served.version))

    def _published_by(self, slug: str, moment: datetime) -> set[str]:
        found = set()
        for name in self._version_names(slug):
            package = self._package_at(slug, name)
            published = package.published() if package else ""
            if not published or instant(published) <= moment:
                found.add(name)
        return found

    # Declared here, answered by `S3Store`.
    @abc.abstractmethod
    def version_exists(self, slug: str, version: str) -> bool: ...

    @abc.abstractmethod
    def _package_at(self, slug: str, version: str) -> Package | None: ...

    @abc.abstractmethod
    def _adopt(self, slug: str, version: str, staged: Path, name: str) -> None: ...


def _staged(staging: Path) -> list[str]:
    """The staged files, as names inside the version; the descriptor last."""
    names = sorted(p.relative_to(staging).as_posix() for p in staging.rglob("*") if p.is_file())
    return sorted(names, key=lambda name: name == DESCRIPTOR)
