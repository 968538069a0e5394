"""CKAN's update actions (ckan/logic/action/update.py): a dataset's metadata, a resource's.

Fields a package_update leaves out keep their value; a package's `resources` list names
existing resources (new ones come with `resource_create` and a file). A resource_update
with a file replaces the resource's data. `state: "active"` publishes a draft
(`catalog.ckan.actions.create`); `state: "draft"` holds the dataset's next writes unpublished
while its current version goes on serving.
"""

from __future__ import annotations

import copy

from catalog.ckan.actions.folders import DatasetFolders, check_links, position
from catalog.ckan.actions.packages import ResourceFields, Upload, resource_of
from catalog.ckan.shapes import CkanPackage, CkanResource, DataDict


def package_update(folders: DatasetFolders, data: DataDict) -> CkanPackage:
    """Update a dataset's metadata (and resource metadata when `resources` is given)."""
    check_links(data)
    slug = folders.slug(data.get("id") or data.get("name"))
    with folders.lock, folders.store.locked(slug):
        base, source = folders.read(slug)
        descriptor = folders.descriptor(source.descriptor, data)
        if isinstance(data.get("resources"), list):
            descriptor["resources"] = folders.resources_from(source, data["resources"])
        state = data.get("state")
        draft = state == "draft" or (state != "active" and folders.is_draft(slug))
        folders.commit(
            slug, descriptor, {}, replace_folder=True, base=base, source=source, draft=draft
        )
    return folders.package(slug)


def resource_update(folders: DatasetFolders, data: DataDict) -> CkanResource:
    """Replace a resource's metadata, and its data when a file is uploaded."""
    check_links(data)
    slug, name = folders.resource_key(data.get("id"))
    with folders.lock, folders.store.locked(slug):
        base, source = folders.read(slug)
        descriptor = copy.deepcopy(source.descriptor)
        found = position(source, name)
        upload = data.get("upload") if isinstance(data.get("upload"), Upload) else None
        given = ResourceFields.of(data)
        descriptor["resources"][found] = resource_of(descriptor["resources"][found], given, upload)
        uploads = {name: upload} if upload else {}
        draft = folders.is_draft(slug)
        folders.commit(
            slug, descriptor, uploads, replace_folder=True, base=base, source=source, draft=draft
        )
    return folders.resource(slug, name)
