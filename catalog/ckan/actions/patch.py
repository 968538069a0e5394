"""CKAN's patch actions (ckan/logic/action/patch.py): only the given fields change."""

from __future__ import annotations

from catalog.ckan.actions.folders import DatasetFolders
from catalog.ckan.actions.update import package_update, resource_update
from catalog.ckan.shapes import CkanPackage, CkanResource, DataDict


def package_patch(folders: DatasetFolders, data: DataDict) -> CkanPackage:
    """Change only the given fields of a dataset."""
    slug = folders.slug(data.get("id") or data.get("name"))
    with folders.lock, folders.store.locked(slug):
        # Read under the lock, fresh from the store: fields the patch leaves out keep
        # the value they have now, not one another writer has since replaced.
        folders.actions.refresh()
        current = folders.package(slug)
        # `state` only when the patch gives it: the shown one ("draft" for a dataset not yet
        # served) is not a request to hold the dataset's writes.
        kept = {key: value for key, value in current.items() if key != "state"}
        return package_update(folders, {**kept, **data, "id": slug})


def resource_patch(folders: DatasetFolders, data: DataDict) -> CkanResource:
    """Change only the given fields of a resource (a new upload replaces its data)."""
    return resource_update(folders, data)
