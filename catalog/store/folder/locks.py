"""The publish lock of a dataset: one writer at a time, across threads and processes.

`flock` serialises processes on one machine (several servers, the CLI beside a server); on
NFS, Linux emulates it with byte-range locks (NFSv4, or v3 with a lock manager), which hold
across clients as long as the server's lock service does; on storage without locks (object
storage, NFS mounted `nolock`) run one publisher at a time.

The lock is re-entrant within a thread (a CKAN write holds it while `Publisher.build` takes
it again); a second thread or process waits on the flock.
"""

from __future__ import annotations

import contextlib
import fcntl
import threading
from collections.abc import Iterator
from pathlib import Path

# Which lock files this thread holds, and how many times over.
_held = threading.local()


def _counts() -> dict[str, int]:
    counts: dict[str, int] = _held.__dict__.setdefault("locks", {})
    return counts


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
        try:
            yield
        finally:
            del held[key]
