"""CKAN 2.12's Action API (ckan/logic/action/), by verb.

get         CkanActions: the read actions over the catalogue index
search      package_search's Solr parameters compiled over the index
create, update, patch, delete
            the write actions, over dataset folders (`folders`), mapping package and
            resource dicts back to descriptors (`packages`); `writer` binds them
registry    the table of actions and which of them change something
"""

from catalog.ckan.actions.get import READ_ACTIONS, CkanActions
from catalog.ckan.actions.packages import Upload
from catalog.ckan.actions.registry import WRITE_ACTIONS, Action
from catalog.ckan.actions.writer import CatalogueWriter

__all__ = [
    "READ_ACTIONS",
    "WRITE_ACTIONS",
    "Action",
    "CatalogueWriter",
    "CkanActions",
    "Upload",
]
