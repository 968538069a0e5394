"""The object the write actions run over: the dataset folders, bound to the read actions;
and package_show, which shows drafts (folders not yet published) to whom may see them."""

from __future__ import annotations

from catalog.ckan.actions.folders import DatasetFolders
from catalog.ckan.shapes import CkanPackage, DataDict
from catalog.errors import InvalidFields, NotAuthorized, NotFound
from catalog.search import catalogue_uuid
from catalog.state import current_reader
from catalog.store import load_dataset


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
    reader = current_reader()
    token = reader.token() if reader is not None else None
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
