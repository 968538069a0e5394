"""CKAN's delete action (ckan/logic/action/delete.py) as a withdrawal.

`package_delete` maps CKAN's `state: deleted` to a withdrawal (`Store.withdraw`): the dataset
stops being served and listed, its versions stay for provenance, the change feed announces
it, and the folder moves to `<datasets>/.deleted/` so that `opendata build` does not publish
it again. Unlike CKAN, which answers `package_show` of a deleted dataset with its dict (to its
editors) or 403, a withdrawn dataset is Not Found; creating it again serves it again.
"""

from __future__ import annotations

from catalog.ckan.actions.folders import DatasetFolders
from catalog.ckan.shapes import DataDict


def package_delete(folders: DatasetFolders, data: DataDict) -> None:
    """Withdraw a dataset: no longer served or listed; its versions stay."""
    slug = folders.slug(data.get("id"))
    with folders.lock, folders.store.locked(slug):
        _base, source = folders.read(slug)
        folders.check_writable()  # before withdrawing: the folder must move aside after it
        if folders.store.current(slug) is not None:
            folders.store.withdraw(slug, "package_delete through the CKAN Action API")
        folders.set_aside(source)
    folders.actions.refresh()
