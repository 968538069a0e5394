"""The store of published versions.

    <root>/<slug>/<version>/datapackage.json   the published descriptor (written last)
    <root>/<slug>/<version>/<resource>.parquet
    <root>/<slug>/<version>/validation.json
    <root>/<slug>/CURRENT                      the served version, replaced atomically
    <root>/<slug>/HISTORY                      every version that became current, one JSON line each
    <root>/<slug>/WITHDRAWN                    withdrawals, one JSON line each (see `withdraw`)
    <root>/<slug>/.lock                        the dataset's publish lock (see `locked`)
    <root>/<slug>/.staging-*                   a version being written; never read
    <root>/GENERATION                          changes whenever any CURRENT changes

A version directory appears under its final name only by one `rename` of a complete,
fsynced staging directory, and `CURRENT` changes only by one `os.replace`, so a reader sees
either the old state or the new one, never a half-written version.

One publish at a time per dataset, across processes: every change of a dataset (`commit`,
`withdraw`) happens while its `.lock` is held with `flock`, and `commit` is a compare-and-swap
(`expected_current`): a writer that read version V fails with `Conflict` if another writer
made W current meanwhile, instead of replacing a version it never saw. `flock` serialises
processes on one machine (several servers, the CLI beside a server); on NFS, Linux emulates
it with byte-range locks (NFSv4, or v3 with a lock manager), which hold across clients as long
as the server's lock service does; on storage without locks (object storage, NFS mounted
`nolock`) run one publisher at a time.

Withdrawn means gone: a withdrawn dataset serves no data from any version, and a withdrawn
version serves none even when the dataset is served again. `version_path` and `descriptor`,
through which every data path reads, answer `Gone` (410) for both; a version that was only
superseded stays readable when named. The withdrawal log, `versions` and `history` stay, so
the dataset's tombstone and the change feed can say what happened.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from catalog.errors import Conflict, Gone, NotFound, StoreError
from catalog.store.descriptors import is_slug, is_version

CURRENT = "CURRENT"
DESCRIPTOR = "datapackage.json"
REPORT = "validation.json"
STAGING_PREFIX = ".staging-"
WITHDRAWN = "WITHDRAWN"
HISTORY = "HISTORY"
LOCK = ".lock"
GENERATION = "GENERATION"
DATASET = "dataset"
VERSION = "version"


@dataclass(frozen=True)
class VersionInfo:
    slug: str
    version: str
    published: str
    input_sha256: str
    current: bool
    withdrawn: bool = False


@dataclass(frozen=True)
class Withdrawal:
    """One line of WITHDRAWN: the dataset (`scope` "dataset") or one version ("version").

    `versions` lists every version the withdrawal took away; a line written before it was
    recorded has None, and then covers every version published up to `withdrawn`.
    """

    slug: str
    version: str
    withdrawn: str
    reason: str
    scope: str = DATASET
    versions: tuple[str, ...] | None = None

    @classmethod
    def from_line(cls, line: str) -> Withdrawal:
        loaded = json.loads(line)
        listed = loaded.get("versions")
        loaded["versions"] = tuple(listed) if isinstance(listed, list) else None
        return cls(**loaded)


@dataclass(frozen=True)
class Served:
    """One line of HISTORY: `version` became current at `time`."""

    version: str
    time: str
    seeded: bool = field(default=False, compare=False)


# Which dataset locks this thread holds, by lock file: the lock is re-entrant within a
# thread (a CKAN write holds it while `Publisher.build` takes it again), and a second thread
# or process waits on the flock.
_held = threading.local()


class Store:
    """A local folder of immutable dataset versions."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._gone: dict[str, tuple[tuple[int, int, int], frozenset[str]]] = {}

    def slugs(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(
            p.name for p in self.root.iterdir() if is_slug(p.name) and (p / CURRENT).is_file()
        )

    def current(self, slug: str) -> str | None:
        if not is_slug(slug):
            return None
        try:
            version = (self.root / slug / CURRENT).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return version if is_version(version) else None

    def version_path(self, slug: str, version: str | None = None) -> Path:
        """The folder of `version`, or of the current one, to read data from.

        NotFound when there is none (or the name is not a slug / version name); Gone when the
        dataset or that version was withdrawn.
        """
        if not is_slug(slug):
            raise NotFound("no dataset has that name")
        if version and not is_version(version):
            raise NotFound(f"dataset {slug!r} has no version of that name")
        current = self.current(slug)
        withdrawn = self.withdrawn_versions(slug)
        if current is None and self.withdrawals(slug):
            raise Gone(f"dataset {slug!r} was withdrawn")
        chosen = version or current
        if chosen is None:
            raise NotFound(f"dataset {slug!r} has no published version")
        if chosen in withdrawn:
            raise Gone(f"version {chosen!r} of dataset {slug!r} was withdrawn")
        path = self.root / slug / chosen
        if not (path / DESCRIPTOR).is_file():
            raise NotFound(f"dataset {slug!r} has no version {chosen!r}")
        return path

    def descriptor(self, slug: str, version: str | None = None) -> dict[str, Any]:
        """The published descriptor of `version` (or the current one); Gone when withdrawn."""
        return _read_descriptor(self.version_path(slug, version) / DESCRIPTOR)

    def versions(self, slug: str) -> list[VersionInfo]:
        """Every complete version of `slug`, oldest first, withdrawn ones flagged."""
        folder = self.root / slug
        if not is_slug(slug) or not folder.is_dir():
            raise NotFound(f"dataset {slug!r} is not in the store")
        current = self.current(slug)
        withdrawn = self.withdrawn_versions(slug)
        found = []
        for name in self._version_names(slug):
            build = _read_descriptor(folder / name / DESCRIPTOR).get("build", {})
            found.append(
                VersionInfo(
                    slug=slug,
                    version=name,
                    published=str(build.get("published", "")),
                    input_sha256=str(build.get("input_sha256", "")),
                    current=name == current,
                    withdrawn=name in withdrawn or (current is None and bool(withdrawn)),
                )
            )
        if not found and not withdrawn:
            # Only a lock file: a draft being written, nothing published yet.
            raise NotFound(f"dataset {slug!r} has no published version")
        return sorted(found, key=lambda info: (info.published, info.version))

    # -- the publish lock ----------------------------------------------------------------------

    @contextlib.contextmanager
    def locked(self, slug: str) -> Iterator[None]:
        """Hold the dataset's publish lock: one writer at a time, across threads and processes.

        Re-entrant within a thread, so a caller can hold it around a read-modify-publish
        sequence that publishes through `writing`.
        """
        if not is_slug(slug):
            raise NotFound("no dataset has that name")
        folder = self.root / slug
        key = str((folder / LOCK).absolute())
        held: dict[str, int] = _held.__dict__.setdefault("locks", {})
        if held.get(key):
            held[key] += 1
            try:
                yield
            finally:
                held[key] -= 1
            return
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / LOCK).open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            held[key] = 1
            try:
                yield
            finally:
                del held[key]

    def holds_lock(self, slug: str) -> bool:
        held: dict[str, int] = _held.__dict__.setdefault("locks", {})
        return bool(held.get(str((self.root / slug / LOCK).absolute())))

    @contextlib.contextmanager
    def writing(self, slug: str) -> Iterator[Path]:
        """Hold the dataset's lock and give a fresh staging folder; drop it unless committed.

        Everything a publish decides (is the source unchanged, what is the version called)
        belongs inside this block, where no other writer can change the dataset.
        """
        with self.locked(slug):
            folder = self.root / slug
            self._drop_stale_staging(folder)
            staging = folder / f"{STAGING_PREFIX}{uuid.uuid4().hex}"
            staging.mkdir()
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
        """Make a complete staging folder the version `version` and serve it.

        A compare-and-swap: `expected_current` is the version the writer built on (None: the
        dataset was not served); if another is current now, nothing changes and `Conflict`
        says which. Call it inside `writing`, which holds the lock. `before_switch` runs
        after the version is in place and before it is served, still under the lock (the
        CKAN writes swap the steward's folder there, so whoever sees the new version
        current also finds the folder it was built from).
        """
        if not self.holds_lock(slug):
            raise StoreError(f"commit of {slug!r} without holding its lock")
        if not is_version(version):
            raise StoreError(f"{version!r} is not a version name")
        current = self.current(slug)
        if current != expected_current:
            raise changed_since(slug, expected_current, current)
        for path in staging.iterdir():
            _fsync(path)
        target = self.root / slug / version
        if target.exists():
            raise StoreError(f"{target}: version already exists; versions are immutable")
        staging.rename(target)
        _fsync(target.parent)
        if before_switch is not None:
            before_switch()
        self._serve(slug, version)

    def _serve(self, slug: str, version: str) -> None:
        """Log `version` in HISTORY, then point CURRENT at it (the lock is held)."""
        folder = self.root / slug
        if not (folder / version / DESCRIPTOR).is_file():
            raise StoreError(f"{slug}/{version} is incomplete; it cannot be served")
        # The log first: a crash between the two leaves the feed announcing a complete
        # version that did not become current, never a current version the feed missed.
        self._append_history(slug, version)
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

    # -- history -------------------------------------------------------------------------------

    def history(self, slug: str) -> list[Served]:
        """Every version that became current, in the order it did, each with the time.

        Read from HISTORY, written under the lock at each switch. A dataset published before
        HISTORY existed has its earlier versions derived from their publish times (each was
        current once, in that order), as the first lines of HISTORY then record.
        """
        try:
            lines = (self.root / slug / HISTORY).read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return self._derived_history(slug)
        served = []
        for line in lines:
            if line.strip():
                loaded = json.loads(line)
                served.append(Served(str(loaded["version"]), str(loaded["time"])))
        return served

    def _derived_history(self, slug: str) -> list[Served]:
        try:
            infos = self.versions(slug)
        except NotFound:
            return []
        return [
            Served(info.version, info.published, seeded=True) for info in infos if info.published
        ]

    def _append_history(self, slug: str, version: str) -> None:
        path = self.root / slug / HISTORY
        earlier = self.history(slug)
        lines = []
        if not path.exists():
            # HISTORY begins now: seed it with the versions served before it existed.
            earlier = [served for served in earlier if served.version != version]
            lines = [_history_line(served) for served in earlier]
        moment = datetime.now(UTC)
        if earlier:
            # Strictly after the last entry, even if the clock stepped back: the feed's order
            # is the order of the switches.
            moment = max(moment, _instant(earlier[-1].time) + timedelta(microseconds=1))
        lines.append(_history_line(Served(version, _stamp(moment))))
        with path.open("a", encoding="utf-8") as log:
            log.write("".join(line + "\n" for line in lines))
            log.flush()
            os.fsync(log.fileno())

    # -- withdrawals ---------------------------------------------------------------------------

    def withdraw(self, slug: str, reason: str = "", version: str | None = None) -> Withdrawal:
        """Stop serving `slug`, or one of its versions, for data: log it, then act.

        A dataset withdrawal removes `CURRENT` and takes every version with it; publishing
        again serves only versions made after. A version withdrawal takes one superseded
        version away; the current one cannot be withdrawn alone (publish a corrected version
        first, or withdraw the dataset). The versions stay on disk for provenance; the log is
        written first, so that a crash never serves what was meant to be gone.
        """
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
        withdrawal = Withdrawal(slug, current, _stamp(self._next_moment(slug)), reason,
                                DATASET, every)  # fmt: skip
        self._append_withdrawal(withdrawal)
        (folder / CURRENT).unlink()
        _fsync(folder)
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
        withdrawal = Withdrawal(slug, version, _stamp(self._next_moment(slug)), reason,
                                VERSION, (version,))  # fmt: skip
        self._append_withdrawal(withdrawal)
        self._bump_generation()
        return withdrawal

    def _next_moment(self, slug: str) -> datetime:
        """Now, but after the last switch in HISTORY, so the feed keeps the real order."""
        moment = datetime.now(UTC)
        served = self.history(slug)
        if served:
            moment = max(moment, _instant(served[-1].time) + timedelta(microseconds=1))
        return moment

    def _append_withdrawal(self, withdrawal: Withdrawal) -> None:
        record = {k: v for k, v in asdict(withdrawal).items() if k != "versions"}
        record["versions"] = list(withdrawal.versions or ())
        with (self.root / withdrawal.slug / WITHDRAWN).open("a", encoding="utf-8") as log:
            log.write(json.dumps(record, ensure_ascii=False) + "\n")
            log.flush()
            os.fsync(log.fileno())

    def withdrawals(self, slug: str) -> list[Withdrawal]:
        """Every withdrawal of `slug`, oldest first."""
        if not is_slug(slug):
            return []
        try:
            lines = (self.root / slug / WITHDRAWN).read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        return [Withdrawal.from_line(line) for line in lines if line.strip()]

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
            stat = (self.root / slug / WITHDRAWN).stat()
        except FileNotFoundError:
            return frozenset()
        key = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
        cached = self._gone.get(slug)
        if cached is not None and cached[0] == key:
            return cached[1]
        gone: set[str] = set()
        legacy: list[datetime] = []
        for withdrawal in self.withdrawals(slug):
            gone.add(withdrawal.version)
            if withdrawal.versions is None:
                legacy.append(_instant(withdrawal.withdrawn))
            else:
                gone.update(withdrawal.versions)
        if legacy:
            gone |= self._published_by(slug, max(legacy))
        found = frozenset(gone)
        self._gone[slug] = (key, found)
        return found

    def _version_names(self, slug: str) -> list[str]:
        """Every complete version folder of `slug` (CURRENT, HISTORY and the like are files)."""
        folder = self.root / slug
        return [
            p.name for p in folder.iterdir() if is_version(p.name) and (p / DESCRIPTOR).is_file()
        ]

    def _published_by(self, slug: str, moment: datetime) -> set[str]:
        found = set()
        for name in self._version_names(slug):
            described = _read_descriptor(self.root / slug / name / DESCRIPTOR)
            published = described.get("build", {}).get("published")
            if not published or _instant(str(published)) <= moment:
                found.add(name)
        return found

    def known_slugs(self) -> list[str]:
        """Every dataset ever served, withdrawn ones included."""
        if not self.root.is_dir():
            return []
        markers = (CURRENT, WITHDRAWN)
        return sorted(
            p.name
            for p in self.root.iterdir()
            if is_slug(p.name) and any((p / m).is_file() for m in markers)
        )

    @staticmethod
    def _drop_stale_staging(folder: Path) -> None:
        # Only reached with the lock held, so any staging folder is a crashed build's leftover.
        for path in folder.glob(f"{STAGING_PREFIX}*"):
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


def changed_since(slug: str, seen: str | None, now: str | None) -> Conflict:
    """The error of a write that built on `seen` while `now` became current."""
    read = f"version {seen}" if seen else "it unpublished"
    state = now if now else "withdrawn" if seen else "published by another writer"
    return Conflict(f"dataset {slug} changed since you read {read}; now {state}")


def _read_descriptor(path: Path) -> dict[str, Any]:
    try:
        loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StoreError(f"{path}: unreadable published descriptor: {exc}") from exc
    return loaded


def _history_line(served: Served) -> str:
    record: dict[str, Any] = {"version": served.version, "time": served.time}
    if served.seeded:
        record["seeded"] = True  # derived from the publish time when HISTORY began
    return json.dumps(record)


def _instant(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
