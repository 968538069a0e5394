"""The write actions as the Action API serves them, each bound to the dataset folders."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from catalog.ckan.actions.create import package_create, resource_create
from catalog.ckan.actions.delete import package_delete
from catalog.ckan.actions.folders import DatasetFolders
from catalog.ckan.actions.patch import package_patch, resource_patch
from catalog.ckan.actions.update import package_update, resource_update
from catalog.ckan.shapes import DataDict

WRITES: tuple[Callable[[DatasetFolders, DataDict], Any], ...] = (
    package_create,
    package_update,
    package_patch,
    package_delete,
    resource_create,
    resource_update,
    resource_patch,
)


class CatalogueWriter(DatasetFolders):
    """The write actions: each edits a dataset folder and publishes it, or changes nothing."""

    def actions_table(self) -> dict[str, Callable[[DataDict], Any]]:
        """Each write action by name, bound to these folders; its docstring is its help."""
        return {
            write.__name__: functools.update_wrapper(functools.partial(write, self), write)
            for write in WRITES
        }
