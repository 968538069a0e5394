"""The publish lock of a dataset: one writer at a time, across threads and processes.

`flock` serialises processes on one machine (several servers, the CLI beside a server); on
NFS, Linux emulates it with byte-range locks (NFSv4, or v3 with a lock manager), which hold
across clients as long as the server's lock service does; on storage without locks (object
storage, NFS mounted `nolock`) run one publisher at a time.

The lock is re-entrant within a thread (a CKAN write holds it while `Publisher.build` takes
it again); a second thread or process waits on the flock. A holder can hand its locks to a
child process it waits for (`held_locks` gives the open files' descriptors to pass down,
`adopt_lock` takes them in the child): a flock belongs to the open file, so the child holds
it as its parent does, and the lock is free again only when both have closed it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from collections.abc import Iterator
from pathlib import Path

# Which lock files this thread holds, and how many times over.
_held = threading.local()


def _counts() -> dict[str, int]:
    counts: dict[str, int] = _held.__dict__.setdefault("locks", {})
    return counts


def _files() -> dict[str, int]:
    files: dict[str, int] = _held.__dict__.setdefault("files", {})
    return files


def held_locks() -> dict[str, int]:
    """The lock files this thread holds, each with the descriptor of its open file."""
    return dict(_files())


def adopt_lock(lock: str, descriptor: int) -> None:
    """Hold, in this thread, the lock of the file `lock` through `descriptor`: an open file of
    it a parent process holds the lock on and passed down. Refused (OSError) unless the
    descriptor is that file and the lock is already held through it (a flock on an open file
    that holds it succeeds at once; one on another open file of the file would wait)."""
    if os.fstat(descriptor).st_ino != Path(lock).stat().st_ino:
        raise OSError(f"descriptor {descriptor} is not the lock file {lock}")
    fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    _counts()[lock] = 1
    _files()[lock] = descriptor


def holds(lock: Path) -> bool:
    """Whether this thread holds the lock of the file `lock`."""
    return bool(_counts().get(str(lock.absolute())))


@contextlib.contextmanager
def hold(lock: Path) -> Iterator[None]:
    """Hold the lock of the file `lock` (made when missing, with its folder)."""
    key = str(lock.absolute())
    held = _counts()
    if held.get(key):
        held[key] += 1
        try:
            yield
        finally:
            held[key] -= 1
        return
    lock.parent.mkdir(parents=True, exist_ok=True)
    with lock.open("a") as opened:
        fcntl.flock(opened, fcntl.LOCK_EX)
        held[key] = 1
        _files()[key] = opened.fileno()
        try:
            yield
        finally:
            del held[key]
            del _files()[key]
