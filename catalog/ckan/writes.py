"""CKAN's write actions over dataset folders: the steward's source of truth stays a folder.

`package_create`, `package_update`, `package_patch`, `package_delete`, `resource_create`,
`resource_update` and `resource_patch` (ckan/logic/action/create.py, update.py, patch.py,
delete.py of CKAN 2.12) edit `<datasets>/<slug>/datapackage.yaml` and `data/`, exactly what a
steward edits by hand, and then publish the folder with `Publisher` as `opendata build` does:

- A change is made in a copy of the folder (`<datasets>/.writes/<random>/`), validated and
  published from there; only then does the copy replace the folder. An invalid upload raises
  `ValidationFailed` (CKAN `Validation Error`, 409, with the Frictionless report), the copy is
  dropped, and both the folder and the served version are untouched. Nothing is written
  outside that copy, whatever the action is sent: every dataset, resource (`table`) and file
  name is checked with a full match against one pattern per kind (`catalog.store.descriptors`), an
  uploaded file's name is never a path, and every file is written only after its place was
  checked to be inside the copy.
- An action holds the dataset's publish lock (`Store.locked`) from reading the folder and
  the current version to swapping the new folder in, and publishes with that version as
  `base`: another server or an `opendata build` that published in between makes it fail
  with `Conflict` (409) rather than replace a version it never saw.
- Links (`url`, `license_url`, any `*_url`, the `path` of sources, licenses and
  contributors) must be `http(s)://` or `mailto:`; anything else is a `Validation Error`
  naming the field.
- A new dataset without resources is a draft (`state: "draft"`, as CKAN calls a dataset whose
  resources are still to come): kept as a folder, not served until a resource is uploaded.
- A resource's data comes only as an upload (`upload`, multipart, as ckanapi sends a file):
  the catalogue serves what it validated, never a link it did not read. `schema` (a Table
  Schema, JSON) types the table; without one, the schema is inferred from the file. `table`
  names the resource in the descriptor; else its name is made from the title or file name.
- Package fields map back to the descriptor as `catalog.ckan.mapping` maps them out (title, notes,
  tags, license, organization, groups as themes, maintainer as contact, and the extras
  title_en, notes_en, issued, frequency, access_level, temporal_*, spatial, sources, ...).
  Descriptor properties CKAN does not carry (domain `checks`, CSV dialects) are kept; fields a
  package_update leaves out keep their value, extras we do not know are not stored.
- `package_delete` maps CKAN's `state: deleted` to a withdrawal (`Store.withdraw`): the dataset
  stops being served and listed, its versions stay for provenance, the change feed announces
  it, and the folder moves to `<datasets>/.deleted/` so that `opendata build` does not publish
  it again. Unlike CKAN, which answers `package_show` of a deleted dataset with its dict (to
  its editors) or 403, a withdrawn dataset is Not Found; creating it again serves it again.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import yaml

from catalog.ckan import mapping as ckan
from catalog.ckan.actions import CkanActions
from catalog.errors import InvalidFields, NotFound
from catalog.search import catalogue_uuid
from catalog.store import (
    DESCRIPTOR_NAME,
    URL_MESSAGE,
    DatasetSource,
    Publisher,
    Store,
    descriptor_faults,
    is_resource_name,
    is_safe_url,
    is_slug,
    load_dataset,
    url_fields,
)

SCHEMA_PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
WORK_FOLDER = ".writes"
DELETED_FOLDER = ".deleted"
DATA_FORMATS = {"csv": "csv", "tsv": "csv", "txt": "csv", "xlsx": "xlsx", "xls": "xls"}
RESOURCE_NAME = re.compile(r"[^a-z0-9_]+")
CKAN_TO_SPDX = {value: key for key, value in reversed(ckan.SPDX_TO_CKAN.items())}
NAME_MESSAGE = "Must be purely lowercase alphanumeric (ascii) characters and these symbols: -"
TABLE_MESSAGE = (
    "Must be lowercase alphanumeric (ascii) characters and these symbols: _ - (at most 100)"
)
RESOURCE_NAME_LIMIT = 100


@dataclass(frozen=True)
class Upload:
    """An uploaded file: the name the client gave and where its bytes wait on disk."""

    filename: str
    path: Path


class CatalogueWriter:
    """The write actions: each edits a dataset folder and publishes it, or changes nothing."""

    def __init__(
        self, store: Store, datasets: Path, actions: CkanActions, *, row_group_size: int
    ) -> None:
        self.store = store
        self.datasets = datasets
        self.actions = actions
        self.row_group_size = row_group_size
        # Re-entrant: package_patch reads and updates under one hold.
        self._lock = threading.RLock()

    def actions_table(self) -> dict[str, Callable[[dict[str, Any]], Any]]:
        return {
            "package_create": self.package_create,
            "package_update": self.package_update,
            "package_patch": self.package_patch,
            "package_delete": self.package_delete,
            "resource_create": self.resource_create,
            "resource_update": self.resource_update,
            "resource_patch": self.resource_patch,
        }

    # --- packages -----------------------------------------------------------------------

    def package_create(self, data: dict[str, Any]) -> dict[str, Any]:
        """Create a dataset from a package dict; resources come with `resource_create`."""
        name = data.get("name")
        if not name:
            raise InvalidFields({"name": ["Missing value"]})
        slug = _checked_slug(str(name))
        _check_links(data)
        descriptor = self._descriptor({"$schema": SCHEMA_PROFILE, "name": slug}, data)
        descriptor["resources"] = []
        _check_descriptor(descriptor)  # before the lock, which makes the store's folder
        with self._lock, self.store.locked(slug):
            if (self.datasets / slug / DESCRIPTOR_NAME).is_file():
                raise InvalidFields({"name": ["That URL is already in use."]})
            self._commit(slug, descriptor, {}, replace_folder=False, base=None)
        return self._shown(slug)

    def package_update(self, data: dict[str, Any]) -> dict[str, Any]:
        """Update a dataset's metadata (and resource metadata when `resources` is given)."""
        _check_links(data)
        slug = self._slug(data.get("id") or data.get("name"))
        with self._lock, self.store.locked(slug):
            base, source = self._read(slug)
            descriptor = self._descriptor(source.descriptor, data)
            if isinstance(data.get("resources"), list):
                descriptor["resources"] = self._resources_from(source, data["resources"])
            self._commit(slug, descriptor, {}, replace_folder=True, base=base, source=source)
        return self._shown(slug)

    def package_patch(self, data: dict[str, Any]) -> dict[str, Any]:
        """Change only the given fields of a dataset."""
        slug = self._slug(data.get("id") or data.get("name"))
        with self._lock, self.store.locked(slug):
            # Read under the lock, fresh from the store: fields the patch leaves out keep
            # the value they have now, not one another writer has since replaced.
            self.actions.refresh()
            current = self._package(slug)
            return self.package_update({**current, **data, "id": slug})

    def package_delete(self, data: dict[str, Any]) -> None:
        """Withdraw a dataset: no longer served or listed; its versions stay."""
        slug = self._slug(data.get("id"))
        with self._lock, self.store.locked(slug):
            _base, source = self._read(slug)
            if self.store.current(slug) is not None:
                self.store.withdraw(slug, "package_delete through the CKAN Action API")
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
            target = self.datasets / DELETED_FOLDER / f"{slug}-{stamp}"
            target.parent.mkdir(parents=True, exist_ok=True)
            source.path.rename(target)
        self.actions.refresh()

    # --- resources ----------------------------------------------------------------------

    def resource_create(self, data: dict[str, Any]) -> dict[str, Any]:
        """Add a resource to a dataset from an uploaded file, then publish the dataset."""
        upload = data.get("upload")
        if not isinstance(upload, Upload):
            raise InvalidFields({"upload": ["Upload the table as a file: this catalogue serves"
                                            " only data it has validated"]})  # fmt: skip
        _check_links(data)
        slug = self._slug(data.get("package_id"))
        with self._lock, self.store.locked(slug):
            base, source = self._read(slug)
            descriptor = copy.deepcopy(source.descriptor)
            taken = {str(r["name"]) for r in descriptor.get("resources", [])}
            name = _resource_name(data, upload, taken)
            if name in taken:
                raise InvalidFields({"table": [f"The dataset already has a resource {name!r}"]})
            resource = _resource_of({"name": name}, data, upload)
            descriptor.setdefault("resources", []).append(resource)
            uploads = {name: upload}
            self._commit(slug, descriptor, uploads, replace_folder=True, base=base, source=source)
        return self._resource(slug, name)

    def resource_update(self, data: dict[str, Any]) -> dict[str, Any]:
        """Replace a resource's metadata, and its data when a file is uploaded."""
        _check_links(data)
        slug, name = self._resource_key(data.get("id"))
        with self._lock, self.store.locked(slug):
            base, source = self._read(slug)
            descriptor = copy.deepcopy(source.descriptor)
            position = _position(source, name)
            current = descriptor["resources"][position]
            upload = data.get("upload") if isinstance(data.get("upload"), Upload) else None
            descriptor["resources"][position] = _resource_of(current, data, upload)
            uploads = {name: upload} if upload else {}
            self._commit(slug, descriptor, uploads, replace_folder=True, base=base, source=source)
        return self._resource(slug, name)

    def resource_patch(self, data: dict[str, Any]) -> dict[str, Any]:
        """Change only the given fields of a resource (a new upload replaces its data)."""
        return self.resource_update(data)

    # --- folders ------------------------------------------------------------------------

    def _slug(self, name_or_id: Any) -> str:
        """The slug of the dataset folder named (or identified by CKAN id) by `name_or_id`."""
        if not name_or_id:
            raise InvalidFields({"id": ["Missing value"]})
        text = str(name_or_id)
        if is_slug(text) and (self.datasets / text / DESCRIPTOR_NAME).is_file():
            return text
        return self._slug_of_id(text)

    def _read(self, slug: str) -> tuple[str | None, DatasetSource]:
        """With the lock held: the current version (read first), then the folder."""
        base = self.store.current(slug)
        try:
            return base, load_dataset(self.datasets / slug)
        except NotFound:
            raise NotFound("") from None

    def _slug_of_id(self, ident: str) -> str:
        if self.datasets.is_dir():
            for folder in self.datasets.iterdir():
                if is_slug(folder.name) and catalogue_uuid("dataset", folder.name) == ident:
                    return folder.name
        raise NotFound("")

    def _resource_key(self, resource_id: Any) -> tuple[str, str]:
        """(dataset slug, resource name) of a resource's CKAN id."""
        if not resource_id:
            raise InvalidFields({"id": ["Missing value"]})
        if self.datasets.is_dir():
            for folder in sorted(self.datasets.iterdir()):
                if not is_slug(folder.name) or not (folder / DESCRIPTOR_NAME).is_file():
                    continue
                source = load_dataset(folder)
                for resource in source.descriptor.get("resources", []):
                    key = f"{source.slug}/{resource.get('name')}"
                    if catalogue_uuid("resource", key) == resource_id:
                        return source.slug, str(resource.get("name"))
        raise NotFound("Resource was not found.")

    def _commit(
        self,
        slug: str,
        descriptor: dict[str, Any],
        uploads: dict[str, Upload],
        *,
        replace_folder: bool,
        base: str | None,
        source: DatasetSource | None = None,
    ) -> None:
        """Write the changed folder beside the old one, publish it, then swap it in.

        Called with the dataset's lock held; `base` is the version current when the folder
        was read. Every file goes inside the action's own copy, checked before it is written.
        """
        _check_descriptor(descriptor)
        work = self.datasets / WORK_FOLDER / uuid.uuid4().hex
        staging = work / slug
        (staging / "data").mkdir(parents=True)
        try:
            for resource in descriptor.get("resources", []):
                target = _inside(staging, str(resource["path"]))
                target.parent.mkdir(parents=True, exist_ok=True)
                if resource["name"] in uploads:
                    shutil.copyfile(uploads[resource["name"]].path, target)
                elif source is not None and (source.path / resource["path"]).is_file():
                    # A path `load_dataset` checked: relative, no `..` (a steward's link is
                    # theirs to make, so it is read, not resolved).
                    shutil.copyfile(source.path / resource["path"], target)
            text = yaml.safe_dump(descriptor, allow_unicode=True, sort_keys=False)
            (staging / DESCRIPTOR_NAME).write_text(text, encoding="utf-8")
            swap = partial(self._swap_in, work, slug, replace_folder)
            if descriptor.get("resources"):
                publisher = Publisher(self.store, self.datasets, row_group_size=self.row_group_size)
                # The folder is swapped in before the new version is served: whoever sees
                # it current (an `opendata build` deciding what changed) reads its folder.
                source_now = DatasetSource(slug, staging, descriptor)
                publisher.build(source_now, base=base, before_switch=swap)
                if staging.exists():  # the same inputs were already current: nothing served
                    swap()
            else:
                swap()
        finally:
            shutil.rmtree(work, ignore_errors=True)
        self.actions.refresh()

    def _swap_in(self, work: Path, slug: str, replace_folder: bool) -> None:
        folder = self.datasets / slug
        if replace_folder and folder.exists():
            folder.rename(work / f"{slug}.previous")
        (work / slug).rename(folder)

    def _descriptor(self, base: dict[str, Any], package: dict[str, Any]) -> dict[str, Any]:
        organizations = self.actions._organizations()
        return descriptor_of(package, base, organizations)

    def _resources_from(self, source: DatasetSource, resources: list[Any]) -> list[dict[str, Any]]:
        """A package's `resources` list: each names an existing resource by id or table."""
        current = {str(r["name"]): r for r in source.descriptor.get("resources", [])}
        by_id = {catalogue_uuid("resource", f"{source.slug}/{n}"): n for n in current}
        chosen = []
        for position, given in enumerate(resources):
            if not isinstance(given, dict):
                raise InvalidFields({"resources": [f"Resource {position} is not a dict"]})
            name = by_id.get(str(given.get("id"))) or str(given.get("table") or "")
            if name not in current:
                if given.get("embedded_from"):
                    continue  # a copied code list: the publisher embeds it again
                raise InvalidFields({"resources": [
                    f"Resource {position} is new: add it with resource_create and a file"
                ]})  # fmt: skip
            chosen.append(_resource_of(current[name], given, None))
        return chosen

    # --- answers ------------------------------------------------------------------------

    def _package(self, slug: str) -> dict[str, Any]:
        try:
            return self.actions.package_show({"id": slug})
        except NotFound:
            source = load_dataset(self.datasets / slug)
            draft = ckan.package_dict(source.descriptor, self.actions.base_url)
            return {**draft, "state": "draft"}

    def _shown(self, slug: str) -> dict[str, Any]:
        return self._package(slug)

    def _resource(self, slug: str, name: str) -> dict[str, Any]:
        wanted = catalogue_uuid("resource", f"{slug}/{name}")
        for resource in self._package(slug).get("resources", []):
            if resource["id"] == wanted:
                found: dict[str, Any] = resource
                return found
        raise NotFound("")


# --- package dict → descriptor ------------------------------------------------------------


def descriptor_of(
    package: dict[str, Any], base: dict[str, Any], organizations: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    """`base` with what `package` (a CKAN package dict) says, mapped back as `catalog.ckan` maps."""
    found = copy.deepcopy(base)
    extras = _extras(package.get("extras"))
    if package.get("title"):
        found["title"] = str(package["title"])
    if "notes" in package:
        found["description"] = package.get("notes") or ""
    for key, extra in (
        ("title_en", "title_en"),
        ("description_en", "notes_en"),
        ("issued", "issued"),
        ("frequency", "frequency"),
        ("access_level", "access_level"),
    ):
        if extras.get(extra):
            found[key] = extras[extra]
    _keywords(found, package, extras)
    _license(found, package, extras)
    _organization(found, package, extras, organizations)
    if isinstance(package.get("groups"), list):
        found["themes"] = [str(g["name"]) for g in package["groups"] if isinstance(g, dict)]
    elif extras.get("themes"):
        found["themes"] = _split(extras["themes"])
    contact = dict(found.get("contact") or {})
    for key, field, extra in (
        ("name", "maintainer", "contact_name"),
        ("email", "maintainer_email", "contact_email"),
    ):
        value = package.get(field) or extras.get(extra)
        if value:
            contact[key] = str(value)
    if contact:
        found["contact"] = contact
    temporal = dict(found.get("temporal") or {})
    for key in ("start", "end"):
        if extras.get(f"temporal_{key}"):
            temporal[key] = extras[f"temporal_{key}"]
    if temporal:
        found["temporal"] = temporal
    if extras.get("spatial"):
        found["spatial"] = _split(extras["spatial"])
    if extras.get("sources"):
        try:
            found["sources"] = json.loads(extras["sources"])
        except ValueError:
            raise InvalidFields({"extras": ["`sources` must be a JSON list"]}) from None
    return found


def _extras(value: Any) -> dict[str, str]:
    if not isinstance(value, list):
        return {}
    return {
        str(item["key"]): str(item.get("value") or "")
        for item in value
        if isinstance(item, dict) and "key" in item
    }


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _keywords(found: dict[str, Any], package: dict[str, Any], extras: dict[str, str]) -> None:
    english = set(_split(extras.get("keywords_en", ""))) if "keywords_en" in extras else None
    if isinstance(package.get("tags"), list):
        names = [str(t.get("name")) for t in package["tags"] if isinstance(t, dict)]
        known_en = english if english is not None else set(found.get("keywords_en", []))
        ordered = _split(extras["keywords"]) if extras.get("keywords") else []
        zh = [n for n in ordered if n in names] + [
            n for n in names if n not in ordered and n not in known_en
        ]
        en_order = _split(extras.get("keywords_en", "")) or list(found.get("keywords_en", []))
        en = [n for n in en_order if n in names]
        found["keywords"], found["keywords_en"] = zh, en
    else:
        if extras.get("keywords"):
            found["keywords"] = _split(extras["keywords"])
        if english is not None:
            found["keywords_en"] = sorted(english)


def _license(found: dict[str, Any], package: dict[str, Any], extras: dict[str, str]) -> None:
    license_id = package.get("license_id")
    name = extras.get("license") or CKAN_TO_SPDX.get(str(license_id)) or license_id
    if not name:
        return
    current = (found.get("licenses") or [{}])[0]
    chosen: dict[str, Any] = {"name": str(name)}
    path = package.get("license_url") if str(license_id) not in ckan.LICENSES_BY_ID else None
    if path or (current.get("name") == name and current.get("path")):
        chosen["path"] = path or current["path"]
    title = package.get("license_title")
    if title and str(license_id) not in ckan.LICENSES_BY_ID and title != name:
        chosen["title"] = title
    found["licenses"] = [chosen, *(found.get("licenses") or [])[1:]]


def _organization(
    found: dict[str, Any],
    package: dict[str, Any],
    extras: dict[str, str],
    organizations: dict[str, dict[str, Any]],
) -> None:
    organization = package.get("organization")
    given: dict[str, Any] = organization if isinstance(organization, dict) else {}
    owner = str(package.get("owner_org") or given.get("name") or "")
    if not owner:
        return
    by_id = {org["id"]: org for org in organizations.values()}
    known = organizations.get(owner) or by_id.get(owner) or given or {"name": owner}
    current = dict(found.get("organization") or {})
    if current.get("name") != known.get("name"):
        current = {}
    current["name"] = str(known.get("name") or owner)
    current["title"] = str(known.get("title") or current.get("title") or current["name"])
    title_en = extras.get("publisher_title_en") or known.get("description")
    if title_en:
        current["title_en"] = str(title_en)
    if extras.get("publisher_credit_code"):
        current["credit_code"] = extras["publisher_credit_code"]
    found["organization"] = current


def _checked_slug(name: str) -> str:
    if len(name) < 2:
        raise InvalidFields({"name": ["Must be at least 2 characters long"]})
    if not is_slug(name):
        raise InvalidFields({"name": [NAME_MESSAGE]})
    return name


def _position(source: DatasetSource, name: str) -> int:
    for position, resource in enumerate(source.descriptor.get("resources", [])):
        if resource.get("name") == name:
            return position
    raise NotFound("Resource was not found.")


def _inside(folder: Path, relative: str) -> Path:
    """`folder / relative`, refused unless it stays inside `folder` (no `..`, no link out)."""
    target = folder / relative
    if not target.resolve().is_relative_to(folder.resolve()):
        raise InvalidFields({"path": ["A resource's file must stay inside its dataset folder"]})
    return target


def _check_links(data: dict[str, Any]) -> None:
    """Refuse a package or resource dict whose links are not http(s) or mailto."""
    faults: dict[str, list[str]] = {}
    for field, value in url_fields({k: v for k, v in data.items() if k != "extras"}):
        if value not in (None, "") and not is_safe_url(value):
            faults[field] = [URL_MESSAGE]
    extras = _extras(data.get("extras"))
    for key, value in extras.items():
        linked = key.lower() == "url" or key.lower().endswith("_url")
        if linked and value and not is_safe_url(value):
            faults[key] = [URL_MESSAGE]
    try:
        sources = json.loads(extras.get("sources") or "[]")
    except ValueError:
        sources = []  # `descriptor_of` names this fault
    # A source sent through the API is a link: what it names must be a page, not a file.
    for field, value in url_fields({"sources": sources}):
        if value not in (None, "") and not is_safe_url(value):
            faults[field] = [URL_MESSAGE]
    if faults:
        raise InvalidFields(faults)


def _check_descriptor(descriptor: dict[str, Any]) -> None:
    """The descriptor about to be written: names and links as `load_dataset` will demand."""
    faults = descriptor_faults(descriptor)
    if faults:
        raise InvalidFields({field: [message] for field, message in faults.items()})


def _resource_name(data: dict[str, Any], upload: Upload, taken: set[str]) -> str:
    if data.get("table"):
        table = data["table"]
        if not is_resource_name(table):
            raise InvalidFields({"table": [TABLE_MESSAGE]})
        return str(table)
    for text in (str(data.get("name") or ""), _upload_stem(upload.filename)):
        made = RESOURCE_NAME.sub("_", text.lower()).strip("_")[:RESOURCE_NAME_LIMIT].strip("_")
        if made:
            return made
    number = len(taken) + 1
    while f"resource_{number}" in taken:
        number += 1
    return f"resource_{number}"


def _resource_of(
    current: dict[str, Any], data: dict[str, Any], upload: Upload | None
) -> dict[str, Any]:
    """A descriptor resource: `current` with the resource dict's fields and the upload."""
    found = {k: v for k, v in current.items() if k not in ckan_resource_only()}
    name = str(found["name"])
    if data.get("name"):
        found["title"] = str(data["name"])
    for key, field in (("title_en", "name_en"), ("description", "description")):
        if data.get(field):
            found[key] = str(data[field])
    if data.get("schema"):
        schema = data["schema"]
        if isinstance(schema, str):
            try:
                schema = json.loads(schema)
            except ValueError:
                raise InvalidFields({"schema": ["Not a JSON Table Schema"]}) from None
        if not isinstance(schema, dict):
            raise InvalidFields({"schema": ["Not a JSON Table Schema"]})
        found["schema"] = schema
    if upload is not None:
        extension = _upload_extension(upload.filename)
        fmt = DATA_FORMATS.get(extension, "csv")
        found["path"] = f"data/{name}.{'csv' if fmt == 'csv' else extension}"
        found["format"] = fmt
        for key in ("encoding", "dialect", "sheet", "header_row", "hash", "bytes"):
            found.pop(key, None)
        if "schema" not in found:
            found["schema"] = infer_schema(upload.path, fmt)
    if "schema" not in found or "path" not in found:
        raise InvalidFields({"upload": ["Upload the table of this resource"]})
    return found


def _upload_stem(filename: str) -> str:
    """The client's file name without folders or extension: text for a name, never a path."""
    last = re.split(r"[/\\]", filename)[-1]
    return last.rpartition(".")[0] or last


def _upload_extension(filename: str) -> str:
    """The extension of the client's file name, lowercased: only ever looked up in a table."""
    last = re.split(r"[/\\]", filename)[-1]
    return last.rpartition(".")[2].lower() if "." in last else ""


def ckan_resource_only() -> frozenset[str]:
    """Keys of a published resource that a steward's descriptor does not hold."""
    return frozenset({"rows", "byte_size", "source_file", "mediatype", "embedded_from"})


def infer_schema(path: Path, fmt: str) -> dict[str, Any]:
    """A Table Schema inferred from the file (Frictionless), for an upload that sent none."""
    from frictionless import Resource, system

    try:
        with system.use_context(trusted=True):
            resource = Resource(path=str(path), format=fmt)
            resource.infer()
            schema: dict[str, Any] = resource.schema.to_descriptor()
            return schema
    except Exception as exc:  # frictionless raises many kinds on unreadable files
        raise InvalidFields({"upload": [f"Could not read the table: {exc}"]}) from None
