"""CKAN package and resource dicts mapped back to a descriptor, as `catalog.ckan.mapping` maps
them out: what the write actions store in `datapackage.yaml`.

Package fields map to title, notes, tags, license, organization, groups as themes,
maintainer as contact, and the extras title_en, notes_en, issued, frequency, access_level and
access_conditions(_en),
temporal_*, spatial_codes, sources, checks (the domain rules, as JSON), ...; descriptor properties
CKAN does not carry (CSV dialects) are kept, and extras we do not know are not stored. A
resource's data comes only as an upload, whose file name is only ever text: never a path.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import NotRequired, TypedDict, cast

from catalog.ckan import mapping as ckan
from catalog.ckan import publishing
from catalog.ckan.shapes import DataDict, Unit
from catalog.errors import InvalidFields
from catalog.metadata import SPDX_TO_CKAN
from catalog.store import Document
from validation import is_resource_name, refused_field_name

DATA_FORMATS = {"csv": "csv", "tsv": "csv", "txt": "csv", "xlsx": "xlsx", "xls": "xls"}
RESOURCE_NAME = re.compile(r"[^a-z0-9_]+")
CKAN_TO_SPDX = {value: key for key, value in reversed(SPDX_TO_CKAN.items())}
TABLE_MESSAGE = (
    "Must be lowercase alphanumeric (ascii) characters and these symbols: _ (at most 100)"
)
RESOURCE_NAME_LIMIT = 100


class Keywords(TypedDict, total=False):
    """The keywords a package dict sets, in the descriptor's words and order."""

    keywords: list[str]
    keywords_en: list[str]


class LicenseFound(TypedDict):
    """The first licence of the descriptor as a package dict names it; `path` and `title`
    as given, for the descriptor's check to judge."""

    name: str
    path: NotRequired[object]
    title: NotRequired[object]


class InferredField(TypedDict):
    name: str
    type: str
    format: NotRequired[str]


class InferredSchema(TypedDict):
    """A Table Schema as Frictionless infers it from a file: typed fields, and the missing
    values when they are not the default."""

    fields: list[InferredField]
    missingValues: NotRequired[list[str]]


@dataclass(frozen=True)
class PackageFields:
    """What a package dict sends that a descriptor keeps, read once.

    Names (tags', groups', the owner's) are text as CKAN reads them; the other values stay
    as given, for the descriptor's check (`descriptor_faults`) to judge as it judges a
    steward's file.
    """

    extras: dict[str, str]
    title: str | None
    notes: object  # the description as given; `notes_given` tells a null from none sent
    notes_given: bool
    tags: list[str] | None  # None when `tags` is not a list: the keywords come from extras
    themes: list[str] | None  # the groups' names; None when `groups` is not a list
    license_id: object
    license_url: object
    license_title: object
    owner: str  # `owner_org`, else the organization's name
    organization: Mapping[str, object]  # the organization dict sent, if any
    maintainer: object
    maintainer_email: object

    @classmethod
    def of(cls, package: DataDict) -> PackageFields:
        organization = package.get("organization")
        given: dict[str, object] = organization if isinstance(organization, dict) else {}
        tags, groups = package.get("tags"), package.get("groups")
        tag_names = themes = None
        if isinstance(tags, list):
            tag_names = [str(t.get("name")) for t in tags if isinstance(t, dict)]
        if isinstance(groups, list):
            themes = [str(g["name"]) for g in groups if isinstance(g, dict)]
        return cls(
            extras=extras_of(package.get("extras")),
            title=str(package["title"]) if package.get("title") else None,
            notes=package.get("notes"),
            notes_given="notes" in package,
            tags=tag_names,
            themes=themes,
            license_id=package.get("license_id"),
            license_url=package.get("license_url"),
            license_title=package.get("license_title"),
            owner=str(package.get("owner_org") or given.get("name") or ""),
            organization=given,
            maintainer=package.get("maintainer"),
            maintainer_email=package.get("maintainer_email"),
        )


@dataclass(frozen=True)
class ResourceFields:
    """What a resource dict sends that a descriptor resource keeps, read once.

    Texts are taken as CKAN's `unicode_safe` takes them (anything given becomes its text);
    `table` and `schema` stay as given: they are checked where they are used, so a fault is
    reported in the order CKAN reports it.
    """

    title: str | None  # CKAN's `name`
    title_en: str | None  # our `name_en`
    description: str | None
    table: object
    schema: object

    @classmethod
    def of(cls, data: DataDict) -> ResourceFields:
        def text(key: str) -> str | None:
            return str(data[key]) if data.get(key) else None

        return cls(
            title=text("name"),
            title_en=text("name_en"),
            description=text("description"),
            table=data.get("table"),
            schema=data.get("schema"),
        )


@dataclass(frozen=True)
class Upload:
    """An uploaded file: the name the client gave and where its bytes wait on disk."""

    filename: str
    path: Path


def descriptor_of(
    package: PackageFields, base: Document, organizations: dict[str, Unit]
) -> Document:
    """`base` with what `package` says, mapped back as `catalog.ckan.mapping` maps out.

    A document still, as a steward's file is before it is read: the values are the client's,
    checked as a whole before it is written (`check_descriptor`).
    """
    found = copy.deepcopy(base)
    extras = package.extras
    if package.title is not None:
        found["title"] = package.title
    if package.notes_given:
        found["description"] = package.notes or ""
    for key, extra in (
        ("title_en", "title_en"),
        ("description_en", "notes_en"),
        ("issued", "issued"),
        ("frequency", "frequency"),
        ("access_level", "access_level"),
        ("access_conditions", "access_conditions"),
        ("access_conditions_en", "access_conditions_en"),
    ):
        if extras.get(extra):
            found[key] = extras[extra]
    found.update(_keywords(package, extras, list(found.get("keywords_en", []))))
    licenses = found.get("licenses") or []
    license_found = _license(package, extras, licenses[0] if licenses else {})
    if license_found is not None:
        found["licenses"] = [license_found, *licenses[1:]]
    organization = _organization(package, extras, found.get("organization"), organizations)
    if organization is not None:
        found["organization"] = organization
    if package.themes is not None:
        found["themes"] = package.themes
    elif extras.get("themes"):
        found["themes"] = _split(extras["themes"])
    _set_details(found, package, extras)
    return found


def _set_details(found: Document, package: PackageFields, extras: dict[str, str]) -> None:
    """Contact, temporal and spatial coverage, and sources: into `found`, in that order."""
    contact = dict(found.get("contact") or {})
    for key, given, extra in (
        ("name", package.maintainer, "contact_name"),
        ("email", package.maintainer_email, "contact_email"),
    ):
        value = given or extras.get(extra)
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
    # `spatial` held the codes before it was left to ckanext-spatial's GeoJSON: still read.
    codes = extras.get("spatial_codes") or extras.get("spatial")
    if codes:
        found["spatial"] = _split(codes)
    for key in ("sources", "checks"):  # `checks`: the domain rules, so a copy validates alike
        if extras.get(key):
            try:
                found[key] = json.loads(extras[key])
            except ValueError:
                raise InvalidFields({"extras": [f"`{key}` must be a JSON list"]}) from None


def extras_of(value: object) -> dict[str, str]:
    if not isinstance(value, list):
        return {}
    return {
        str(item["key"]): str(item.get("value") or "")
        for item in value
        if isinstance(item, dict) and "key" in item
    }


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _keywords(package: PackageFields, extras: dict[str, str], current_en: list[str]) -> Keywords:
    """The keywords to set: tags split by language (extras give the order), else extras'."""
    english = set(_split(extras.get("keywords_en", ""))) if "keywords_en" in extras else None
    found = Keywords()
    if package.tags is not None:
        names = package.tags
        known_en = english if english is not None else set(current_en)
        ordered = _split(extras["keywords"]) if extras.get("keywords") else []
        found["keywords"] = [n for n in ordered if n in names] + [
            n for n in names if n not in ordered and n not in known_en
        ]
        en_order = _split(extras.get("keywords_en", "")) or current_en
        found["keywords_en"] = [n for n in en_order if n in names]
    else:
        if extras.get("keywords"):
            found["keywords"] = _split(extras["keywords"])
        if english is not None:
            found["keywords_en"] = sorted(english)
    return found


def _license(
    package: PackageFields, extras: dict[str, str], current: Mapping[str, object]
) -> LicenseFound | None:
    """The first licence the package dict names (None if none); `current` is the first now."""
    license_id = package.license_id
    name = extras.get("license") or CKAN_TO_SPDX.get(str(license_id)) or license_id
    if not name:
        return None
    chosen = LicenseFound(name=str(name))
    path = package.license_url if str(license_id) not in ckan.LICENSES_BY_ID else None
    if path or (current.get("name") == name and current.get("path")):
        chosen["path"] = path or current["path"]
    title = package.license_title
    if title and str(license_id) not in ckan.LICENSES_BY_ID and title != name:
        chosen["title"] = title
    return chosen


def _organization(
    package: PackageFields,
    extras: dict[str, str],
    current: Mapping[str, object] | None,
    organizations: dict[str, Unit],
) -> dict[str, object] | None:
    """The owner as the descriptor names it (None if the dict names none). `current` is the
    descriptor's organization now: when the owner is the same, its keys stay, in its order."""
    given, owner = package.organization, package.owner
    if not owner:
        return None
    by_id = {org["id"]: org for org in organizations.values()}
    known: Mapping[str, object] = (
        organizations.get(owner) or by_id.get(owner) or given or {"name": owner}
    )
    same = current is not None and current.get("name") == known.get("name")
    found: dict[str, object] = {**(current or {})} if same else {}
    name = str(known.get("name") or owner)
    found["name"] = name
    found["title"] = str(known.get("title") or found.get("title") or name)
    title_en = extras.get("publisher_title_en") or known.get("description")
    if title_en:
        found["title_en"] = str(title_en)
    if extras.get("publisher_credit_code"):
        found["credit_code"] = extras["publisher_credit_code"]
    return found


def resource_name(given: ResourceFields, upload: Upload, taken: set[str]) -> str:
    """The `table` given, else a name made from the title or the file's, else numbered."""
    if given.table:
        if not is_resource_name(given.table):
            raise InvalidFields({"table": [TABLE_MESSAGE]})
        return str(given.table)
    for text in (given.title or "", _upload_stem(upload.filename)):
        made = RESOURCE_NAME.sub("_", text.lower()).strip("_")[:RESOURCE_NAME_LIMIT].strip("_")
        if made:
            return made
    number = len(taken) + 1
    while f"resource_{number}" in taken:
        number += 1
    return f"resource_{number}"


def resource_of(current: Document, given: ResourceFields, upload: Upload | None) -> Document:
    """A descriptor resource: `current` with the resource dict's fields and the upload.

    A document, as the descriptor that holds it (`descriptor_of`): checked with it.
    """
    found = {k: v for k, v in current.items() if k not in ckan_resource_only()}
    name = str(found["name"])
    # A resource without a title shows its name as CKAN's `name`: sent back unchanged (a
    # package dict patched or updated as shown), it sets no title, and publishes nothing.
    untitled = given.title == name and "title" not in found
    for key, value in (
        ("title", None if untitled else given.title),
        ("title_en", given.title_en),
        ("description", given.description),
    ):
        if value is not None:
            found[key] = value
    if given.schema:
        schema = given.schema
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
    refused = refused_field_name(found["schema"])
    if refused is not None:  # as CKAN's datastore_create refuses it (`check_fields`)
        raise InvalidFields({"fields": [f'"{refused}" is not a valid field name']})
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


def infer_schema(path: Path, fmt: str) -> InferredSchema:
    """A Table Schema inferred from the file (Frictionless, in a child process: a server
    never loads it), for an upload that sent none."""
    # Frictionless types its descriptors as any JSON; an inferred one has this shape.
    return cast(InferredSchema, publishing.infer_schema(path, fmt))
