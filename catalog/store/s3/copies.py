"""Local copies of the files an object store hands out whole (`Store.local_path`).

The query engine reads the Parquet in place (`ranges`); the downloads, the zips and their
byte ranges stream local files, so each file they ask for is copied once under the store's
cache folder (`<root>/<slug>/<version>/<name>`). Versions are immutable: a copy never goes
stale and is never checked again. A copy is downloaded to a temporary name and renamed, so
a reader sees a whole file or none.

The folder is bounded by size: past the bound the least recently handed-out copies are
removed, but never a copy of a served version (the working set; the bound is the room for
the others) nor one handed out in the last `GRACE` seconds (a caller may not have opened it
yet). Removing a file never disturbs a reader that has it open (POSIX keeps its inode).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from catalog.store.base import OneAtATimeEach
from catalog.store.s3.objects import Objects

GRACE = 600.0


class LocalCopies:
    """The cache folder of one store, and the downloads that fill it."""

    def __init__(self, root: Path, objects: Objects, limit_bytes: int) -> None:
        self.root = root
        self._objects = objects
        self._limit = limit_bytes
        self._lock = threading.Lock()
        self._fetching: OneAtATimeEach[Path] = OneAtATimeEach()
        self._size: int | None = None

    def fetch(self, key: str, target: Path, served: Callable[[], Iterable[str]]) -> Path:
        """`target`, copied from `key` when it is not here yet (left missing when the object
        is); `served` names the versions eviction must keep (asked only when it evicts)."""
        if _touch(target):
            return target
        # One download of a file at a time; the others wait and reuse it, or fail with it (a
        # later caller finds the file, or at worst copies it again).
        self._fetching(target, lambda: self._fetch(key, target, served))
        return target

    def _fetch(self, key: str, target: Path, served: Callable[[], Iterable[str]]) -> None:
        if not _touch(target):
            target.parent.mkdir(parents=True, exist_ok=True)
            if self._objects.download(key, target):
                self._grew(target.stat().st_size, served)

    def adopt(self, source: Path, target: Path) -> None:
        """Keep a file just published as the copy of its object (no download later)."""
        target.parent.mkdir(parents=True, exist_ok=True)
        size = source.stat().st_size
        os.replace(source, target)
        self._grew(size, lambda: ())

    def _grew(self, size: int, served: Callable[[], Iterable[str]]) -> None:
        with self._lock:
            self._size = (self._size if self._size is not None else _total(self.root)) + size
            over = self._size > self._limit
        if over:
            self.evict(frozenset(served()))

    def evict(self, keep_versions: frozenset[str]) -> None:
        """Remove the least recently handed-out copies until the folder fits its bound."""
        with self._lock:
            files = sorted(_files(self.root), key=lambda entry: entry[1])
            total = sum(size for _path, _mtime, size in files)
            old = time.time() - GRACE
            for path, handed_out, size in files:
                if total <= self._limit or handed_out > old:
                    break
                if path.parent.name in keep_versions or path.parent.parent.name in keep_versions:
                    continue
                path.unlink(missing_ok=True)
                total -= size
            self._size = total


def _touch(path: Path) -> bool:
    """Whether `path` is here; if so, mark it handed out now (its mtime orders eviction)."""
    try:
        os.utime(path)
    except FileNotFoundError:
        return False
    return True


def _files(root: Path) -> list[tuple[Path, float, int]]:
    found = []
    for path in root.rglob("*"):
        if any(part.startswith(".") for part in path.relative_to(root).parts):
            continue  # a download in progress, a version being staged
        try:
            status = path.stat()
        except FileNotFoundError:
            continue
        if path.is_file():
            found.append((path, status.st_mtime, status.st_size))
    return found


def _total(root: Path) -> int:
    return sum(size for _path, _mtime, size in _files(root))
