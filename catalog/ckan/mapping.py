"""Published descriptors as CKAN 2.12 dicts: packages, resources, organizations, groups.

Pure mapping, no I/O: `catalog.ckan.actions` calls these for each action. Identifiers are
uuid5 of the slug (see `catalog.search.index.catalogue_uuid`), so they never change; timestamps are
written as CKAN writes them (naive UTC, microseconds, no `Z`). Organizations are the
descriptors' publishing units, groups are their themes, tags are the zh and en keywords, and
our bilingual and catalogue properties travel as `extras`. A resource's `url` is its CSV
download from /api/v1; `datastore_active` is true since every table is queryable.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, NotRequired, TypedDict

from catalog.metadata import THEMES
from catalog.search import catalogue_uuid, utc_moment

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


def _license(
    id_: str, title: str, url: str = "", *, open_: bool = True, **flags: bool
) -> dict[str, str]:
    # CKAN's license_list stringifies every value ("False", "approved").
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


OD = "http://www.opendefinition.org/licenses/"
# CKAN's default license register, in its order (ckan/model/license.py).
LICENSES = [
    _license("notspecified", "License not specified", open_=False, generic=True),
    _license(
        "odc-pddl",
        "Open Data Commons Public Domain Dedication and License (PDDL)",
        OD + "odc-pddl",
        data=True,
    ),
    _license(
        "odc-odbl", "Open Data Commons Open Database License (ODbL)", OD + "odc-odbl", data=True
    ),
    _license("odc-by", "Open Data Commons Attribution License", OD + "odc-by", data=True),
    _license("cc-zero", "Creative Commons CCZero", OD + "cc-zero", content=True, data=True),
    _license("cc-by", "Creative Commons Attribution", OD + "cc-by"),
    _license("cc-by-sa", "Creative Commons Attribution Share-Alike", OD + "cc-by-sa", content=True),
    _license("gfdl", "GNU Free Documentation License", OD + "gfdl", content=True),
    _license("other-open", "Other (Open)", content=True, generic=True),
    _license("other-pd", "Other (Public Domain)", content=True, generic=True),
    _license("other-at", "Other (Attribution)", content=True, generic=True),
    _license(
        "uk-ogl",
        "UK Open Government Licence (OGL)",
        "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
        content=True,
    ),
    _license(
        "cc-nc",
        "Creative Commons Non-Commercial (Any)",
        "http://creativecommons.org/licenses/by-nc/2.0/",
        open_=False,
    ),
    _license("other-nc", "Other (Non-Commercial)", open_=False, generic=True),
    _license("other-closed", "Other (Not Open)", open_=False, generic=True),
]
LICENSES_BY_ID = {entry["id"]: entry for entry in LICENSES}
# SPDX names in descriptors → CKAN's ids, so harvesting CKANs recognise the license.
SPDX_TO_CKAN = {
    "CC-BY-4.0": "cc-by",
    "CC-BY-3.0": "cc-by",
    "CC-BY-SA-4.0": "cc-by-sa",
    "CC0-1.0": "cc-zero",
    "ODbL-1.0": "odc-odbl",
    "ODC-By-1.0": "odc-by",
    "PDDL-1.0": "odc-pddl",
    "GFDL-1.3": "gfdl",
}
CSV_MIMETYPE = "text/csv"


def ckan_timestamp(value: Any) -> str | None:
    """`2026-01-01T09:00:00Z` → `2026-01-01T09:00:00.000000`, the form CKAN writes."""
    moment = value if isinstance(value, datetime) else utc_moment(value)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f") if moment else None


def dataset_times(descriptor: dict[str, Any]) -> tuple[str | None, str | None]:
    """(metadata_created, metadata_modified): first publication and the current version's."""
    modified = utc_moment(descriptor.get("build", {}).get("published", ""))
    issued = utc_moment(descriptor.get("issued", ""))
    created = min(issued, modified) if issued and modified else issued or modified
    return ckan_timestamp(created), ckan_timestamp(modified)


def license_of(descriptor: dict[str, Any]) -> dict[str, Any]:
    """license_id, license_title, license_url and isopen of a descriptor's first license."""
    licenses = descriptor.get("licenses") or []
    if not licenses:
        return {"license_id": None, "license_title": None, "isopen": False}
    first = licenses[0]
    known = LICENSES_BY_ID.get(SPDX_TO_CKAN.get(str(first.get("name")), ""))
    if known is not None:
        found = {"license_id": known["id"], "license_title": known["title"]}
        if known["url"]:
            found["license_url"] = known["url"]
        return {**found, "isopen": known["od_conformance"] == "approved"}
    found = {
        "license_id": first.get("name"),
        "license_title": first.get("title") or first.get("name"),
    }
    if first.get("path"):
        found["license_url"] = first["path"]
    return {**found, "isopen": False}


def tag_names(descriptor: dict[str, Any]) -> list[str]:
    """The zh and en keywords, each once, in CKAN's order (by name)."""
    return sorted({*descriptor.get("keywords", []), *descriptor.get("keywords_en", [])})


class ShortGroup(TypedDict):
    """A theme as the short group dict inside a package."""

    description: str
    display_name: str
    id: str
    image_display_url: str
    name: str
    title: str


class Unit(TypedDict):
    """An organization (a publishing unit) or a group (a theme) as the list actions show it,
    dated by its first dataset."""

    id: str
    name: str
    title: str
    type: str
    description: str
    image_url: str
    created: str | None
    is_organization: bool
    approval_status: str
    state: str
    display_name: NotRequired[str]
    image_display_url: NotRequired[str]


def organization_dict(organization: dict[str, Any], created: str | None) -> Unit:
    name = organization.get("name", "")
    return {
        "id": catalogue_uuid("organization", name),
        "name": name,
        "title": organization.get("title") or name,
        "type": "organization",
        "description": organization.get("title_en", ""),
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


def full_group_dict(
    theme_or_org: Unit, *, package_count: int, extras: list[dict[str, str]]
) -> dict[str, Any]:
    """organization_show / group_show: the short dict with counts, members and extras."""
    shown: dict[str, Any] = dict(theme_or_org)
    shown.setdefault("display_name", shown["title"])
    shown.setdefault("image_display_url", shown.get("image_url", ""))
    shown.setdefault("image_url", "")
    shown.setdefault("is_organization", False)
    shown.setdefault("type", "group")
    shown.setdefault("approval_status", "approved")
    shown.setdefault("state", "active")
    shown.update(
        package_count=package_count, extras=extras, groups=[], users=[], tags=[], num_followers=0
    )
    return shown


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


def extras_of(descriptor: dict[str, Any]) -> list[dict[str, str]]:
    """Our bilingual and catalogue properties as CKAN extras (string values, sorted by key)."""
    organization = descriptor.get("organization") or {}
    temporal = descriptor.get("temporal") or {}
    contact = descriptor.get("contact") or {}
    values: dict[str, Any] = {
        "title_en": descriptor.get("title_en"),
        "notes_en": descriptor.get("description_en"),
        "keywords": descriptor.get("keywords"),
        "keywords_en": descriptor.get("keywords_en"),
        "identifier": descriptor.get("name"),
        "issued": descriptor.get("issued"),
        "frequency": descriptor.get("frequency"),
        "access_level": descriptor.get("access_level"),
        "temporal_start": temporal.get("start"),
        "temporal_end": temporal.get("end"),
        "spatial": descriptor.get("spatial"),
        "themes": descriptor.get("themes"),
        "contact_name": contact.get("name"),
        "contact_email": contact.get("email"),
        "publisher_title_en": organization.get("title_en"),
        "publisher_credit_code": organization.get("credit_code"),
        "sources": descriptor.get("sources"),
        "license": (descriptor.get("licenses") or [{}])[0].get("name"),
    }
    return [
        {"key": key, "value": _extra_value(value)}
        for key, value in sorted(values.items())
        if value not in (None, "", [])
    ]


def _extra_value(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return ",".join(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def resource_dict(
    descriptor: dict[str, Any], resource: dict[str, Any], position: int, base_url: str
) -> dict[str, Any]:
    slug = descriptor["name"]
    name = resource["name"]
    _, modified = dataset_times(descriptor)
    downloads = f"{base_url.rstrip('/')}/api/v1/datasets/{slug}/resources/{name}"
    found = {
        "cache_last_updated": None,
        "cache_url": None,
        "created": modified,
        "datastore_active": True,
        "description": resource.get("description", ""),
        "format": "CSV",
        # The CSV is written from the Parquet on request: its bytes are not known ahead, so
        # `size` and `hash` stay empty as CKAN leaves them for a linked file; the published
        # Parquet's facts travel in `parquet_*`.
        "hash": "",
        "id": catalogue_uuid("resource", f"{slug}/{name}"),
        "last_modified": modified,
        "metadata_modified": modified,
        "mimetype": CSV_MIMETYPE,
        "mimetype_inner": None,
        "name": resource.get("title") or name,
        "package_id": catalogue_uuid("dataset", slug),
        "position": position,
        "resource_type": None,
        "size": None,
        "state": "active",
        "url": f"{downloads}.csv",
        "url_type": None,
        "table": name,
        "name_en": resource.get("title_en", ""),
        "rows": resource.get("rows"),
        "parquet_url": f"{downloads}.parquet",
        "parquet_size": resource.get("bytes"),
        "parquet_hash": resource.get("hash", ""),
    }
    if "embedded_from" in resource:
        found["embedded_from"] = _extra_value(resource["embedded_from"])
    return found


def package_dict(descriptor: dict[str, Any], base_url: str) -> dict[str, Any]:
    """The package_show dict of one published descriptor (also each package_search result)."""
    slug = descriptor["name"]
    created, modified = dataset_times(descriptor)
    organization = descriptor.get("organization") or {}
    contact = descriptor.get("contact") or {}
    org = organization_dict(organization, created) if organization.get("name") else None
    tags = [
        {
            "display_name": tag,
            "id": catalogue_uuid("tag", tag),
            "name": tag,
            "state": "active",
            "vocabulary_id": None,
        }
        for tag in tag_names(descriptor)
    ]
    resources = [
        resource_dict(descriptor, resource, position, base_url)
        for position, resource in enumerate(descriptor.get("resources", []))
    ]
    groups = sorted(
        (group_dict(theme) for theme in descriptor.get("themes", [])),
        key=lambda group: group["display_name"],
    )
    return {
        "author": organization.get("title"),
        "author_email": None,
        "creator_user_id": None,
        "id": catalogue_uuid("dataset", slug),
        **license_of(descriptor),
        "maintainer": contact.get("name"),
        "maintainer_email": contact.get("email"),
        "metadata_created": created,
        "metadata_modified": modified,
        "name": slug,
        "notes": descriptor.get("description", ""),
        "num_resources": len(resources),
        "num_tags": len(tags),
        "organization": org,
        "owner_org": org["id"] if org else None,
        "private": False,
        "state": "active",
        "title": (descriptor.get("title") or slug).strip(),
        "type": "dataset",
        "url": f"{base_url.rstrip('/')}/dataset/{slug}",
        "version": descriptor.get("version"),
        "extras": extras_of(descriptor),
        "groups": groups,
        "resources": resources,
        "tags": tags,
        "relationships_as_object": [],
        "relationships_as_subject": [],
    }
