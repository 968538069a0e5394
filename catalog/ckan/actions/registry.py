"""The table of every action the Action API serves: its name, its kind and its function.

Reads are `CkanActions` methods, writes functions over the dataset folders, DataStore
actions `DataStore` methods, ckanext-dcat's actions `DcatActions` methods
(`catalog.metadata`): each entry names the function itself, so mypy checks that it
exists and takes a data dict. `served` binds the table to one app's objects; the API serves
exactly what it returns, and README's list of actions is checked against `ACTIONS`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

from catalog.ckan.actions.action import Action, checked
from catalog.ckan.actions.create import package_create, resource_create
from catalog.ckan.actions.delete import package_delete
from catalog.ckan.actions.folders import DatasetFolders
from catalog.ckan.actions.get import CkanActions
from catalog.ckan.actions.patch import package_patch, resource_patch
from catalog.ckan.actions.update import package_update, resource_update
from catalog.ckan.actions.writer import package_search, package_show
from catalog.ckan.datastore import DataStore
from catalog.ckan.shapes import DataDict
from catalog.metadata import DcatActions

Kind = Literal["read", "write", "datastore", "dcat"]
Owner = TypeVar("Owner", contravariant=True)


@dataclass(frozen=True)
class Entry(Generic[Owner]):
    """One action: its name on the wire and its function over the object serving it."""

    name: str
    run: Callable[[Owner, DataDict], Any]

    def bind(self, owner: Owner) -> Action:
        """The action as served: bound to `owner`, its text checked; its docstring is its help."""
        bound: Callable[[DataDict], Any] = functools.partial(self.run, owner)
        return Action(checked(bound), (self.run.__doc__ or "").strip())


READS: tuple[Entry[CkanActions], ...] = (
    Entry("status_show", CkanActions.status_show),
    Entry("site_read", CkanActions.site_read),
    Entry("package_list", CkanActions.package_list),
    Entry("current_package_list_with_resources", CkanActions.current_package_list_with_resources),
    Entry("package_show", CkanActions.package_show),
    Entry("resource_show", CkanActions.resource_show),
    Entry("package_search", CkanActions.package_search),
    Entry("organization_list", CkanActions.organization_list),
    Entry("organization_show", CkanActions.organization_show),
    Entry("group_list", CkanActions.group_list),
    Entry("group_show", CkanActions.group_show),
    Entry("tag_list", CkanActions.tag_list),
    Entry("license_list", CkanActions.license_list),
    Entry("help_show", CkanActions.help_show),
    Entry("user_list", CkanActions.user_list),
    Entry("user_show", CkanActions.user_show),
)
DATASTORE: tuple[Entry[DataStore], ...] = (
    Entry("datastore_search", DataStore.search),
    Entry("datastore_info", DataStore.info),
    Entry("datastore_search_sql", DataStore.search_sql),
)
# ckanext-dcat 2.4's actions (its IActions), over the same index as the reads.
DCAT: tuple[Entry[DcatActions], ...] = (
    Entry("dcat_dataset_show", DcatActions.dataset_show),
    Entry("dcat_catalog_show", DcatActions.catalog_show),
    Entry("dcat_catalog_search", DcatActions.catalog_search),
)
WRITES: tuple[Entry[DatasetFolders], ...] = (
    Entry("package_create", package_create),
    Entry("package_update", package_update),
    Entry("package_patch", package_patch),
    Entry("package_delete", package_delete),
    Entry("resource_create", resource_create),
    Entry("resource_update", resource_update),
    Entry("resource_patch", resource_patch),
)
ACTIONS: dict[str, Kind] = {
    **{entry.name: "read" for entry in READS},
    **{entry.name: "datastore" for entry in DATASTORE},
    **{entry.name: "dcat" for entry in DCAT},
    **{entry.name: "write" for entry in WRITES},
}
"""Every served action by name, with its kind, in the order they are listed."""

# CKAN's actions that change something, served here or not: a GET to one is refused as CKAN
# refuses it, and one not served answers Not Authorized to a valid token.
WRITE_ACTIONS = frozenset(
    f"{entity}_{verb}"
    for entity in ("package", "resource", "organization", "group", "datastore", "resource_view")
    for verb in ("create", "update", "patch", "delete")
) | {"datastore_upsert", "package_revise", "dataset_purge", "api_token_create"}


def served(
    reads: CkanActions, datastore: DataStore, dcat: DcatActions, writes: DatasetFolders
) -> dict[str, Action]:
    """Every action of the table, bound to the objects that serve it."""
    return {
        **{entry.name: entry.bind(reads) for entry in READS},
        **{entry.name: entry.bind(datastore) for entry in DATASTORE},
        **{entry.name: entry.bind(dcat) for entry in DCAT},
        **{entry.name: entry.bind(writes) for entry in WRITES},
        # A read, over the folders too: drafts are shown to whom may see them.
        "package_show": Entry("package_show", package_show).bind(writes),
        "package_search": Entry("package_search", package_search).bind(writes),
    }
