"""The dicts CKAN 2.12's Action API answers with, as this catalogue fills them.

Answers are served with their keys in the order `catalog.ckan.mapping` writes them, which is
not always the order here (an organization's and a theme's keys come in different orders).
A key is `NotRequired` where CKAN leaves it out rather than writing null: a package's
`license_url` for a license without one, a resource's `embedded_from` (ours) for a table that
is not a copied code list.
"""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict

# A request's `data_dict`: arbitrary JSON as the client sent it, parsed by each action once
# (`catalog.ckan.arguments`, `SearchParams`, the DataStore's `SearchArguments`). Actions that
# echo it back, or map it to a descriptor, see it as CKAN does: a JSON object.
DataDict = dict[str, Any]


class Status(TypedDict):
    """status_show's answer."""

    site_title: str
    site_description: str
    site_url: str
    error_emails_to: None
    locale_default: str
    extensions: list[str]
    ckan_version: str


class LicenseEntry(TypedDict):
    """One license of CKAN's register, every value stringified as `license_list` shows it."""

    domain_content: str
    domain_data: str
    domain_software: str
    family: str
    id: str
    is_generic: str
    maintainer: str
    od_conformance: str
    osd_conformance: str
    status: str
    title: str
    url: str


class LicenseFields(TypedDict):
    """A package's license keys."""

    license_id: str | None
    license_title: str | None
    license_url: NotRequired[str]
    isopen: bool


class Tag(TypedDict):
    display_name: str
    id: str
    name: str
    state: NotRequired[str]  # tag_list's dicts leave it out
    vocabulary_id: None


class Extra(TypedDict):
    key: str
    value: str


class ShortGroup(TypedDict):
    """A theme as the short group dict inside a package."""

    description: str
    display_name: str
    id: str
    image_display_url: str
    name: str
    title: str


class UnitFields(TypedDict):
    """What every answer about an organization or a group (a theme) carries."""

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


class Unit(UnitFields):
    """An organization (a publishing unit) or a group (a theme) as the list actions show it,
    dated by its first dataset."""

    display_name: NotRequired[str]
    image_display_url: NotRequired[str]


class CkanResource(TypedDict):
    """A resource dict: CKAN's keys, then ours (`table`, `name_en`, `rows`, `parquet_*`)."""

    cache_last_updated: None
    cache_url: None
    created: str | None
    datastore_active: bool
    description: str
    format: str
    hash: str
    id: str
    last_modified: str | None
    metadata_modified: str | None
    mimetype: str
    mimetype_inner: None
    name: str
    package_id: str
    position: int
    resource_type: None
    size: int | None
    state: str
    url: str
    url_type: None
    table: str
    name_en: str
    rows: int | None
    parquet_url: str
    parquet_size: int | None
    parquet_hash: str
    embedded_from: NotRequired[str]
    # ckanext-validation's name: a published resource validated, so "success"
    validation_status: NotRequired[str]
    validation_warnings: NotRequired[int]
    validation_flags: NotRequired[str]
    validation_report: NotRequired[str]


class CkanPackage(TypedDict):
    """A package dict, as package_show returns it and package_search lists it."""

    author: str | None
    author_email: None
    creator_user_id: None
    id: str
    license_id: str | None
    license_title: str | None
    license_url: NotRequired[str]
    isopen: bool
    maintainer: str | None
    maintainer_email: str | None
    metadata_created: str | None
    metadata_modified: str | None
    name: str
    notes: str
    num_resources: int
    num_tags: int
    organization: Unit | None
    owner_org: str | None
    private: bool
    state: str
    title: str
    type: str
    url: str
    version: str | None
    extras: list[Extra]
    groups: list[ShortGroup]
    resources: list[CkanResource]
    tags: list[Tag]
    relationships_as_object: list[Any]  # always empty: we keep no relationships
    relationships_as_subject: list[Any]


class GroupShown(UnitFields):
    """organization_show / group_show (and list with `all_fields`): a unit with its counts."""

    display_name: str
    image_display_url: str
    package_count: int
    extras: list[Extra]
    groups: list[Any]  # always empty: no group hierarchy, no members shown
    users: list[Any]
    tags: list[Any]
    num_followers: int


class GroupWithPackages(GroupShown):
    """A group shown with `include_datasets`: its first datasets as package_search lists them."""

    packages: list[CkanPackage] | list[dict[str, object]]


class FacetItem(TypedDict):
    name: str
    display_name: str
    count: int


class SearchFacet(TypedDict):
    title: str
    items: list[FacetItem]


class SearchResult(TypedDict):
    """package_search's result; with `fl` the results keep only the fields asked for."""

    count: int
    facets: dict[str, dict[str, int]]
    results: list[CkanPackage] | list[dict[str, object]]
    sort: str
    search_facets: dict[str, SearchFacet]
