"""Publishing: validate a dataset folder and write it to the store as a new immutable version."""

from __future__ import annotations

import copy
import enum
import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq

from catalog.errors import Conflict, DescriptorError, NotFound, ValidationFailed
from catalog.store.base import DESCRIPTOR, REPORT, Store, resource_file
from catalog.store.clock import Clock
from catalog.store.descriptors import DRAFT_MARKER, DatasetSource, build_order, discover
from catalog.store.downloads import DownloadRenderer, file_sha256, record_downloads
from catalog.store.model import Document, refuse_organization_conflict
from catalog.store.parquet import RowStream, single_key, write_parquet
from catalog.store.records import changed_since

if TYPE_CHECKING:
    from validation import Report, Validation

# Part of every input digest: bump it when the published layout changes, so that sources
# that did not change still get a version in the new layout.
LAYOUT_VERSION = "1"
PARQUET_MEDIATYPE = "application/vnd.apache.parquet"
# Properties that describe how to read a source file; a published Parquet file has none.
SOURCE_READING_KEYS = (
    "encoding",
    "dialect",
    "sheet",
    "header_row",
    "mediatype",
    "hash",
    "bytes",
    "byte_size",
    "layout",  # published as `source_file.layout`: stock Frictionless reads `layout` as a dialect
)

Progress = Callable[[str], None]


@dataclass(frozen=True)
class BuildResult:
    """What a build did: `created` a version, or found `version` already serving its inputs.

    `concurrent` says that another writer (a second `opendata build`, a server's CKAN write)
    published those same inputs while this build waited for the dataset's lock.
    """

    slug: str
    version: str
    created: bool
    rows: dict[str, int] = field(default_factory=dict)
    concurrent: bool = False
    report: Report | None = None  # the validation that allowed it (its warnings, if any)


class _Unset(enum.Enum):
    UNSET = enum.auto()


UNSET = _Unset.UNSET


class Publisher:
    """Validates dataset folders and publishes them; caches work within one run.

    Versions are named and stamped by `clock`: the store's unless another is given.
    """

    def __init__(
        self,
        store: Store,
        datasets_dir: Path,
        *,
        row_group_size: int = 122_880,
        clock: Clock | None = None,
        downloads: DownloadRenderer | None = None,
    ) -> None:
        self.store = store
        self.downloads = downloads
        self.datasets_dir = datasets_dir
        self.row_group_size = row_group_size
        self.clock = clock or store.clock
        self._sources: dict[str, DatasetSource] | None = None
        # Folders whose descriptor does not load: left out of `sources()`, reported by build.
        self.broken: dict[str, DescriptorError] = {}
        self.drafts: list[str] = []  # folders `sources()` left out: drafts (DRAFT_MARKER)
        self._validations: dict[str, Validation] = {}
        self._digests: dict[str, str] = {}
        # What was current before this publisher read any source: a build finding another
        # version current under the lock knows that someone else published meanwhile.
        self._seen: dict[str, str | None] = {slug: store.current(slug) for slug in store.slugs()}

    def validate(self, source: DatasetSource) -> Validation:
        from validation import validate_package  # here: a server imports this, never validates

        if source.slug not in self._validations:
            refuse_organization_conflict(source.package, self.sources().values(), self.store)
            self._validations[source.slug] = validate_package(
                source.descriptor, source.path, references=self.reference_table
            )
        return self._validations[source.slug]

    def reference_table(self, package: str, resource: str) -> pa.Table:
        """A code list another dataset's foreign keys point into: from source, else published."""
        source = self.sources().get(package)
        if source is not None:
            validation = self.validate(source)
            if not validation.report.valid:
                raise KeyError(f"dataset {package!r} is itself invalid")
            return validation.tables[resource]
        try:
            version = self.store.served_version(package)
        except NotFound as exc:
            # Named, not located: a message shows no path of the machine it runs on.
            raise KeyError(f"no dataset {package!r} in the datasets folder or the store") from exc
        if not self.store.has_file(package, version, resource_file(resource)):
            raise KeyError(f"dataset {package!r} has no resource {resource!r}")
        return pq.read_table(self.store.local_path(package, version, resource_file(resource)))

    def sources(self) -> dict[str, DatasetSource]:
        if self._sources is None:
            folder = self.datasets_dir
            found = discover(folder, self.broken, self.drafts) if folder.is_dir() else []
            self._sources = {source.slug: source for source in found}
        return self._sources

    def plan(self, targets: list[DatasetSource]) -> list[DatasetSource]:
        """`targets` and the code lists they reference, each after what it references."""
        wanted: dict[str, DatasetSource] = {}
        pending = list(targets)
        while pending:
            source = pending.pop()
            if source.slug in wanted:
                continue
            wanted[source.slug] = source
            pending.extend(
                self.sources()[name] for name in source.references if name in self.sources()
            )
        return build_order(wanted.values())

    def digest(self, source: DatasetSource) -> str:
        """What the published version is a function of: descriptor, files and code lists used."""
        if source.slug not in self._digests:
            parts: dict[str, Any] = {
                "layout": LAYOUT_VERSION,
                "descriptor": source.descriptor,
                "files": {
                    resource["name"]: file_sha256(source.path / resource["path"])
                    for resource in source.descriptor.get("resources", [])
                },
                "references": {name: self._reference_digest(name) for name in source.references},
            }
            if self.downloads is not None:  # absent, a digest is what it was before downloads
                parts["downloads"] = self.downloads.revision
            canonical = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
            self._digests[source.slug] = hashlib.sha256(canonical.encode()).hexdigest()
        return self._digests[source.slug]

    def _reference_digest(self, package: str) -> str:
        source = self.sources().get(package)
        if source is not None:
            return self.digest(source)
        return self.store.package(package).input_sha256()

    def build(
        self,
        source: DatasetSource,
        progress: Progress | None = None,
        *,
        base: str | _Unset | None = UNSET,
        before_switch: Callable[[], None] | None = None,
        republish: bool = False,
    ) -> BuildResult:
        """Publish `source` as a new current version unless the current one has the same inputs.

        `base` is the version the caller read the source against (None: not served); by
        default, what was current when this publisher was made. Deciding, writing and
        switching happen under the dataset's lock; if another version became current since
        `base`, the build reports it as `concurrent` when that version has these very inputs,
        and raises `Conflict` otherwise, instead of replacing a version it never saw.
        `before_switch` runs under the lock just before the new version is served
        (`Store.commit`). Inputs equal to a withdrawn version's are refused (`Conflict`)
        unless `republish`: a withdrawal is deliberate, and so must be serving it again.
        """
        if (source.path / DRAFT_MARKER).is_file():
            raise Conflict(f"{source.slug} is a draft ({DRAFT_MARKER}): set it active to publish")
        say = progress or (lambda _message: None)
        say(f"{source.slug}: validating")
        validation = self.validate(source)
        if not validation.report.valid:
            raise ValidationFailed(source.slug, validation.report)
        digest = self.digest(source)
        seen = self._seen.get(source.slug) if base is UNSET else base
        with self.store.writing(source.slug) as staging:
            current = self.store.current(source.slug)
            if current is not None and self._inputs_of(source.slug, current) == digest:
                self._seen[source.slug] = current
                return BuildResult(
                    source.slug,
                    current,
                    created=False,
                    concurrent=current != seen,
                    report=validation.report,
                )
            if current != seen:
                raise changed_since(source.slug, seen, current)
            if not republish:
                self._refuse_withdrawn_inputs(source.slug, digest)
            now = self.clock()
            version = self._version_name(source.slug, digest, now)
            say(f"{source.slug}: writing version {version}")
            descriptor = self._write_version(source, validation, staging, version, digest, now)
            self.store.commit(
                source.slug,
                staging,
                version,
                expected_current=current,
                before_switch=before_switch,
            )
            self._seen[source.slug] = version
        rows = {
            resource["name"]: resource["rows"]
            for resource in descriptor["resources"]
            if "embedded_from" not in resource
        }
        return BuildResult(source.slug, version, created=True, rows=rows, report=validation.report)

    def _refuse_withdrawn_inputs(self, slug: str, digest: str) -> None:
        """Conflict when the last version of `slug` built from these very inputs was withdrawn
        (a file taken down, restored, would go back up unnoticed); republished ones build."""
        try:
            versions = self.store.versions(slug)
        except NotFound:
            return  # never published: nothing was withdrawn
        same = [v for v in versions if v.input_sha256 == digest]  # oldest first
        if not same or not same[-1].withdrawn:
            return
        version = same[-1].version
        reasons = [
            w for w in self.store.withdrawals(slug) if w.versions is None or version in w.versions
        ]
        why = f" ({reasons[-1].reason})" if reasons and reasons[-1].reason else ""
        raise Conflict(
            f"these inputs were published as version {version} and withdrawn{why};"
            " change the source, or build with --republish to serve them again"
        )

    def _inputs_of(self, slug: str, version: str) -> str:
        return self.store.package(slug, version).input_sha256()

    def _version_name(self, slug: str, digest: str, now: datetime) -> str:
        """`<UTC time>-<digest>`, finer when that name was taken (the same inputs republished
        within a second after a withdrawal); called with the lock held, so it stays free."""
        for pattern in ("%Y%m%dT%H%M%SZ", "%Y%m%dT%H%M%S%fZ"):
            version = f"{now.strftime(pattern)}-{digest[:10]}"
            if not self.store.version_exists(slug, version):
                return version
        return f"{now:%Y%m%dT%H%M%S%fZ}-{digest[:10]}-{uuid.uuid4().hex[:6]}"

    def _write_version(
        self,
        source: DatasetSource,
        validation: Validation,
        staging: Path,
        version: str,
        digest: str,
        now: datetime,
    ) -> Document:
        descriptor = copy.deepcopy(source.descriptor)
        resources = []
        for resource in descriptor.get("resources", []):
            # Streamed: a resource validated chunk by chunk is never whole in memory.
            rows = RowStream(
                validation.tables.schema(resource["name"]),
                validation.tables.batches(resource["name"]),
            )
            resources.append(self._write_resource(staging, resource, rows, source_path=source.path))
        resources.extend(self._embed_code_lists(staging, resources))
        if self.downloads is not None:
            for resource in resources:
                record_downloads(self.downloads, staging, source.slug, resource, now)
        descriptor["resources"] = resources
        descriptor["version"] = version
        descriptor["created"] = now.isoformat(timespec="seconds").replace("+00:00", "Z")
        descriptor["build"] = {
            "input_sha256": digest,
            # Microseconds order two versions built within one second.
            "published": now.isoformat(timespec="microseconds").replace("+00:00", "Z"),
            "layout": LAYOUT_VERSION,
        }
        if flagged := _flagged_rows(validation.report):
            descriptor["build"]["warnings"] = flagged
        report = validation.report.to_dict()
        (staging / REPORT).write_text(json.dumps(report, ensure_ascii=False, indent=1), "utf-8")
        # Written last: a version folder with a descriptor is a complete version.
        text = json.dumps(descriptor, ensure_ascii=False, indent=2, default=str)
        (staging / DESCRIPTOR).write_text(text + "\n", encoding="utf-8")
        return descriptor

    def _write_resource(
        self,
        staging: Path,
        resource: Document,
        table: pa.Table | RowStream,
        *,
        source_path: Path | None,
        embedded_from: dict[str, str] | None = None,
    ) -> Document:
        name = resource["name"]
        published = {k: v for k, v in resource.items() if k not in SOURCE_READING_KEYS}
        if source_path is not None:
            original = source_path / resource["path"]
            published["source_file"] = {
                "path": resource["path"],
                "format": resource.get("format", original.suffix.lstrip(".")),
                "bytes": original.stat().st_size,
                "hash": "sha256:" + file_sha256(original),
            }
            if resource.get("layout") is not None:
                published["source_file"]["layout"] = resource["layout"]
        if embedded_from is not None:
            published["embedded_from"] = embedded_from
        path = staging / resource_file(name)
        metadata = {
            b"table_schema": json.dumps(resource["schema"], ensure_ascii=False).encode(),
            b"resource": name.encode(),
        }
        key = single_key(resource["schema"])
        rows = write_parquet(path, table, metadata, self.row_group_size, key)
        # The size goes in `byte_size`: stock frictionless cannot count a Parquet source's
        # bytes and would report every file wrong; `hash` and `rows` it checks, so they stay.
        published.update(
            path=path.name,
            format="parquet",
            mediatype=PARQUET_MEDIATYPE,
            byte_size=path.stat().st_size,
            hash="sha256:" + file_sha256(path),
            rows=rows,
        )
        return published

    def _embed_code_lists(self, staging: Path, resources: list[Document]) -> list[Document]:
        """Copy each referenced code list in, so the published package stands on its own."""
        taken = {resource["name"] for resource in resources}
        embedded: dict[tuple[str, str], str] = {}
        added = []
        for resource in resources:
            for key in resource.get("schema", {}).get("foreignKeys", []):
                reference = key["reference"]
                package = reference.pop("package", None)
                if package is None:
                    continue
                origin = (package, reference["resource"])
                if origin not in embedded:
                    name = origin[1] if origin[1] not in taken else f"{package}_{origin[1]}"
                    name = name.replace("-", "_")
                    taken.add(name)
                    embedded[origin] = name
                    added.append(self._embed(staging, package, origin[1], name))
                reference["resource"] = embedded[origin]
        return added

    def _embed(self, staging: Path, package: str, resource: str, name: str) -> Document:
        # Code lists are published before the datasets that use them (see `build_order`), so
        # the copy is the published one and names the version it came from.
        version = self.store.served_version(package)
        published = self.store.descriptor(package, version)
        described = next(r for r in published["resources"] if r["name"] == resource)
        described = {**copy.deepcopy(described), "name": name}
        described["schema"].pop("foreignKeys", None)
        described.pop("source_file", None)
        described.pop("downloads", None)  # files of that version; this one renders its own
        path = self.store.local_path(package, version, str(described["path"]))
        origin = {"package": package, "resource": resource, "version": str(published["version"])}
        return self._write_resource(
            staging, described, pq.read_table(path), source_path=None, embedded_from=origin
        )


def _flagged_rows(report: Report) -> dict[str, dict[str, int | list[str]]]:
    """Per resource with warnings: how many rows its warning checks flagged, and the flags
    (in the order the checks are declared)."""
    found: dict[str, dict[str, int | list[str]]] = {}
    for task in report.tasks:
        by_row = task.flags_by_item()
        if by_row:
            flags = list(dict.fromkeys(flagged.flag for flagged in task.flagged))
            found[task.name] = {"rows": len(by_row), "flags": flags}
    return found
