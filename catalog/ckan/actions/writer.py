"""The object the write actions run over: the dataset folders, bound to the read actions;
and package_show and package_search, which show drafts (folders not yet published) to whom
may see them."""

from __future__ import annotations

from catalog.ckan.actions.folders import DatasetFolders
from catalog.ckan.arguments import boolean
from catalog.ckan.shapes import CkanPackage, DataDict, SearchResult
from catalog.errors import DescriptorError, InvalidFields, NotAuthorized, NotFound
from catalog.search import catalogue_uuid
from catalog.state import ApiToken, current_reader
from catalog.store import Package, load_dataset
from validation import is_slug


class CatalogueWriter(DatasetFolders):
    """The write actions' target: each edits a dataset folder and publishes it, or changes
    nothing. The actions themselves are listed in `catalog.ckan.actions.registry.WRITES`."""


def package_show(folders: DatasetFolders, data: DataDict) -> CkanPackage:
    """Return the metadata of a dataset (package) and its resources, by `id` or name; a
    draft too, to a token that may publish its organization's datasets.

    As CKAN 2.12 shows a draft (its auth `package_show`, by permission labels): a dataset not
    yet published (created without resources, or marked `state: "draft"`) is shown with
    `state: "draft"` to its organization's members and to sysadmins, here a token with
    `publish:<organization>` or `admin`; anyone else gets `Authorization Error` (403), not
    `Not Found`, as CKAN answers. This catalogue has no private datasets."""
    try:
        return folders.actions.package_show(data)
    except NotFound:
        slug = _draft(folders, data.get("id") or data.get("name_or_id"))
        if slug is None:
            raise
    package = load_dataset(folders.datasets / slug).package
    organization = package.organization.name if package.organization else None
    token = _token()
    if token is None or not token.may_publish(organization):
        dataset = catalogue_uuid("dataset", slug)
        raise NotAuthorized(f"User not authorized to read package {dataset}")
    return folders.package(slug)


def _draft(folders: DatasetFolders, name_or_id: object) -> str | None:
    """The slug of the draft `name_or_id` names; None when it names none (a withdrawn
    dataset's folder left in place is no draft)."""
    try:
        slug = folders.slug(name_or_id)
    except (NotFound, InvalidFields):
        return None
    unserved = folders.store.current(slug) is None and folders.store.withdrawal(slug) is None
    return slug if folders.is_draft(slug) or unserved else None


def package_search(folders: DatasetFolders, data: DataDict) -> SearchResult:
    """Search datasets with Solr's `q`, `fq`, `sort`, `rows`, `start` and facets; with
    `include_drafts`, the drafts the token may see as well.

    As CKAN 2.12's permission labels decide: a draft is found by its organization's members
    (here a token with `publish:<organization>`) and by sysadmins (`admin`), with `state:
    "draft"`, matched, counted, sorted and faceted as the published ones are; for anyone
    else the flag adds nothing. `include_private` adds nothing for anyone: this catalogue
    has no private datasets (a conditional one is listed to all, its data granted)."""
    token = _token()
    if token is None or not boolean(data.get("include_drafts")):
        return folders.actions.package_search(data)
    return folders.actions.package_search(data, _drafts_of(folders, token))


def _drafts_of(folders: DatasetFolders, token: ApiToken) -> dict[str, tuple[Package, CkanPackage]]:
    """slug → (descriptor, package dict) of every unpublished draft `token` may see. A draft
    of a dataset already served is not listed again: the served version is what it finds."""
    found: dict[str, tuple[Package, CkanPackage]] = {}
    for slug in _unserved_drafts(folders):
        try:
            package = load_dataset(folders.datasets / slug).package
        except (NotFound, DescriptorError):
            continue  # a folder edited by hand into no dataset: `opendata build` names it
        organization = package.organization.name if package.organization else None
        if token.may_publish(organization):
            found[slug] = (package, folders.package(slug))
    return found


def _unserved_drafts(folders: DatasetFolders) -> list[str]:
    if not folders.datasets.is_dir():
        return []
    # `_draft`'s rule, less a served dataset marked draft: its served version is found.
    names = sorted(f.name for f in folders.datasets.iterdir() if is_slug(f.name))
    store = folders.store
    return [
        name
        for name in names
        if folders.exists(name)
        and store.current(name) is None
        and (folders.is_draft(name) or store.withdrawal(name) is None)
    ]


def _token() -> ApiToken | None:
    reader = current_reader()
    return reader.token() if reader is not None else None
