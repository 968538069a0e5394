"""`opendata push`: sync this store's catalogue into another CKAN-compatible site with ckanapi.

A prefecture's instance pushes to the province's. Every served dataset is created or
updated on the target through the ordinary CKAN Action API (`RemoteCKAN(url, apikey=...)`):
`package_create` or `package_patch` for the metadata, then `resource_create` /
`resource_update` with the table uploaded as CSV and its Table Schema in `schema`, so a
target running this platform validates and publishes it as `opendata build` would.

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

import copy
import hashlib
import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ckanapi

from catalog.ckan import mapping as ckan
from catalog.query import Cells, QueryEngine, delimited_chunks, delimited_line, select_sql
from catalog.search import catalogue_uuid
from catalog.store import Store

USER_AGENT = "hrss-opendata-push/1"
BATCH_ROWS = 65_536
PACKAGE_FIELDS = (
    "name", "title", "notes", "license_id", "maintainer", "maintainer_email", "author",
)  # fmt: skip
RESOURCE_FIELDS = ("name", "name_en", "description")

Report = Callable[[str, str], None]


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
        needs = {
            slug: _embedded_packages(self.store.descriptor(slug)) for slug in self.store.slugs()
        }
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
        descriptor = self.store.descriptor(slug)
        wanted = package_fields(descriptor)
        remote = self._remote(slug)
        state = "unchanged"
        if remote is None:
            remote = self.site.action.package_create(**wanted)
            state = "created"
        elif not _same_package(wanted, remote):
            remote = self.site.action.package_patch(id=slug, **wanted)
            state = "updated"
        for resource in descriptor.get("resources", []):
            if "embedded_from" in resource:
                continue
            if self._push_resource(descriptor, resource, remote) and state == "unchanged":
                state = "updated"
        return state

    def _remote(self, slug: str) -> dict[str, Any] | None:
        try:
            found: dict[str, Any] = self.site.action.package_show(id=slug)
        except ckanapi.NotFound:
            return None
        return found

    def _push_resource(
        self, descriptor: dict[str, Any], resource: dict[str, Any], remote: dict[str, Any]
    ) -> bool:
        """Send one resource if the target lacks it or holds other data; True if sent."""
        slug, name = descriptor["name"], str(resource["name"])
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
        fields = {key: local[key] for key in RESOURCE_FIELDS if local.get(key)}
        fields.update(
            table=name, format="CSV", schema=json.dumps(pushed_schema(descriptor, resource))
        )
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


def package_fields(descriptor: dict[str, Any]) -> dict[str, Any]:
    """The package dict fields a target needs to hold this dataset (no resources, no URLs)."""
    package = ckan.package_dict(descriptor, "")
    wanted = {key: package[key] for key in PACKAGE_FIELDS if package.get(key) is not None}
    organization = package.get("organization")
    if organization:
        wanted["owner_org"] = organization["name"]
        # A target on this platform learns a new organization's title from this; CKAN ignores it.
        wanted["organization"] = {
            key: organization[key] for key in ("name", "title", "description")
        }
    wanted["tags"] = [{"name": tag["name"]} for tag in package["tags"]]
    wanted["groups"] = [{"name": group["name"]} for group in package["groups"]]
    wanted["extras"] = package["extras"]
    return wanted


def pushed_schema(descriptor: dict[str, Any], resource: dict[str, Any]) -> dict[str, Any]:
    """The resource's Table Schema with foreign keys naming the code lists' own datasets."""
    schema = copy.deepcopy(resource.get("schema") or {})
    embedded = {
        str(r["name"]): r["embedded_from"]
        for r in descriptor.get("resources", [])
        if isinstance(r.get("embedded_from"), dict)
    }
    for key in schema.get("foreignKeys", []):
        reference = key.get("reference", {})
        origin = embedded.get(str(reference.get("resource")))
        if origin is not None and "package" not in reference:
            key["reference"] = {
                "package": origin["package"],
                "resource": origin["resource"],
                "fields": reference.get("fields"),
            }
    return schema


def _embedded_packages(descriptor: dict[str, Any]) -> set[str]:
    return {
        str(r["embedded_from"]["package"])
        for r in descriptor.get("resources", [])
        if isinstance(r.get("embedded_from"), dict)
    }


def _same_package(wanted: dict[str, Any], remote: dict[str, Any]) -> bool:
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
    extras = {e["key"]: e["value"] for e in remote.get("extras", [])}
    return (
        names == sorted(tag["name"] for tag in wanted["tags"])
        and groups == sorted(group["name"] for group in wanted["groups"])
        and extras == {e["key"]: e["value"] for e in wanted["extras"]}
    )


def _same_data(resource: dict[str, Any], there: dict[str, Any], digest: str = "") -> bool:
    if there.get("parquet_hash"):
        same_rows = there.get("rows") == resource.get("rows")
        return bool(same_rows and there.get("parquet_hash") == resource.get("hash"))
    return bool(digest) and there.get("hash") == digest
