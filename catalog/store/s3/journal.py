"""The small mutable objects of an S3 store: CURRENT, the HISTORY and WITHDRAWN logs.

Each is read whole with its ETag and replaced whole by a conditional write on that ETag
(`Objects.swap`), so a line two writers append at once is never lost: the second write fails
and says so. Withdrawals follow the folder store's rules (`catalog.store.folder`): the log is
written first, then CURRENT goes; a withdrawn dataset serves no version, a withdrawn version
is never served again. An empty CURRENT is one that serves nothing (a withdrawn dataset's).
"""

from __future__ import annotations

import abc
import uuid
from contextlib import AbstractContextManager
from datetime import datetime, timedelta

from catalog.errors import Conflict, Gone, NotFound
from catalog.store.clock import Clock
from catalog.store.descriptors import is_version
from catalog.store.folder import CURRENT, GENERATION, HISTORY, WITHDRAWN
from catalog.store.folder.layout import instant, stamp
from catalog.store.records import DATASET, VERSION, Served, Withdrawal
from catalog.store.s3.location import S3Location
from catalog.store.s3.objects import Blob, Objects
from validation import is_slug

# Tries at withdrawing a dataset that other machines keep publishing to.
WITHDRAW_ROUNDS = 5


class Journal(abc.ABC):
    """CURRENT, HISTORY, WITHDRAWN and GENERATION; the rest of the store is declared here."""

    location: S3Location
    objects: Objects
    clock: Clock

    @abc.abstractmethod
    def locked(self, slug: str) -> AbstractContextManager[None]: ...

    @abc.abstractmethod
    def _version_names(self, slug: str) -> list[str]: ...

    def _key(self, slug: str, *parts: str) -> str:
        return self.location.key(slug, *parts)

    def current(self, slug: str) -> str | None:
        return self._read_current(slug)

    def _read_current(self, slug: str) -> str | None:
        """What CURRENT says now (writers decide on this, never on a remembered answer)."""
        if not is_slug(slug):
            return None
        blob = self.objects.read(self._key(slug, CURRENT))
        version = blob.text().strip() if blob else ""
        return version if is_version(version) else None

    def _bump_generation(self) -> None:
        self.objects.write(self.location.key(GENERATION), uuid.uuid4().hex.encode() + b"\n")
        self._written()

    @abc.abstractmethod
    def _written(self) -> None:
        """After a change of what is served: a store that remembers reads forgets them."""

    # -- logs ----------------------------------------------------------------------------

    def _log(self, slug: str, name: str) -> tuple[list[str] | None, Blob | None]:
        """The lines of a log, None when it does not exist, and the object read."""
        blob = self.objects.read(self._key(slug, name))
        if blob is None:
            return None, None
        return [line for line in blob.text().splitlines() if line.strip()], blob

    def _append(self, slug: str, name: str, lines: list[str], read: Blob | None) -> Blob | None:
        """Append `lines` to the log as it was `read`; `Conflict` if it changed since."""
        text = (read.text() if read else "") + "".join(line + "\n" for line in lines)
        if not self.objects.swap(self._key(slug, name), text.encode(), read.etag if read else None):
            raise Conflict(f"dataset {slug} changed while it was being written; try again")
        return self.objects.read(self._key(slug, name))

    # -- history -------------------------------------------------------------------------

    def history(self, slug: str) -> list[Served]:
        """Every version that became current, in order (seeded from publish times for a
        dataset whose versions came before HISTORY, as in the folder store)."""
        lines, _blob = self._log(slug, HISTORY) if is_slug(slug) else (None, None)
        if lines is None:
            return self._derived_history(slug)
        return [Served.from_line(line) for line in lines]

    @abc.abstractmethod
    def _derived_history(self, slug: str) -> list[Served]: ...

    def _next_moment(self, slug: str) -> datetime:
        return self._after(self.history(slug))

    def _after(self, served: list[Served]) -> datetime:
        # Strictly after the last switch, even if the clock stepped back.
        moment = self.clock()
        if served:
            moment = max(moment, instant(served[-1].time) + timedelta(microseconds=1))
        return moment

    # -- withdrawals ---------------------------------------------------------------------

    def withdrawals(self, slug: str) -> list[Withdrawal]:
        lines, _blob = self._log(slug, WITHDRAWN) if is_slug(slug) else (None, None)
        return [Withdrawal.from_line(line) for line in lines or []]

    def withdrawal(self, slug: str) -> Withdrawal | None:
        if self.current(slug) is not None:
            return None
        taken = [w for w in self.withdrawals(slug) if w.scope == DATASET]
        return taken[-1] if taken else None

    def withdrawn_versions(self, slug: str) -> frozenset[str]:
        return self._taken_by(slug, self.withdrawals(slug))

    def _taken_by(self, slug: str, withdrawals: list[Withdrawal]) -> frozenset[str]:
        gone: set[str] = set()
        legacy: list[datetime] = []
        for withdrawal in withdrawals:
            gone.add(withdrawal.version)
            if withdrawal.versions is None:
                legacy.append(instant(withdrawal.withdrawn))
            else:
                gone.update(withdrawal.versions)
        if legacy:
            gone |= self._published_by(slug, max(legacy))
        return frozenset(gone)

    @abc.abstractmethod
    def _published_by(self, slug: str, moment: datetime) -> set[str]: ...

    def withdraw(self, slug: str, reason: str = "", version: str | None = None) -> Withdrawal:
        """Stop serving `slug`, or one superseded version of it: log it, then act."""
        if not is_slug(slug) or self.objects.listing(self._key(slug)) == ([], []):
            raise NotFound(f"dataset {slug!r} is not in the store")
        if version is not None and not is_version(version):
            raise NotFound(f"dataset {slug!r} has no version of that name")
        with self.locked(slug):
            if version is None:
                return self._withdraw_dataset(slug, reason)
            return self._withdraw_version(slug, version, self._read_current(slug), reason)

    def _withdraw_dataset(self, slug: str, reason: str) -> Withdrawal:
        # CURRENT is emptied by a write conditional on the CURRENT read, as publishing
        # replaces it: a version another machine made current meanwhile is then withdrawn
        # too (the next round lists it), never left out of the log while CURRENT goes.
        for _round in range(WITHDRAW_ROUNDS):
            blob = self.objects.read(self._key(slug, CURRENT))
            current = self._read_current(slug) if blob else None
            if blob is None or current is None:
                raise NotFound(f"dataset {slug!r} has no published version to withdraw")
            every = tuple(sorted(self._version_names(slug)))
            withdrawal = Withdrawal(slug, current, stamp(self._next_moment(slug)), reason,
                                    DATASET, every)  # fmt: skip
            self._append(slug, WITHDRAWN, [withdrawal.to_line()], self._log(slug, WITHDRAWN)[1])
            if self.objects.swap(self._key(slug, CURRENT), b"", blob.etag):
                self._bump_generation()
                return withdrawal
        raise Conflict(f"dataset {slug} kept changing while it was being withdrawn; try again")

    def _withdraw_version(
        self, slug: str, version: str, current: str | None, reason: str
    ) -> Withdrawal:
        if version not in self._version_names(slug):
            raise NotFound(f"dataset {slug!r} has no version {version!r}")
        lines, read = self._log(slug, WITHDRAWN)
        withdrawals = [Withdrawal.from_line(line) for line in lines or []]
        if current is None and withdrawals:
            raise Gone(f"dataset {slug!r} was withdrawn, with all its versions")
        if version in self._taken_by(slug, withdrawals):
            raise Gone(f"version {version!r} of dataset {slug!r} was already withdrawn")
        if version == current:
            raise Conflict(
                f"version {version!r} is the current version of {slug!r}: publish a corrected"
                " version first, or withdraw the whole dataset"
            )
        withdrawal = Withdrawal(slug, version, stamp(self._next_moment(slug)), reason,
                                VERSION, (version,))  # fmt: skip
        self._append(slug, WITHDRAWN, [withdrawal.to_line()], read)
        self._bump_generation()
        return withdrawal
