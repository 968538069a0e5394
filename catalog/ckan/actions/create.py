"""CKAN's create actions (ckan/logic/action/create.py): a dataset, a resource of one.

A new dataset without resources is a draft (`state: "draft"`, as CKAN calls a dataset whose
resources are still to come): kept as a folder, not served until a resource is uploaded.
Created with `state: "draft"` it stays one while resources are added, and is published once,
with all of them, when a package_update or _patch sets `state: "active"` (CKAN's sequence). A
resource's data comes only as an upload (`upload`, multipart, as ckanapi sends a file): the
catalogue serves what it validated, never a link it did not read. `schema` (a Table Schema,
JSON) types the table; without one, the schema is inferred from the file. `table` names the
resource in the descriptor; else its name is made from the title or file name.
"""

from __future__ import annotations

import copy

from catalog.ckan.actions.folders import (
    DatasetFolders,
    check_descriptor,
    check_links,
    checked_slug,
)
from catalog.ckan.actions.packages import ResourceFields, Upload, resource_name, resource_of
from catalog.ckan.shapes import CkanPackage, CkanResource, DataDict
from catalog.errors import InvalidFields

SCHEMA_PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"


def package_create(folders: DatasetFolders, data: DataDict) -> CkanPackage:
    """Create a dataset from a package dict; resources come with `resource_create`."""
    name = data.get("name")
    if not name:
        raise InvalidFields({"name": ["Missing value"]})
    slug = checked_slug(str(name))
    check_links(data)
    descriptor = folders.descriptor({"$schema": SCHEMA_PROFILE, "name": slug}, data)
    descriptor["resources"] = []
    check_descriptor(descriptor)  # before the lock, which makes the store's folder
    with folders.lock, folders.store.locked(slug):
        if folders.exists(slug):
            raise InvalidFields({"name": ["That URL is already in use."]})
        draft = data.get("state") == "draft"
        folders.commit(slug, descriptor, {}, replace_folder=False, base=None, draft=draft)
    return folders.package(slug)


def resource_create(folders: DatasetFolders, data: DataDict) -> CkanResource:
    """Add a resource to a dataset from an uploaded file, then publish the dataset."""
    upload = data.get("upload")
    if not isinstance(upload, Upload):
        raise InvalidFields({"upload": ["Upload the table as a file: this catalogue serves"
                                        " only data it has validated"]})  # fmt: skip
    check_links(data)
    slug = folders.slug(data.get("package_id"))
    with folders.lock, folders.store.locked(slug):
        base, source = folders.read(slug)
        descriptor = copy.deepcopy(source.descriptor)
        taken = {str(r["name"]) for r in descriptor.get("resources", [])}
        given = ResourceFields.of(data)
        name = resource_name(given, upload, taken)
        if name in taken:
            raise InvalidFields({"table": [f"The dataset already has a resource {name!r}"]})
        descriptor.setdefault("resources", []).append(resource_of({"name": name}, given, upload))
        uploads = {name: upload}
        draft = folders.is_draft(slug)
        folders.commit(
            slug, descriptor, uploads, replace_folder=True, base=base, source=source, draft=draft
        )
    return folders.resource(slug, name)
