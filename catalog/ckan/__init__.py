"""The CKAN Action API and DataStore over the store, the write actions, and push to a CKAN.

actions     the Action API by verb (ckan/logic/action/): read, search, write
datastore   the DataStore extension: search, info, SQL, dumps
arguments   CKAN's argument validators, one of each
mapping     descriptors as CKAN package, resource and group dicts
push        `opendata push`: this catalogue into another CKAN
publishing  a write's validation and publish, in a child process (`child`)
catalogue   the datasets of a DCAT catalogue page, found by package_search (ckanext-dcat)
"""

from catalog.ckan.actions import (
    ACTIONS,
    WRITE_ACTIONS,
    Action,
    CatalogueWriter,
    CkanActions,
    Permit,
    Upload,
    served,
    writing_as,
)
from catalog.ckan.catalogue import CatalogueSyntaxError, catalogue_search
from catalog.ckan.datastore import DUMP_MEDIA_TYPES, DataStore
from catalog.ckan.mapping import CKAN_STATUS
from catalog.ckan.publishing import ChildPublisher
from catalog.ckan.push import Pusher
from catalog.ckan.shapes import DataDict

__all__ = [
    "ACTIONS",
    "CKAN_STATUS",
    "DUMP_MEDIA_TYPES",
    "WRITE_ACTIONS",
    "Action",
    "CatalogueSyntaxError",
    "CatalogueWriter",
    "ChildPublisher",
    "CkanActions",
    "DataDict",
    "DataStore",
    "Permit",
    "Pusher",
    "Upload",
    "catalogue_search",
    "served",
    "writing_as",
]
