"""The object the write actions run over: the dataset folders, bound to the read actions."""

from __future__ import annotations

from catalog.ckan.actions.folders import DatasetFolders


class CatalogueWriter(DatasetFolders):
    """The write actions' target: each edits a dataset folder and publishes it, or changes
    nothing. The actions themselves are listed in `catalog.ckan.actions.registry.WRITES`."""
