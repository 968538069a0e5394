"""CKAN 2.12's Action API (ckan/logic/action/), by verb.

get         CkanActions: the read actions over the catalogue index
search      package_search's Solr parameters compiled over the index
create, update, patch, delete
            the write actions, over dataset folders (`folders`), mapping package and
            resource dicts back to descriptors (`packages`); `writer` binds them
action      one served action: its function, checked, and its help
registry    the table of every served action (read, write, DataStore) and CKAN's write names
"""

from catalog.ckan.actions.action import Action
from catalog.ckan.actions.folders import Permit, writing_as
from catalog.ckan.actions.get import CkanActions
from catalog.ckan.actions.packages import Upload
from catalog.ckan.actions.registry import ACTIONS, WRITE_ACTIONS, served
from catalog.ckan.actions.writer import CatalogueWriter

__all__ = [
    "ACTIONS",
    "WRITE_ACTIONS",
    "Action",
    "CatalogueWriter",
    "CkanActions",
    "Permit",
    "Upload",
    "served",
    "writing_as",
]
