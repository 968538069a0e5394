"""`S3Store`: published versions as objects of a bucket, laid out as the folder store's files.

    <prefix>/<slug>/<version>/datapackage.json   the published descriptor (written last)
    <prefix>/<slug>/<version>/<resource>.parquet, validation.json, downloads/<resource>.<ext>
    <prefix>/<slug>/CURRENT                      the served version
    <prefix>/<slug>/HISTORY, WITHDRAWN           the same JSON lines as the folder store's
    <prefix>/GENERATION                          changes whenever any CURRENT changes

So an analyst reads a bucket as a folder. A version's objects are written first and its
descriptor last, so a version without a descriptor is incomplete and never read; CURRENT is
replaced by a conditional write (`publishing`), so a reader sees the old version or the new
complete one. Documents are read from the bucket (a descriptor once, it never changes);
the query engine reads files in place by byte ranges (`ranges`); files streamed whole to a
client are handed out as local copies (`copies`).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import NamedTuple

from catalog.errors import Gone, NotFound, StoreError
from catalog.store.base import DESCRIPTOR, DOWNLOADS, REPORT, read_each
from catalog.store.clock import Clock, utc_now
from catalog.store.descriptors import is_version
from catalog.store.files import Files
from catalog.store.folder import CURRENT, GENERATION, WITHDRAWN
from catalog.store.model import Document, Package, encodable, parse_package
from catalog.store.records import VersionInfo, Withdrawal
from catalog.store.s3.copies import LocalCopies
from catalog.store.s3.location import S3Location, S3Options
from catalog.store.s3.objects import Listed, Objects
from catalog.store.s3.pointers import Pointers
from catalog.store.s3.publishing import EPOCH, Publishing
from catalog.store.s3.ranges import RangeFiles
from validation import ReportDocument, is_slug

MAX_CACHED_PACKAGES = 4096
EMPTY = Listed(EPOCH, 0)


class Folder(NamedTuple):
    """A dataset folder as one listing of it says: the pointers it holds (CURRENT,
    WITHDRAWN), and the files of each complete version (its descriptor is written last, and
    nothing after it)."""

    markers: dict[str, Listed]
    files: dict[str, frozenset[str]]


STAGING = ".staging"  # under the copies; eviction skips names that start with a dot


class S3Store(Publishing):
    """A bucket (and prefix) of immutable dataset versions: the second `Store`."""

    def __init__(
        self, location: S3Location, options: S3Options | None = None, *, clock: Clock = utc_now
    ) -> None:
        options = options or S3Options.from_env()
        self.location = location
        self.clock = clock
        self.objects = Objects(location, options)
        root = options.cache_root(location)
        root.mkdir(parents=True, exist_ok=True)
        self.copies = LocalCopies(root.resolve(), self.objects, options.cache_mb << 20)
        self._packages: dict[str, Package] = {}
        self.pointers = Pointers(self._read_generation, options.refresh_seconds)
        self._files = RangeFiles.of(location, options)
        super().__init__(root.with_name(f"{root.name}-locks"), self.copies.root / STAGING)

    def __repr__(self) -> str:
        return f"S3Store({self.location})"

    # -- what is served ------------------------------------------------------------------

    def slugs(self) -> list[str]:
        return self.pointers.remembered("slugs", self._served_slugs)

    def known_slugs(self) -> list[str]:
        return [slug for slug, folder in self._markers().items() if folder.markers]

    def current(self, slug: str) -> str | None:
        if self._unknown(slug):
            return None
        return self.pointers.remembered(("current", slug), lambda: self._read_current(slug))

    def withdrawals(self, slug: str) -> list[Withdrawal]:
        if self._unknown(slug):
            return []
        read = super().withdrawals
        return self.pointers.remembered(
            ("withdrawals", slug), lambda: read(slug) if self._logged(slug) else []
        )

    def _logged(self, slug: str) -> bool:
        """Whether `slug` may have a WITHDRAWN to read: where the listing is remembered, only
        if it holds one (most datasets never had one; reading each was a request)."""
        if self.pointers.refresh_seconds <= 0:
            return True
        folder = self._markers().get(slug)
        return folder is not None and WITHDRAWN in folder.markers

    def _unknown(self, slug: str) -> bool:
        """A name that this generation's listing does not hold (no CURRENT, no WITHDRAWN): a
        serving replica answers it 404 without asking the bucket, however many a client
        invents. Only where the listing is remembered (`refresh_seconds` > 0): with nothing
        remembered (the command line) a listing would cost more than the two reads."""
        if self.pointers.refresh_seconds <= 0:
            return False
        known = self.pointers.remembered("known-set", lambda: frozenset(self.known_slugs()))
        return slug not in known

    def _written(self) -> None:
        self.pointers.forget()

    def forget(self) -> None:
        self._written()

    def _served_slugs(self) -> list[str]:
        # A withdrawn dataset keeps an empty CURRENT (emptied by a conditional write): its
        # listed size says so unread. The others are read as `current` reads them, several
        # at once: the served versions a server reads next are remembered.
        found = [s for s, f in self._markers().items() if f.markers.get(CURRENT, EMPTY).size]
        versions = read_each(self.current, found)
        return [slug for slug, version in zip(found, versions, strict=True) if version]

    def _markers(self) -> dict[str, Folder]:
        """Each dataset folder, sorted, as listed: one listing of the prefix and one of each
        folder (several at once), shared by `slugs`, `known_slugs`, `state_time` and
        `has_file`."""
        return self.pointers.remembered("markers", self._list_markers)

    def _list_markers(self) -> dict[str, Folder]:
        folders, _files = self.objects.listing(self.location.prefix)
        slugs = sorted(filter(is_slug, folders))
        return dict(zip(slugs, read_each(self._folder, slugs), strict=True))

    def _folder(self, slug: str) -> Folder:
        # Every key below the folder: one request up to 1,000 keys, as the shallow listing.
        _none, listed = self.objects.listed(self._key(slug), deep=True)
        files: dict[str, set[str]] = {}
        for path in listed:
            version, _, name = path.partition("/")
            if name:
                files.setdefault(version, set()).add(name)
        return Folder(
            {name: listed[name] for name in (CURRENT, WITHDRAWN) if name in listed},
            {version: frozenset(names) for version, names in files.items() if DESCRIPTOR in names},
        )

    def generation(self) -> str:
        # Read by the catalogue index on a clock of its own: the memo must not lag behind it.
        generation = self._read_generation()
        self.pointers.saw(generation)
        return generation

    def _read_generation(self) -> str:
        blob = self.objects.read(self.location.key(GENERATION))
        return blob.text().strip() if blob else ""

    def generation_time(self) -> datetime:
        return self.objects.modified(self.location.key(GENERATION)) or EPOCH

    def state_time(self, slug: str) -> datetime:
        """The later time of CURRENT and WITHDRAWN as listed: from the remembered listing of
        every folder when there is one (a HEAD of each was two requests a dataset at every
        catalogue refresh), else from a listing of this folder."""
        self._check_slug(slug)
        if self.pointers.refresh_seconds > 0:
            folder = self._markers().get(slug)
        else:
            folder = self._folder(slug)
        held = folder.markers.values() if folder else ()
        return max((listed.modified for listed in held), default=EPOCH)

    # -- versions and their documents ----------------------------------------------------

    def served_version(self, slug: str, version: str | None = None) -> str:
        """`version` or the current one, checked readable (as `FolderStore.version_path`)."""
        self._check_slug(slug)
        if version and not is_version(version):
            raise NotFound(f"dataset {slug!r} has no version of that name")
        current = self.current(slug)
        withdrawals = self.withdrawals(slug)
        if current is None and withdrawals:
            raise Gone(f"dataset {slug!r} was withdrawn")
        chosen = version or current
        if chosen is None:
            raise NotFound(f"dataset {slug!r} has no published version")
        if chosen in self._taken_by(slug, withdrawals):
            raise Gone(f"version {chosen!r} of dataset {slug!r} was withdrawn")
        if self._package_at(slug, chosen) is None:
            raise NotFound(f"dataset {slug!r} has no version {chosen!r}")
        return chosen

    def versions(self, slug: str) -> list[VersionInfo]:
        folders, files = self.objects.listing(self._key(slug)) if is_slug(slug) else ([], [])
        if not folders and not files:
            raise NotFound(f"dataset {slug!r} is not in the store")
        current = self.current(slug)
        withdrawn = self.withdrawn_versions(slug)
        found = []
        for name in self._complete(slug, folders):
            package = self._package_at(slug, name)
            assert package is not None  # `_complete` read it
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
            raise NotFound(f"dataset {slug!r} has no published version")
        return sorted(found, key=lambda info: (info.published, info.version))

    def version_exists(self, slug: str, version: str) -> bool:
        if not is_slug(slug):
            return False
        folders, files = self.objects.listing(self._key(slug, version))
        return bool(folders or files)

    def _version_names(self, slug: str) -> list[str]:
        folders, _files = self.objects.listing(self._key(slug))
        return self._complete(slug, folders)

    def _complete(self, slug: str, folders: list[str]) -> list[str]:
        """The folders that are complete versions: their descriptor was written (last)."""
        return [n for n in folders if is_version(n) and self._package_at(slug, n) is not None]

    def package(self, slug: str, version: str | None = None) -> Package:
        chosen = self.served_version(slug, version)
        package = self._package_at(slug, chosen)
        assert package is not None  # `served_version` read it
        return package

    def descriptor(self, slug: str, version: str | None = None) -> Document:
        return self.package(slug, version).as_dict()

    def _package_at(self, slug: str, version: str) -> Package | None:
        """The descriptor of `version` (read once: it never changes), None if unwritten."""
        key = self._key(slug, version, DESCRIPTOR)
        if key in self._packages:
            return self._packages[key]
        blob = self.objects.read(key)
        if blob is None:
            return None
        try:
            document = encodable(json.loads(blob.data))
        except (ValueError, RecursionError) as exc:
            raise StoreError(f"{slug}/{version}: unreadable published descriptor") from exc
        package = parse_package(document, f"{slug}/{version}/{DESCRIPTOR}", StoreError)
        if len(self._packages) >= MAX_CACHED_PACKAGES:
            self._packages.clear()  # rarely reached: a store of thousands of versions
        self._packages[key] = package
        return package

    def report(self, slug: str, version: str | None = None) -> ReportDocument:
        chosen = self.served_version(slug, version)
        try:
            path = self.local_path(slug, chosen, REPORT)
            report: ReportDocument = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise StoreError(f"{slug}/{chosen}: unreadable validation report") from exc
        return report

    def published_at(self, slug: str, version: str) -> datetime:
        package = self.package(slug, version)
        found = package.published_at()
        if found is not None:
            return found
        return self.objects.modified(self._key(slug, version, DESCRIPTOR)) or EPOCH

    # -- files of a version --------------------------------------------------------------

    def has_file(self, slug: str, version: str, name: str) -> bool:
        target = self._copy_of(slug, version, name)
        if target.is_file():
            return True
        folder = self._markers().get(slug) if self.pointers.refresh_seconds > 0 else None
        if folder is not None and version in folder.files:  # listed complete: it never changes
            return _within_version(name).as_posix() in folder.files[version]
        key = self._key(slug, version, *_within_version(name).parts)
        return self.objects.modified(key) is not None

    def local_path(self, slug: str, version: str, name: str) -> Path:
        """A local copy of the file, made on first use; a path to nothing when the version
        holds no such file (as the folder store answers)."""
        target = self._copy_of(slug, version, name)
        key = self._key(slug, version, *_within_version(name).parts)
        return self.copies.fetch(key, target, self._served_versions)

    def readable_root(self) -> Path:
        return self.copies.root

    def place(self, slug: str, version: str, name: str) -> str:
        """The object's URL: read in place by byte ranges (`ranges`), never copied."""
        self._copy_of(slug, version, name)  # the same names refused
        key = self._key(slug, version, *_within_version(name).parts)
        return f"s3://{self.location.bucket}/{key}"

    def files(self) -> Files:
        return self._files

    def _copy_of(self, slug: str, version: str, name: str) -> Path:
        if not is_slug(slug) or not is_version(version):
            raise NotFound(f"dataset {slug!r} has no version {version!r}")
        return self.copies.root / slug / version / _within_version(name)

    def _adopt(self, slug: str, version: str, staged: Path, name: str) -> None:
        self.copies.adopt(staged, self.copies.root / slug / version / name)

    def _served_versions(self) -> list[str]:
        return [v for v in map(self.current, self.slugs()) if v is not None]

    def _check_slug(self, slug: str) -> None:
        if not is_slug(slug):
            raise NotFound("no dataset has that name")


def _within_version(name: str) -> PurePosixPath:
    """The part of `name` that names a file of a version: its last segment, or the last two
    when they are a file of `downloads/` (no segment can climb out)."""
    parts = [part for part in PurePosixPath(name).parts if part not in ("..", ".", "/")]
    last = parts[-1] if parts else "_"
    if len(parts) >= 2 and parts[-2] == DOWNLOADS:
        return PurePosixPath(DOWNLOADS, last)
    return PurePosixPath(last)
