"""`FolderStore`: published versions as folders of a local folder (`layout`).

A version folder appears under its final name only by one `rename` of a complete, fsynced
staging folder, and `CURRENT` changes only by one `os.replace`, so a reader sees either the
old state or the new one, never a half-written version.

One publish at a time per dataset, across processes: every change of a dataset (`commit`,
`withdraw`) happens while its `.lock` is held (`locks`), and `commit` is a compare-and-swap
(`expected_current`): a writer that read version V fails with `Conflict` if another writer
made W current meanwhile, instead of replacing a version it never saw.

Withdrawn means gone: a withdrawn dataset serves no data from any version, and a withdrawn
version serves none even when the dataset is served again. `served_version`, through which
every data read goes, answers `Gone` (410) for both; a version that was only superseded
stays readable when named. The withdrawal log, `versions` and `history` stay, so the
dataset's tombstone and the change feed can say what happened (`withdrawals`).
"""

from __future__ import annotations

import contextlib
import json
import shutil
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path, PurePosixPath

from catalog.errors import Gone, NotFound, StoreError
from catalog.store.base import DESCRIPTOR, DOWNLOADS, REPORT
from catalog.store.clock import Clock, utc_now
from catalog.store.descriptors import is_version
from catalog.store.files import Files, LocalFiles
from catalog.store.folder import locks
from catalog.store.folder.layout import (
    CURRENT,
    GENERATION,
    HISTORY,
    LOCK,
    STAGING_PREFIX,
    WITHDRAWN,
    append_lines,
    fsync,
    instant,
    mtime,
    read_lines,
    replace_text,
    stamp,
)
from catalog.store.folder.withdrawals import Withdrawals
from catalog.store.model import Document, Package, encodable, parse_package
from catalog.store.records import Served, VersionInfo, changed_since
from validation import ReportDocument, is_slug

# The published descriptors read are kept by file and the file's identity (inode, size,
# mtime): versions are immutable, and the identity catches a file replaced in place.
_Identity = tuple[int, int, int]
MAX_CACHED_PACKAGES = 4096


class FolderStore(Withdrawals):
    """A local folder of immutable dataset versions: the first `Store`."""

    def __init__(self, root: Path, *, clock: Clock = utc_now) -> None:
        self.root = root
        self.clock = clock
        self._packages: dict[Path, tuple[_Identity, Package]] = {}
        self._files: LocalFiles | None = None
        super().__init__()

    # -- what is served ------------------------------------------------------------------

    def slugs(self) -> list[str]:
        return self._datasets_with(CURRENT)

    def known_slugs(self) -> list[str]:
        return self._datasets_with(CURRENT, WITHDRAWN)

    def forget(self) -> None:
        """Nothing to forget: every read looks at the folder (a package by its file's identity)."""

    def _datasets_with(self, *markers: str) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(
            p.name
            for p in self.root.iterdir()
            if is_slug(p.name) and any((p / m).is_file() for m in markers)
        )

    def current(self, slug: str) -> str | None:
        if not is_slug(slug):
            return None
        try:
            version = (self.root / slug / CURRENT).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return version if is_version(version) else None

    def generation(self) -> str:
        """Readers that mirror the served versions (catalogue index, query views, HTTP
        validators) compare it instead of reading every CURRENT: one file read, however
        many datasets there are."""
        try:
            return (self.root / GENERATION).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return ""

    def generation_time(self) -> datetime:
        return mtime(self.root / GENERATION)

    def state_time(self, slug: str) -> datetime:
        folder = self._folder(slug)
        return max(mtime(folder / CURRENT), mtime(folder / WITHDRAWN))

    def _bump_generation(self) -> None:
        replace_text(self.root / GENERATION, uuid.uuid4().hex + "\n", durable=False)

    # -- versions and their documents ----------------------------------------------------

    def served_version(self, slug: str, version: str | None = None) -> str:
        return self.version_path(slug, version).name

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

    def versions(self, slug: str) -> list[VersionInfo]:
        folder = self.root / slug
        if not is_slug(slug) or not folder.is_dir():
            raise NotFound(f"dataset {slug!r} is not in the store")
        current = self.current(slug)
        withdrawn = self.withdrawn_versions(slug)
        found = []
        for name in self._version_names(slug):
            package = self._read_package(folder / name / DESCRIPTOR)
            found.append(
                VersionInfo(
                    slug=slug,
                    version=name,
                    published=package.published(),
                    input_sha256=package.input_sha256(),
                    current=name == current,
                    withdrawn=name in withdrawn or (current is None and bool(withdrawn)),
                    warnings=package.warnings(),
                )
            )
        if not found and not withdrawn:
            # Only a lock file: a draft being written, nothing published yet.
            raise NotFound(f"dataset {slug!r} has no published version")
        return sorted(found, key=lambda info: (info.published, info.version))

    def version_exists(self, slug: str, version: str) -> bool:
        return is_slug(slug) and (self.root / slug / version).exists()

    def _version_names(self, slug: str) -> list[str]:
        """Every complete version folder of `slug` (CURRENT, HISTORY and the like are files)."""
        folder = self.root / slug
        return [
            p.name for p in folder.iterdir() if is_version(p.name) and (p / DESCRIPTOR).is_file()
        ]

    def package(self, slug: str, version: str | None = None) -> Package:
        return self._read_package(self.version_path(slug, version) / DESCRIPTOR)

    def descriptor(self, slug: str, version: str | None = None) -> Document:
        return self.package(slug, version).as_dict()

    def _read_package(self, path: Path) -> Package:
        try:
            status = path.stat()
            identity = (status.st_ino, status.st_size, status.st_mtime_ns)
            cached = self._packages.get(path)
            if cached is not None and cached[0] == identity:
                return cached[1]
            document = encodable(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, RecursionError) as exc:
            raise StoreError(f"{path}: unreadable published descriptor: {exc}") from exc
        package = parse_package(document, str(path), StoreError)
        if len(self._packages) >= MAX_CACHED_PACKAGES:
            self._packages.clear()  # rarely reached: a store of thousands of versions
        self._packages[path] = (identity, package)
        return package

    def report(self, slug: str, version: str | None = None) -> ReportDocument:
        path = self.version_path(slug, version) / REPORT
        try:
            report: ReportDocument = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise StoreError(f"{path}: unreadable validation report") from exc
        return report

    def published_at(self, slug: str, version: str) -> datetime:
        path = self.version_path(slug, version) / DESCRIPTOR
        return self._read_package(path).published_at() or mtime(path)

    def _published_by(self, slug: str, moment: datetime) -> set[str]:
        found = set()
        for name in self._version_names(slug):
            published = self._read_package(self.root / slug / name / DESCRIPTOR).published()
            if not published or instant(published) <= moment:
                found.add(name)
        return found

    # -- files of a version --------------------------------------------------------------

    def has_file(self, slug: str, version: str, name: str) -> bool:
        return self.local_path(slug, version, name).is_file()

    def local_path(self, slug: str, version: str, name: str) -> Path:
        if not is_slug(slug) or not is_version(version):
            raise NotFound(f"dataset {slug!r} has no version {version!r}")
        return (self.root / slug / version).resolve() / _within_version(name)

    def readable_root(self) -> Path:
        return self.root

    def place(self, slug: str, version: str, name: str) -> str:
        return str(self.local_path(slug, version, name))

    def files(self) -> Files:
        if self._files is None:
            self._files = LocalFiles(str(self.root.resolve()))
        return self._files

    # -- the publish lock and writing ----------------------------------------------------

    def locked(self, slug: str) -> contextlib.AbstractContextManager[None]:
        """Hold the dataset's publish lock: one writer at a time, across threads and processes.

        Re-entrant within a thread, so a caller can hold it around a read-modify-publish
        sequence that publishes through `writing`.
        """
        return locks.hold(self._folder(slug) / LOCK)

    def holds_lock(self, slug: str) -> bool:
        return locks.holds(self.root / slug / LOCK)

    @contextlib.contextmanager
    def writing(self, slug: str) -> Iterator[Path]:
        """Hold the dataset's lock and give a fresh staging folder; drop it unless committed.

        Everything a publish decides (is the source unchanged, what is the version called)
        belongs inside this block, where no other writer can change the dataset.
        """
        with self.locked(slug):
            folder = self.root / slug
            _drop_stale_staging(folder)
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
        for path in staging.rglob("*"):
            fsync(path)
        target = self.root / slug / version
        if target.exists():
            raise StoreError(f"{target}: version already exists; versions are immutable")
        staging.rename(target)
        fsync(target.parent)
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
        replace_text(folder / CURRENT, version + "\n")
        fsync(folder)
        self._bump_generation()

    # -- history -------------------------------------------------------------------------

    def history(self, slug: str) -> list[Served]:
        """Every version that became current, in the order it did, each with the time.

        Read from HISTORY, written under the lock at each switch. A dataset published before
        HISTORY existed has its earlier versions derived from their publish times (each was
        current once, in that order), as the first lines of HISTORY then record.
        """
        lines = read_lines(self.root / slug / HISTORY) if is_slug(slug) else None
        if lines is None:
            return self._derived_history(slug)
        return [Served.from_line(line) for line in lines]

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
            lines = [served.to_line() for served in earlier]
        lines.append(Served(version, stamp(self._after(earlier))).to_line())
        append_lines(path, lines)

    def _next_moment(self, slug: str) -> datetime:
        """Now, but after the last switch in HISTORY, so the feed keeps the real order."""
        return self._after(self.history(slug))

    def _after(self, served: list[Served]) -> datetime:
        # Strictly after the last entry, even if the clock stepped back: the feed's order is
        # the order of the switches.
        moment = self.clock()
        if served:
            moment = max(moment, instant(served[-1].time) + timedelta(microseconds=1))
        return moment

    def _folder(self, slug: str) -> Path:
        if not is_slug(slug):
            raise NotFound("no dataset has that name")
        return self.root / slug


def _within_version(name: str) -> Path:
    """The part of `name` that names a file of a version: its last segment, or the last two
    when they are a file of `downloads/` (nothing can climb out: no segment is `..`)."""
    parts = PurePosixPath(name).parts
    last = parts[-1] if parts else ""
    if len(parts) >= 2 and parts[-2] == DOWNLOADS and last not in ("..", "."):
        return Path(DOWNLOADS, last)
    return Path(Path(name).name)


def _drop_stale_staging(folder: Path) -> None:
    # Only reached with the lock held, so any staging folder is a crashed build's leftover.
    for path in folder.glob(f"{STAGING_PREFIX}*"):
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
