"""The local-folder store's files, and the few ways it writes them safely.

    <root>/<slug>/<version>/datapackage.json   the published descriptor (written last)
    <root>/<slug>/<version>/<resource>.parquet
    <root>/<slug>/<version>/downloads/<resource>.{csv,json,xlsx}   rendered once at publish
    <root>/<slug>/<version>/validation.json
    <root>/<slug>/CURRENT                      the served version, replaced atomically
    <root>/<slug>/HISTORY                      every version that became current, one JSON line each
    <root>/<slug>/WITHDRAWN                    withdrawals, one JSON line each
    <root>/<slug>/.lock                        the dataset's publish lock
    <root>/<slug>/.staging-*                   a version being written; never read
    <root>/GENERATION                          changes whenever any CURRENT changes

`DESCRIPTOR`, `REPORT` and `resource_file` name a version's files in every store (they are
part of the published format, `catalog.store.base`); everything else here is the folder
store's own business.
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime
from pathlib import Path

CURRENT = "CURRENT"
STAGING_PREFIX = ".staging-"
WITHDRAWN = "WITHDRAWN"
HISTORY = "HISTORY"
LOCK = ".lock"
GENERATION = "GENERATION"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def replace_text(path: Path, text: str, *, durable: bool = True) -> None:
    """Give `path` the content `text` in one step: readers see the old file or the new one."""
    pointer = path.parent / f"{STAGING_PREFIX}{path.name}-{uuid.uuid4().hex}"
    pointer.write_text(text, encoding="utf-8")
    if durable:
        fsync(pointer)
    os.replace(pointer, path)


def append_lines(path: Path, lines: list[str]) -> None:
    """Append whole lines to a log and make them durable before returning."""
    with path.open("a", encoding="utf-8") as log:
        log.write("".join(line + "\n" for line in lines))
        log.flush()
        os.fsync(log.fileno())


def read_lines(path: Path) -> list[str] | None:
    """The non-blank lines of a log; None when there is no log."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    return [line for line in text.splitlines() if line.strip()]


def mtime(path: Path) -> datetime:
    """When `path` last changed; the epoch when it does not exist."""
    try:
        return datetime.fromtimestamp(path.stat().st_mtime, UTC)
    except FileNotFoundError:
        return EPOCH


def fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def instant(value: str) -> datetime:
    """A stamp of HISTORY or WITHDRAWN as an aware time (naive ones are UTC)."""
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def stamp(moment: datetime) -> str:
    """How HISTORY and WITHDRAWN write a time: UTC, microseconds, `Z`."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
