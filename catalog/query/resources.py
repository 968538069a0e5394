"""The published resources the engine reads: each version's Parquet files and the SQL views.

A resource of a version resolves once to its file and Table Schema (versions never change).
The views the SQL sandbox offers are the resources of the current versions, named
`<slug>__<resource>`, every character other than a letter, digit or underscore becoming `_`
(`wages-test` / `wages` → `wages_test__wages`); they follow `CURRENT`, compared through the
store's generation as `Generation` reads it.

`Generation` is the one reader of the store's generation in a server: the catalogue index,
the SQL views, the HTTP validators and the usage counter all ask it, and it asks the store at
most every `refresh_seconds` (an object store is not asked at every request), so every
replica over one store sees a publish within that delay (docs/replicas.md).
"""

from __future__ import annotations

import functools
import hashlib
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from catalog.errors import InvalidQuery, NotFound, ObjectMissing, StoreUnavailable
from catalog.sql import Schema
from catalog.state import CONDITIONAL, data_level, may_read_data, require_data
from catalog.store import FAILURE_HOLD_SECONDS, OneAtATime, Package, Store, resource_file

SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# {view: (dataset, resource, place of its file)}
Views = dict[str, tuple[str, str, str]]


def view_name(slug: str, resource: str) -> str:
    """The SQL view of a resource: `<slug>__<resource>`, non-word characters as `_`."""
    return re.sub(r"[^0-9A-Za-z_]", "_", f"{slug}__{resource}")


def source_sql(*, with_row_number: bool = False) -> str:
    """The SQL reading a resource's file, bound as the first parameter."""
    return "read_parquet(?, file_row_number = true)" if with_row_number else "read_parquet(?)"


@dataclass(frozen=True)
class StoredDownload:
    """A whole-resource download rendered at publish: its file, bytes and sha256. The file
    is found at each use: an object store copies it only when first asked, and may have
    let an unused copy go since (`Store.local_path`)."""

    locate: Callable[[], Path]
    size: int
    sha256: str

    @property
    def path(self) -> Path:
        return present(self.locate())


def present(path: Path) -> Path:
    """`path`, a file of a published version, or `StoreUnavailable` when the store holds no
    such file although the version's descriptor lists it (a store being restored: the
    descriptors back before the files). Asked before a response starts: a stream that
    opened a missing file cut the response with an unhandled error (issue 17)."""
    if not path.is_file():
        raise StoreUnavailable(
            f"the store holds no {path.name} of {path.parent.parent.name}"
            f" {path.parent.name}, which the version lists (a partial restore?)"
        )
    return path


@dataclass(frozen=True)
class ResourceFile:
    """One resource of one published version, resolved to its Parquet file, and to the
    downloads rendered when it was published, by extension (none before they were).

    `place` is where the engine reads the file in place (`Store.place`: a local path, or an
    object's URL read by byte ranges); `path` a local file of it, for the few readers that
    stream the file whole to a client (an object store copies it when first asked).
    """

    dataset: str
    name: str
    version: str
    place: str
    schema: Schema
    rows: int | None
    downloads: Mapping[str, StoredDownload] = field(default_factory=dict)
    # `conditional`: read under a grant only; the stricter of this version's and the
    # current version's (`catalog.state.data_level`), as of the request that resolved it.
    access_level: str | None = None
    locate: Callable[[], Path] | None = None

    @property
    def path(self) -> Path:
        return present(self.locate() if self.locate is not None else Path(self.place))

    def require_grant(self) -> None:
        """Return when this request may read the data; else `DataRefused` (recorded)."""
        require_data(self.dataset, self.access_level)


class Generation:
    """The store's generation and when it changed, read at most every `refresh_seconds`.

    0 reads it at every call (the CLI, which must see its own publishes at once). A write
    made through this process calls `invalidate`, so that its next read looks again.
    """

    def __init__(self, store: Store, refresh_seconds: float = 0.0) -> None:
        self.store = store
        self.refresh_seconds = refresh_seconds
        self.reads = 0  # how often the store was asked: tells a reader of "" to look again
        self._looking = OneAtATime(FAILURE_HOLD_SECONDS)
        self._token = ""
        self._changed = EPOCH
        self._read_at = float("-inf")

    def token(self) -> str:
        """The generation ("" when the store keeps none), at most `refresh_seconds` old."""
        self._look()
        return self._token

    def changed_at(self) -> datetime:
        """When the generation last changed, as of the last read."""
        self._look()
        return self._changed

    def invalidate(self) -> None:
        """Ask the store at the next call (after a write in this process)."""
        self._read_at = float("-inf")

    def _look(self) -> None:
        if time.monotonic() - self._read_at >= self.refresh_seconds:
            # One at a time: many requests arriving at once after the delay ask the store
            # once, and with the store hung they fail together, not each after the other.
            self._looking(self._look_now)

    def _look_now(self) -> None:
        now = time.monotonic()
        if now - self._read_at < self.refresh_seconds:
            return  # looked while this caller waited
        token = self.store.generation()
        if token != self._token or self.reads == 0:
            self._changed = self.store.generation_time()
        self._token = token
        self._read_at = now
        self.reads += 1


class Resources:
    """Resolves (dataset, resource, version) to files, and lists the current views."""

    def __init__(self, store: Store, generation: Generation | None = None) -> None:
        self.store = store
        self.generation = generation or Generation(store)
        self._packages: dict[tuple[str, str], Package] = {}
        self._resources: dict[tuple[str, str, str], ResourceFile] = {}
        self._served: dict[str, str] = {}
        self._generation = ""
        self._views: Views = {}
        self._views_token = ""
        self._listing = OneAtATime()  # of the views, when the served versions change
        self._missing: frozenset[str] = frozenset()  # views whose file the store lacks now
        self._conditional: dict[str, str | None] = {}  # access level of each view's dataset

    def resource(self, slug: str, name: str, version: str | None = None) -> ResourceFile:
        if not SLUG.fullmatch(slug):
            raise NotFound(f"dataset {slug!r} is not in the store")
        # Asked every time: the version may have been withdrawn since it was last read.
        chosen = self.store.served_version(slug, version)
        key = (slug, chosen, name)
        if key not in self._resources:  # versions are immutable: cache forever
            self._resources[key] = self._read_resource(slug, chosen, name)
        found = self._resources[key]
        # Asked every time too: the dataset made conditional since closes its older versions.
        level = data_level(self, slug, chosen)
        if found.access_level == level:
            return found
        return replace(found, access_level=level)

    def _read_resource(self, slug: str, version: str, name: str) -> ResourceFile:
        package = self.package(slug, version)
        for position, found in enumerate(package.resources):
            if found.name == name:
                return ResourceFile(
                    dataset=slug,
                    name=name,
                    version=version,
                    place=self.store.place(slug, version, str(found.path)),
                    schema=Schema.from_table_schema(_written_schema(package, position)),
                    rows=found.rows,
                    downloads={
                        stored.format: StoredDownload(
                            functools.partial(self.store.local_path, slug, version, stored.path),
                            stored.bytes,
                            stored.sha256,
                        )
                        for stored in found.downloads or []
                    },
                    access_level=package.access_level,
                    locate=functools.partial(self.store.local_path, slug, version, str(found.path)),
                )
        raise NotFound(f"dataset {slug!r} version {version!r} has no resource {name!r}")

    def current(self, slug: str) -> str | None:
        return self.store.current(slug)

    def package(self, slug: str, version: str) -> Package:
        """The descriptor of `version`, read once (versions are immutable)."""
        if (slug, version) not in self._packages:
            self._packages[(slug, version)] = self.store.package(slug, version)
        return self._packages[(slug, version)]

    def readable_views(self) -> tuple[Views, str, list[str]]:
        """The views this request may read, a token naming them, and the names of the views
        withheld from it: a conditional dataset's views only under a grant of it, so that the
        sandbox neither has them as views nor may open their files otherwise. The sandbox
        refuses a query whose parse names a withheld view (`refuse_view` then records it)."""
        views, token = self.views()
        kept = {
            name: found
            for name, found in views.items()
            if may_read_data(found[0], self._conditional.get(found[0], CONDITIONAL))
        }
        # A view whose file the store lacks now is withheld too: naming it is a 503.
        withheld = sorted((set(views) - set(kept)) | self._missing)
        if not withheld:
            return views, token, []
        listed = "\n".join([*(f"{k}={v[2]}" for k, v in sorted(kept.items())), *withheld])
        return kept, hashlib.sha256(listed.encode()).hexdigest()[:16], withheld

    def refuse_view(self, name: str) -> None:
        """Refuse (`DataRefused`, recorded) a query that named the withheld view `name`; one
        whose file the store lacks, `ObjectMissing`."""
        if name in self._missing:
            raise ObjectMissing(f"the file of the view {name}")
        found = self.views()[0].get(name)
        if found is not None:
            require_data(found[0], self._conditional.get(found[0], CONDITIONAL))
        # Granted, or gone, since the views were listed (a race): the view was not there.
        raise InvalidQuery(f"no view named {name}; send the query again")

    def views(self) -> tuple[Views, str]:
        """{view: (dataset, resource, file)} of the current versions, and a token naming them.

        Cheap when nothing changed: one look at the generation. A metadata-only resource
        (no file) has no view; a withdrawn dataset has no CURRENT, so no views. A file the
        version lists that the store lacks (`_missing`) is looked for again at each call.
        """
        generation = self.generation.token()
        if generation and generation == self._generation:
            return self._views, self._views_token
        served = {slug: v for slug in self.store.slugs() if (v := self.store.current(slug))}
        return self._listing(lambda: self._list(served, generation))

    def _list(self, served: dict[str, str], generation: str) -> tuple[Views, str]:
        if served != self._served or not self._views_token or self._missing:
            self._views, self._missing = self._views_of(served)
            listed = "\n".join(f"{k}={v[2]}" for k, v in sorted(self._views.items()))
            self._views_token = hashlib.sha256(listed.encode()).hexdigest()[:16]
            self._served = served
        if not self._missing:
            self._generation = generation
        return self._views, self._views_token

    def _views_of(self, served: dict[str, str]) -> tuple[Views, frozenset[str]]:
        views: Views = {}
        missing = set()
        self._conditional = {
            slug: self.package(slug, version).access_level for slug, version in served.items()
        }
        for slug, version in sorted(served.items()):
            for name in self._resource_names(slug, version):
                place = self.resource(slug, name, version).place
                if self.store.files().size(place) is not None:
                    views[view_name(slug, name)] = (slug, name, place)
                elif self.store.has_file(slug, version, resource_file(name)):
                    missing.add(view_name(slug, name))
        return views, frozenset(missing)

    def _resource_names(self, slug: str, version: str) -> list[str]:
        return [resource.name for resource in self.package(slug, version).resources]


def _written_schema(package: Package, position: int) -> Mapping[str, Any]:
    """The Table Schema of the resource at `position` as the descriptor writes it: the
    answers describe fields key for key from it, which the model's defaults would change."""
    resources = package.properties(("resources",)).get("resources")
    written = resources[position] if isinstance(resources, list) else {}
    schema = written.get("schema") if isinstance(written, dict) else None
    return schema if isinstance(schema, dict) else {}
