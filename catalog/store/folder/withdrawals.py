"""Withdrawals in the local-folder store: the WITHDRAWN log and what it takes away.

A dataset withdrawal removes `CURRENT` and takes every version with it; publishing again
serves only versions made after. A version withdrawal takes one superseded version away; the
current one cannot be withdrawn alone (publish a corrected version first, or withdraw the
dataset). The versions stay on disk for provenance; the log is written first, so that a
crash never serves what was meant to be gone.
"""

from __future__ import annotations

import abc
from contextlib import AbstractContextManager
from datetime import datetime
from pathlib import Path

from catalog.errors import Conflict, Gone, NotFound
from catalog.store.base import DESCRIPTOR
from catalog.store.descriptors import is_version
from catalog.store.folder.layout import (
    CURRENT,
    WITHDRAWN,
    append_lines,
    fsync,
    instant,
    read_lines,
    stamp,
)
from catalog.store.records import DATASET, VERSION, Withdrawal
from validation import is_slug

# The versions a log takes away, by the log's identity (inode, size, mtime).
_Identity = tuple[int, int, int]


class Withdrawals(abc.ABC):
    """The withdrawal half of `FolderStore`; the rest of the store it needs is declared here."""

    root: Path

    def __init__(self) -> None:
        self._gone: dict[str, tuple[_Identity, frozenset[str]]] = {}

    @abc.abstractmethod
    def current(self, slug: str) -> str | None: ...

    @abc.abstractmethod
    def locked(self, slug: str) -> AbstractContextManager[None]: ...

    @abc.abstractmethod
    def _version_names(self, slug: str) -> list[str]: ...

    @abc.abstractmethod
    def _published_by(self, slug: str, moment: datetime) -> set[str]: ...

    @abc.abstractmethod
    def _next_moment(self, slug: str) -> datetime: ...

    @abc.abstractmethod
    def _bump_generation(self) -> None: ...

    def withdraw(self, slug: str, reason: str = "", version: str | None = None) -> Withdrawal:
        """Stop serving `slug`, or one of its versions, for data: log it, then act."""
        folder = self.root / slug
        if not is_slug(slug) or not folder.is_dir():
            raise NotFound(f"dataset {slug!r} is not in the store")
        if version is not None and not is_version(version):
            raise NotFound(f"dataset {slug!r} has no version of that name")
        with self.locked(slug):
            current = self.current(slug)
            if version is None:
                return self._withdraw_dataset(slug, current, reason)
            return self._withdraw_version(slug, version, current, reason)

    def _withdraw_dataset(self, slug: str, current: str | None, reason: str) -> Withdrawal:
        if current is None:
            raise NotFound(f"dataset {slug!r} has no published version to withdraw")
        folder = self.root / slug
        every = tuple(sorted(self._version_names(slug)))
        withdrawal = Withdrawal(slug, current, stamp(self._next_moment(slug)), reason,
                                DATASET, every)  # fmt: skip
        append_lines(folder / WITHDRAWN, [withdrawal.to_line()])
        (folder / CURRENT).unlink()
        fsync(folder)
        self._bump_generation()
        return withdrawal

    def _withdraw_version(
        self, slug: str, version: str, current: str | None, reason: str
    ) -> Withdrawal:
        if not (self.root / slug / version / DESCRIPTOR).is_file():
            raise NotFound(f"dataset {slug!r} has no version {version!r}")
        if current is None and self.withdrawals(slug):
            raise Gone(f"dataset {slug!r} was withdrawn, with all its versions")
        if version in self.withdrawn_versions(slug):
            raise Gone(f"version {version!r} of dataset {slug!r} was already withdrawn")
        if version == current:
            raise Conflict(
                f"version {version!r} is the current version of {slug!r}: publish a corrected"
                " version first, or withdraw the whole dataset"
            )
        withdrawal = Withdrawal(slug, version, stamp(self._next_moment(slug)), reason,
                                VERSION, (version,))  # fmt: skip
        append_lines(self.root / slug / WITHDRAWN, [withdrawal.to_line()])
        self._bump_generation()
        return withdrawal

    def withdrawals(self, slug: str) -> list[Withdrawal]:
        """Every withdrawal of `slug`, oldest first."""
        lines = read_lines(self.root / slug / WITHDRAWN) if is_slug(slug) else None
        return [Withdrawal.from_line(line) for line in lines or []]

    def withdrawal(self, slug: str) -> Withdrawal | None:
        """The withdrawal that keeps `slug` unserved now, or None when it is served or was
        never withdrawn as a whole."""
        if self.current(slug) is not None:
            return None
        taken = [w for w in self.withdrawals(slug) if w.scope == DATASET]
        return taken[-1] if taken else None

    def withdrawn_versions(self, slug: str) -> frozenset[str]:
        """The versions of `slug` that were withdrawn, alone or with the dataset.

        Asked on every data read, so cached by the log's identity (one `stat` when nothing
        changed); another process's withdrawal changes it and is seen at once.
        """
        try:
            status = (self.root / slug / WITHDRAWN).stat()
        except FileNotFoundError:
            return frozenset()
        identity = (status.st_ino, status.st_size, status.st_mtime_ns)
        cached = self._gone.get(slug)
        if cached is not None and cached[0] == identity:
            return cached[1]
        gone: set[str] = set()
        legacy: list[datetime] = []
        for withdrawal in self.withdrawals(slug):
            gone.add(withdrawal.version)
            if withdrawal.versions is None:
                legacy.append(instant(withdrawal.withdrawn))
            else:
                gone.update(withdrawal.versions)
        if legacy:
            gone |= self._published_by(slug, max(legacy))
        found = frozenset(gone)
        self._gone[slug] = (identity, found)
        return found
