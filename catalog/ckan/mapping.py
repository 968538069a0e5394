"""Published descriptors as CKAN 2.12 dicts: packages, resources, organizations, groups.

Pure mapping, no I/O, for `catalog.ckan.actions`. Identifiers are uuid5 of the slug
(`catalog.search.index.catalogue_uuid`), so they never change; timestamps are as CKAN writes
them (naive UTC, microseconds, no `Z`). Organizations are the publishing units, groups the
themes, tags the zh and en keywords; our other properties travel as `extras`. A resource's
`url` is its CSV download from /api/v1; `datastore_active` is true for every table.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime

from pydantic import BaseModel

from catalog.ckan.shapes import (
    CkanPackage,
    CkanResource,
    Extra,
    GroupShown,
    LicenseEntry,
    LicenseFields,
    ShortGroup,
    Tag,
    Unit,
)
from catalog.metadata import (
    CKAN_LICENCES,
    FORMAT_LABELS,
    SPDX_TO_CKAN,
    THEMES,
    RegionNames,
    coverage_iri,
    coverage_names,
    published_bytes,
)
from catalog.search import catalogue_uuid, utc_moment
from catalog.store import Package as Descriptor
from catalog.store import Resource as DescriptorResource

# Status of each CKAN error `__type` on the Action API (ckan/views/api.py, CKAN 2.12).
CKAN_STATUS = {
    "Integrity Error": 400,
    "Authorization Error": 403,
    "Not Found Error": 404,
    "Validation Error": 409,
    "Search Query Error": 400,
    "Search Error": 409,
    "Search Index Error": 500,
    "Internal Server Error": 500,
}


def _license(id_: str, *, open_: bool = True, **flags: bool) -> LicenseEntry:
    # CKAN's license_list stringifies every value ("False", "approved").
    title, url = CKAN_LICENCES[id_]
    return {
        "domain_content": str(flags.get("content", False)),
        "domain_data": str(flags.get("data", False)),
        "domain_software": "False",
        "family": "",
        "id": id_,
        "is_generic": str(flags.get("generic", False)),
        "maintainer": "",
        "od_conformance": "approved" if open_ else "not reviewed",
        "osd_conformance": "not reviewed",
        "status": "active",
        "title": title,
        "url": url,
    }


# CKAN's default license register, in its order (ckan/model/license.py); the titles and urls
# are `catalog.metadata`'s, which DCAT names the licences by.
LICENSES: list[LicenseEntry] = [
    _license("notspecified", open_=False, generic=True),
    _license("odc-pddl", data=True),
    _license("odc-odbl", data=True),
    _license("odc-by", data=True),
    _license("cc-zero", content=True, data=True),
    _license("cc-by"),
    _license("cc-by-sa", content=True),
    _license("gfdl", content=True),
    _license("other-open", content=True, generic=True),
    _license("other-pd", content=True, generic=True),
    _license("other-at", content=True, generic=True),
    _license("uk-ogl", content=True),
    _license("cc-nc", open_=False),
    _license("other-nc", open_=False, generic=True),
    _license("other-closed", open_=False, generic=True),
]
LICENSES_BY_ID = {entry["id"]: entry for entry in LICENSES}
CSV_MIMETYPE = "text/csv"
CSV_FORMAT = FORMAT_LABELS["CSV"]


def ckan_timestamp(value: datetime | date | str | None) -> str | None:
    """`2026-01-01T09:00:00Z` → `2026-01-01T09:00:00.000000`, the form CKAN writes."""
    moment = value if isinstance(value, datetime) else utc_moment(value)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f") if moment else None


def dataset_times(descriptor: Descriptor) -> tuple[str | None, str | None]:
    """(metadata_created, metadata_modified): first publication and the current version's.

    Modified is `Package.modified()`, the one rule (docs/descriptor.md); created is the
    earlier of it and `issued`.
    """
    modified = utc_moment(descriptor.modified())
    issued = utc_moment("" if descriptor.issued is None else descriptor.issued)
    created = min(issued, modified) if issued and modified else issued or modified
    return ckan_timestamp(created), ckan_timestamp(modified)


def license_of(descriptor: Descriptor) -> LicenseFields:
    """license_id, license_title, license_url and isopen of a descriptor's first license."""
    if not descriptor.licenses:
        return {"license_id": None, "license_title": None, "isopen": False}
    first = descriptor.licenses[0]
    known = LICENSES_BY_ID.get(SPDX_TO_CKAN.get(str(first.name), ""))
    id_: str | None
    title: str | None
    url: str | None
    if known is not None:
        id_, title, url = known["id"], known["title"], known["url"]
        isopen = known["od_conformance"] == "approved"
    else:
        id_, title, url, isopen = first.name, first.title or first.name, first.path, False
    if url:
        return {"license_id": id_, "license_title": title, "license_url": url, "isopen": isopen}
    return {"license_id": id_, "license_title": title, "isopen": isopen}


def tag_names(descriptor: Descriptor) -> list[str]:
    """The zh and en keywords, each once, in CKAN's order (by name). A version published
    before keywords had to be CKAN tags shows each refused character as `-`, as ckanext-harvest's
    `clean_tags` would (`GB/T 2260` → `GB-T 2260`); one still refused is left out."""
    tags = {
        re.sub(r"[^\w \-.]", "-", word)[:100]
        for word in (*descriptor.keywords, *descriptor.keywords_en)
    }
    return sorted(tag for tag in tags if len(tag) >= 2)


def organization_dict(descriptor: Descriptor, created: str | None) -> Unit | None:
    """The descriptor's publishing unit as an organization; None when it names none."""
    organization = descriptor.organization
    if organization is None or not organization.name:
        return None
    name = organization.name
    return {
        "id": catalogue_uuid("organization", name),
        "name": name,
        "title": organization.title or name,
        "type": "organization",
        "description": organization.title_en or "",
        "image_url": "",
        "created": created,
        "is_organization": True,
        "approval_status": "approved",
        "state": "active",
    }


def group_dict(theme: str) -> ShortGroup:
    """A theme as the short group dict inside a package."""
    title = THEMES.get(theme, (theme, theme))[0]
    return {
        "description": THEMES.get(theme, (theme, theme))[1],
        "display_name": title,
        "id": catalogue_uuid("group", theme),
        "image_display_url": "",
        "name": theme,
        "title": title,
    }


def full_group_dict(unit: Unit, *, package_count: int, extras: list[Extra]) -> GroupShown:
    """organization_show / group_show: the short dict with counts, members and extras."""
    return {
        **unit,
        # a key the unit has keeps its place; one it lacks comes after the others
        "display_name": unit.get("display_name", unit["title"]),
        "image_display_url": unit.get("image_display_url", unit["image_url"]),
        "package_count": package_count,
        "extras": extras,
        "groups": [],
        "users": [],
        "tags": [],
        "num_followers": 0,
    }


def theme_group(theme: str, created: str | None) -> Unit:
    short = group_dict(theme)
    return {
        **short,
        "type": "group",
        "is_organization": False,
        "image_url": "",
        "created": created,
        "approval_status": "approved",
        "state": "active",
    }


ExtraValue = str | int | float | bool | date | list[str] | list[dict[str, object]] | None


# Extras written from others, as ckanext-dcat's harvest writes them: a write does not read them.
DERIVED_EXTRAS = frozenset({"spatial_text", "spatial_uri"})


def extras_of(
    descriptor: Descriptor, base_url: str = "", regions: RegionNames | None = None
) -> list[Extra]:
    """Our bilingual and catalogue properties as CKAN extras (string values, sorted by key).
    Spatial coverage: GB/T 2260 codes in `spatial_codes` (a write reads them back), and
    `spatial_text`, `spatial_uri` as ckanext-dcat harvests them from our DCAT; no `spatial`:
    ckanext-spatial reads it as a GeoJSON geometry, and none of our sources gives one."""
    organization, contact = descriptor.organization, descriptor.contact
    temporal = descriptor.temporal
    values: dict[str, ExtraValue] = {
        "title_en": descriptor.title_en,
        "notes_en": descriptor.description_en,
        "keywords": descriptor.keywords,
        "keywords_en": descriptor.keywords_en,
        "identifier": descriptor.name,
        "issued": descriptor.issued,
        "frequency": descriptor.frequency,
        "access_level": descriptor.access_level,
        "access_conditions": descriptor.access_conditions,
        "access_conditions_en": descriptor.access_conditions_en,
        "temporal_start": temporal.start if temporal else None,
        "temporal_end": temporal.end if temporal else None,
        "spatial_codes": descriptor.spatial,
        **_coverage(descriptor, base_url, regions or {}),
        "themes": list[str](descriptor.themes),  # a list of codes, widened to plain str
        "contact_name": contact.name if contact else None,
        "contact_email": contact.email if contact else None,
        "publisher_title_en": organization.title_en if organization else None,
        "publisher_credit_code": organization.credit_code if organization else None,
        "sources": [given(source) for source in descriptor.sources],
        # The domain rules as the steward wrote them: a copy (`opendata push`) checks alike.
        "checks": _checks(descriptor),
        "license": descriptor.licenses[0].name if descriptor.licenses else None,
        # Rows the version's warning checks flagged (absent when none), as a count.
        "validation_warnings": descriptor.warnings() or None,
    }
    return [
        {"key": key, "value": _extra_value(value)}
        for key, value in sorted(values.items())
        if value not in (None, "", [])
    ]


def _coverage(descriptor: Descriptor, base_url: str, regions: RegionNames) -> dict[str, str]:
    if not descriptor.spatial:
        return {}
    found = {"spatial_text": coverage_names(descriptor.spatial, regions)[0]}
    if base_url:  # an IRI, so only with the address it is under
        found["spatial_uri"] = coverage_iri(base_url, descriptor.name)
    return found


def _checks(descriptor: Descriptor) -> list[dict[str, object]]:
    checks = descriptor.properties(["checks"]).get("checks")
    return checks if isinstance(checks, list) else []


def given(part: BaseModel) -> dict[str, object]:
    """A descriptor object as the document wrote it: its keys, none the model defaults."""
    return part.model_dump(by_alias=True, exclude_unset=True)


def _extra_value(value: ExtraValue | dict[str, object]) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return ",".join(str(item) for item in value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def resource_dict(
    descriptor: Descriptor, resource: DescriptorResource, position: int, base_url: str
) -> CkanResource:
    slug, name = descriptor.name, resource.name
    _, modified = dataset_times(descriptor)
    downloads = f"{base_url.rstrip('/')}/api/v1/datasets/{slug}/resources/{name}"
    csv = resource.download("csv")
    found: CkanResource = {
        "cache_last_updated": None,
        "cache_url": None,
        "created": modified,
        "datastore_active": True,
        "description": resource.description or "",
        "format": CSV_FORMAT,
        # The CSV rendered at publish: its size and sha256 (hex, as ckanext-dcat reads it);
        # none for a version published before (empty, as CKAN leaves a linked file's).
        "hash": csv.sha256 if csv is not None else "",
        "id": catalogue_uuid("resource", f"{slug}/{name}"),
        "last_modified": modified,
        "metadata_modified": modified,
        "mimetype": CSV_MIMETYPE,
        "mimetype_inner": None,
        "name": resource.title or name,
        "package_id": catalogue_uuid("dataset", slug),
        "position": position,
        "resource_type": None,
        "size": csv.bytes if csv is not None else None,
        "state": "active",
        "url": f"{downloads}.csv",
        "url_type": None,
        "table": name,
        "name_en": resource.title_en or "",
        "rows": resource.rows,
        "parquet_url": f"{downloads}.parquet",
        "parquet_size": published_bytes(resource),
        "parquet_hash": resource.hash or "",
    }
    if resource.embedded_from is not None:
        found["embedded_from"] = _extra_value(given(resource.embedded_from))
    _add_warnings(found, descriptor, resource, base_url)
    return found


def _add_warnings(
    found: CkanResource, descriptor: Descriptor, resource: DescriptorResource, base_url: str
) -> None:
    """ckanext-validation's `validation_status` of a published resource (it validated:
    "success"; a draft's is not known), and when warning checks flagged rows of it: how
    many, with which flags, and the report that locates them."""
    if descriptor.build is None:
        return
    found["validation_status"] = "success"
    rows = (descriptor.build.warnings or {}).get(resource.name)
    if rows is not None:
        found["validation_warnings"] = rows.rows
        found["validation_flags"] = ";".join(rows.flags)
        found["validation_report"] = (
            f"{base_url.rstrip('/')}/api/v1/datasets/{descriptor.name}/validation"
        )


def tag_dict(tag: str) -> Tag:
    return {
        "display_name": tag,
        "id": catalogue_uuid("tag", tag),
        "name": tag,
        "state": "active",
        "vocabulary_id": None,
    }


def package_dict(
    descriptor: Descriptor, base_url: str, regions: RegionNames | None = None
) -> CkanPackage:
    """The package_show dict of one published descriptor (also each package_search result);
    `regions` names the region codes (code → (zh, en)), as the served code list does."""
    slug = descriptor.name
    created, modified = dataset_times(descriptor)
    organization, contact = descriptor.organization, descriptor.contact
    org = organization_dict(descriptor, created)
    tags = [tag_dict(tag) for tag in tag_names(descriptor)]
    resources = [
        resource_dict(descriptor, resource, position, base_url)
        for position, resource in enumerate(descriptor.resources)
    ]
    groups = sorted(map(group_dict, descriptor.themes), key=lambda group: group["display_name"])
    return {
        "author": organization.title if organization else None,
        "author_email": None,
        "creator_user_id": None,
        "id": catalogue_uuid("dataset", slug),
        **license_of(descriptor),
        "maintainer": contact.name if contact else None,
        "maintainer_email": contact.email if contact else None,
        "metadata_created": created,
        "metadata_modified": modified,
        "name": slug,
        "notes": descriptor.description or "",
        "num_resources": len(resources),
        "num_tags": len(tags),
        "organization": org,
        "owner_org": org["id"] if org else None,
        "private": False,
        "state": "active",
        "title": (descriptor.title or slug).strip(),
        "type": "dataset",
        "url": f"{base_url.rstrip('/')}/dataset/{slug}",
        "version": descriptor.version,
        "extras": extras_of(descriptor, base_url, regions),
        "groups": groups,
        "resources": resources,
        "tags": tags,
        "relationships_as_object": [],
        "relationships_as_subject": [],
    }
