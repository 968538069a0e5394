"""`opendata push`: sync this store's catalogue into another CKAN-compatible site with ckanapi.

A prefecture's instance pushes to the province's. Every served dataset is created or
updated on the target through the ordinary CKAN Action API (`RemoteCKAN(url, apikey=...)`):
`package_create` or `package_patch` for the metadata, then `resource_create` /
`resource_update` with the table uploaded as CSV and its Table Schema in `schema`, so a
target running this platform validates and publishes it as `opendata build` would.

A new dataset is created as a draft, its resources added, then set active: the target
publishes it once, with every resource (a stock CKAN shows it once complete). A changed
dataset is patched and its changed resources replaced, each write a version there.

Idempotent: nothing is sent for a dataset whose metadata and data the target already has.
Data is compared by the published Parquet's hash and row count when the target shows them
(`parquet_hash`, `rows`: a target on this platform), else by the uploaded CSV's sha256,
which is sent as the resource's `hash` (a stock CKAN keeps it). Datasets only the target
holds are left alone: the province holds every prefecture's datasets. A code list copied
into a dataset (`embedded_from`) is not uploaded; its dataset is pushed first and the
foreign key names it again, so the target embeds its own copy.

The target publishes its own versions: `version`, the publication times (`metadata_modified`,
resource `created`/`last_modified`) and the versions named in `embedded_from` are the
target's; everything else of `package_show` (ids included, being uuid5 of the names) is
equal on both sides apart from the URLs.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from catalog.ckan import mapping as ckan
from catalog.query import QueryEngine, delimited_chunks, delimited_line
from catalog.search import catalogue_uuid
from catalog.sql import Cells, select_sql
from catalog.store import Package, Resource, Store

if TYPE_CHECKING:  # ckanapi brings requests (6 MB): imported when a push runs, not by a server
    import ckanapi

USER_AGENT = "hrss-opendata-push/1"
BATCH_ROWS = 65_536
PACKAGE_FIELDS = (
    "name", "title", "notes", "license_id", "maintainer", "maintainer_email", "author",
)  # fmt: skip
RESOURCE_FIELDS = ("name", "name_en", "description")

Report = Callable[[str, str], None]
# A package dict as the target answers or will be sent it: JSON from another site (a stock
# CKAN's keys or this platform's), read with `.get` since any key may be missing.
RemotePackage = dict[str, Any]


@dataclass
class PushResult:
    """What one push did, dataset by dataset: created, updated or unchanged."""

    states: dict[str, str] = field(default_factory=dict)

    @property
    def changed(self) -> list[str]:
        return [slug for slug, state in self.states.items() if state != "unchanged"]


class Pusher:
    """Pushes the served datasets of one store to one CKAN site."""

    def __init__(self, store: Store, engine: QueryEngine, site: ckanapi.RemoteCKAN) -> None:
        self.store = store
        self.engine = engine
        self.site = site

    def plan(self) -> list[str]:
        """The served datasets, each after the datasets whose code lists it embeds."""
        needs = {slug: _embedded_packages(self.store.package(slug)) for slug in self.store.slugs()}
        ordered: list[str] = []

        def visit(slug: str, seen: frozenset[str]) -> None:
            if slug in ordered or slug in seen or slug not in needs:
                return
            for other in sorted(needs[slug]):
                visit(other, seen | {slug})
            ordered.append(slug)

        for slug in sorted(needs):
            visit(slug, frozenset())
        return ordered

    def push(self, slugs: list[str], report: Report | None = None) -> PushResult:
        say = report or (lambda _slug, _state: None)
        result = PushResult()
        for slug in slugs:
            state = self.push_one(slug)
            result.states[slug] = state
            say(slug, state)
        return result

    def push_one(self, slug: str) -> str:
        """Create or update one dataset on the target; 'created', 'updated' or 'unchanged'."""
        descriptor = self.store.package(slug)
        wanted = package_fields(descriptor)
        remote = self._remote(slug)
        state = "unchanged"
        if remote is None:
            # A draft while its resources arrive, then active: the target publishes the
            # dataset once, with all of them (CKAN's own draft → active sequence).
            remote = self.site.action.package_create(**wanted, state="draft")
            state = "created"
        elif not _same_package(wanted, remote):
            remote = self.site.action.package_patch(id=slug, **wanted)
            state = "updated"
        for resource in descriptor.resources:
            if resource.embedded_from is not None:
                continue
            if self._push_resource(descriptor, resource, remote) and state == "unchanged":
                state = "updated"
        if state == "created":
            self.site.action.package_patch(id=slug, state="active")
        return state

    def _remote(self, slug: str) -> RemotePackage | None:
        import ckanapi  # here: only a push talks to another site

        try:
            found: RemotePackage = self.site.action.package_show(id=slug)
        except ckanapi.NotFound:
            return None
        return found

    def _push_resource(
        self, descriptor: Package, resource: Resource, remote: RemotePackage
    ) -> bool:
        """Send one resource if the target lacks it or holds other data; True if sent."""
        slug, name = descriptor.name, resource.name
        ident = catalogue_uuid("resource", f"{slug}/{name}")
        there = next(
            (
                r
                for r in remote.get("resources", [])
                if r.get("id") == ident or r.get("table") == name
            ),
            None,
        )
        local = ckan.resource_dict(descriptor, resource, 0, "")
        shown = {
            "name": local["name"],
            "name_en": local["name_en"],
            "description": local["description"],
        }
        fields = {key: shown[key] for key in RESOURCE_FIELDS if shown[key]}
        fields.update(table=name, format="CSV", schema=pushed_schema(descriptor, resource))
        if there is not None and _same_data(resource, there) is True:
            if all(there.get(k) == v for k, v in fields.items() if k in RESOURCE_FIELDS):
                return False
            self.site.action.resource_patch(id=there["id"], **fields)
            return True
        with tempfile.TemporaryDirectory(prefix="opendata-push-") as folder:
            path = Path(folder) / f"{name}.csv"
            digest = self._write_csv(slug, name, path)
            if there is not None and _same_data(resource, there, digest):
                return False
            with path.open("rb") as upload:
                if there is None:
                    self.site.action.resource_create(
                        package_id=slug, hash=digest, upload=(path.name, upload), **fields
                    )
                else:
                    self.site.action.resource_update(
                        id=there["id"], hash=digest, upload=(path.name, upload), **fields
                    )
        return True

    def _write_csv(self, slug: str, name: str, path: Path) -> str:
        """The resource as UTF-8 CSV, values exactly as published; its sha256."""
        found = self.engine.resource(slug, name)
        columns = list(found.schema.columns.values())
        select = select_sql(columns, Cells.DELIMITED)
        batches = self.engine.stream(
            f"SELECT {select} FROM read_parquet(?)", [str(found.path)], BATCH_ROWS
        )
        header = delimited_line([c.name for c in columns], ",").encode()
        digest = hashlib.sha256()
        with path.open("wb") as target:
            for chunk in delimited_chunks(batches, header):
                target.write(chunk)
                digest.update(chunk)
        return digest.hexdigest()


def package_fields(descriptor: Package) -> RemotePackage:
    """The package dict fields a target needs to hold this dataset (no resources, no URLs)."""
    package = ckan.package_dict(descriptor, "")
    listed = {
        "name": package["name"],
        "title": package["title"],
        "notes": package["notes"],
        "license_id": package["license_id"],
        "maintainer": package["maintainer"],
        "maintainer_email": package["maintainer_email"],
        "author": package["author"],
    }
    wanted: RemotePackage = {key: listed[key] for key in PACKAGE_FIELDS if listed[key] is not None}
    organization = package["organization"]
    if organization:
        wanted["owner_org"] = organization["name"]
        # A target on this platform learns a new organization's title from this; CKAN ignores it.
        wanted["organization"] = {
            "name": organization["name"],
            "title": organization["title"],
            "description": organization["description"],
        }
    wanted["tags"] = [{"name": tag["name"]} for tag in package["tags"]]
    wanted["groups"] = [{"name": group["name"]} for group in package["groups"]]
    wanted["extras"] = _written(package["extras"])
    return wanted


def pushed_schema(descriptor: Package, resource: Resource) -> str:
    """The resource's Table Schema as JSON text, foreign keys naming the code lists' own
    datasets. Sent as the steward wrote it (key order too), so read from the document."""
    position = descriptor.resources.index(resource)
    schema = descriptor.as_dict()["resources"][position].get("schema") or {}
    embedded = {r.name: r.embedded_from for r in descriptor.resources if r.embedded_from}
    for key in schema.get("foreignKeys", []):
        reference = key.get("reference", {})
        origin = embedded.get(str(reference.get("resource")))
        if origin is not None and "package" not in reference:
            key["reference"] = {
                "package": origin.package,
                "resource": origin.resource,
                "fields": reference.get("fields"),
            }
    return json.dumps(schema)


def _embedded_packages(descriptor: Package) -> set[str]:
    return {r.embedded_from.package for r in descriptor.resources if r.embedded_from}


def _same_package(wanted: RemotePackage, remote: RemotePackage) -> bool:
    for key in PACKAGE_FIELDS:
        if key in wanted and remote.get(key) != wanted[key]:
            return False
    there = remote.get("organization") or {}
    if wanted.get("organization") and any(
        there.get(key) != value for key, value in wanted["organization"].items()
    ):
        return False
    names = sorted(tag["name"] for tag in remote.get("tags", []))
    groups = sorted(group["name"] for group in remote.get("groups", []))
    extras = {e["key"]: e["value"] for e in _written(remote.get("extras", []))}
    return (
        names == sorted(tag["name"] for tag in wanted["tags"])
        and groups == sorted(group["name"] for group in wanted["groups"])
        and extras == {e["key"]: e["value"] for e in wanted["extras"]}
    )


def _written(extras: list[Any]) -> list[Any]:
    """The extras a write reads: not those a target writes from them (`spatial_text`)."""
    return [extra for extra in extras if extra["key"] not in ckan.DERIVED_EXTRAS]


def _same_data(resource: Resource, there: RemotePackage, digest: str = "") -> bool:
    if there.get("parquet_hash"):
        same_rows = there.get("rows") == resource.rows
        return bool(same_rows and there.get("parquet_hash") == resource.hash)
    return bool(digest) and there.get("hash") == digest
