"""The store of published versions.

    <root>/<slug>/<version>/datapackage.json   the published descriptor (written last)
    <root>/<slug>/<version>/<resource>.parquet
    <root>/<slug>/<version>/validation.json
    <root>/<slug>/CURRENT                      the served version, replaced atomically
    <root>/<slug>/WITHDRAWN                    withdrawals, one JSON line each (see `withdraw`)
    <root>/<slug>/.staging-*                   a version being written; never read
    <root>/GENERATION                          changes whenever any CURRENT changes

A version directory appears under its final name only by one `rename` of a complete,
fsynced staging directory, and `CURRENT` changes only by one `os.replace`, so a reader sees
either the old state or the new one, never a half-written version.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from catalog.errors import NotFound, StoreError

CURRENT = "CURRENT"
DESCRIPTOR = "datapackage.json"
REPORT = "validation.json"
STAGING_PREFIX = ".staging-"
WITHDRAWN = "WITHDRAWN"
GENERATION = "GENERATION"


@dataclass(frozen=True)
class VersionInfo:
    slug: str
    version: str
    published: str
    input_sha256: str
    current: bool


@dataclass(frozen=True)
class Withdrawal:
    slug: str
    version: str
    withdrawn: str
    reason: str


class Store:
    """A local folder of immutable dataset versions."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def slugs(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if (p / CURRENT).is_file())

    def current(self, slug: str) -> str | None:
        try:
            version = (self.root / slug / CURRENT).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return version or None

    def version_path(self, slug: str, version: str | None = None) -> Path:
        """The folder of `version`, or of the current one; NotFound when there is none."""
        chosen = version or self.current(slug)
        if chosen is None:
            raise NotFound(f"dataset {slug!r} has no published version")
        path = self.root / slug / chosen
        if chosen.startswith(".") or "/" in chosen or not (path / DESCRIPTOR).is_file():
            raise NotFound(f"dataset {slug!r} has no version {chosen!r}")
        return path

    def descriptor(self, slug: str, version: str | None = None) -> dict[str, Any]:
        path = self.version_path(slug, version) / DESCRIPTOR
        try:
            loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise StoreError(f"{path}: unreadable published descriptor: {exc}") from exc
        return loaded

    def versions(self, slug: str) -> list[VersionInfo]:
        """Every complete version of `slug`, oldest first."""
        folder = self.root / slug
        if not folder.is_dir():
            raise NotFound(f"dataset {slug!r} is not in the store")
        current = self.current(slug)
        found = []
        for path in folder.iterdir():
            if path.name.startswith(".") or not (path / DESCRIPTOR).is_file():
                continue
            build = self.descriptor(slug, path.name).get("build", {})
            found.append(
                VersionInfo(
                    slug=slug,
                    version=path.name,
                    published=str(build.get("published", "")),
                    input_sha256=str(build.get("input_sha256", "")),
                    current=path.name == current,
                )
            )
        return sorted(found, key=lambda info: (info.published, info.version))

    @contextlib.contextmanager
    def writing(self, slug: str) -> Iterator[Path]:
        """Hold the dataset's lock and give a fresh staging folder; drop it unless committed."""
        folder = self.root / slug
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / ".lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            self._drop_stale_staging(folder)
            staging = folder / f"{STAGING_PREFIX}{uuid.uuid4().hex}"
            staging.mkdir()
            try:
                yield staging
            finally:
                shutil.rmtree(staging, ignore_errors=True)

    def commit(self, slug: str, staging: Path, version: str) -> None:
        """Make a complete staging folder the version `version` and serve it."""
        for path in staging.iterdir():
            _fsync(path)
        target = self.root / slug / version
        if target.exists():
            raise StoreError(f"{target}: version already exists; versions are immutable")
        staging.rename(target)
        _fsync(target.parent)
        self.set_current(slug, version)

    def set_current(self, slug: str, version: str) -> None:
        self.version_path(slug, version)  # refuse to point at something incomplete
        folder = self.root / slug
        pointer = folder / f"{STAGING_PREFIX}{CURRENT}-{uuid.uuid4().hex}"
        pointer.write_text(version + "\n", encoding="utf-8")
        _fsync(pointer)
        os.replace(pointer, folder / CURRENT)
        _fsync(folder)
        self._bump_generation()

    def generation(self) -> str:
        """A token that changes whenever any dataset's CURRENT changes ("" for an old store).

        Readers that mirror the served versions (catalogue index, query views, HTTP
        validators) compare it instead of reading every CURRENT: one file read, however many
        datasets there are.
        """
        try:
            return (self.root / GENERATION).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return ""

    def _bump_generation(self) -> None:
        pointer = self.root / f"{STAGING_PREFIX}{GENERATION}-{uuid.uuid4().hex}"
        pointer.write_text(uuid.uuid4().hex + "\n", encoding="utf-8")
        os.replace(pointer, self.root / GENERATION)

    def withdraw(self, slug: str, reason: str = "") -> Withdrawal:
        """Stop serving `slug`: log the withdrawal, then remove `CURRENT`.

        The versions stay for provenance; publishing again serves the dataset again. The log
        is written first, so a harvester reading the change feed never misses a withdrawal.
        """
        folder = self.root / slug
        with self._locked(folder):
            version = self.current(slug)
            if version is None:
                raise NotFound(f"dataset {slug!r} has no published version to withdraw")
            now = datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
            withdrawal = Withdrawal(slug=slug, version=version, withdrawn=now, reason=reason)
            with (folder / WITHDRAWN).open("a", encoding="utf-8") as log:
                log.write(json.dumps(asdict(withdrawal), ensure_ascii=False) + "\n")
                log.flush()
                os.fsync(log.fileno())
            (folder / CURRENT).unlink()
            _fsync(folder)
            self._bump_generation()
        return withdrawal

    def withdrawals(self, slug: str) -> list[Withdrawal]:
        """Every withdrawal of `slug`, oldest first."""
        try:
            lines = (self.root / slug / WITHDRAWN).read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        return [Withdrawal(**json.loads(line)) for line in lines if line.strip()]

    def known_slugs(self) -> list[str]:
        """Every dataset ever served, withdrawn ones included."""
        if not self.root.is_dir():
            return []
        markers = (CURRENT, WITHDRAWN)
        return sorted(
            p.name for p in self.root.iterdir() if any((p / m).is_file() for m in markers)
        )

    @contextlib.contextmanager
    def _locked(self, folder: Path) -> Iterator[None]:
        if not folder.is_dir():
            raise NotFound(f"dataset {folder.name!r} is not in the store")
        with (folder / ".lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield

    @staticmethod
    def _drop_stale_staging(folder: Path) -> None:
        # Only reached with the lock held, so any staging folder is a crashed build's leftover.
        for path in folder.glob(f"{STAGING_PREFIX}*"):
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
