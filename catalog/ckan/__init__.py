"""The CKAN Action API and DataStore over the store, the write actions, and push to a CKAN."""

from catalog.ckan.actions import WRITE_ACTIONS, Action, CkanActions
from catalog.ckan.datastore import DUMP_MEDIA_TYPES, DataStore
from catalog.ckan.mapping import CKAN_STATUS
from catalog.ckan.push import Pusher
from catalog.ckan.writes import CatalogueWriter, Upload

__all__ = [
    "CKAN_STATUS",
    "DUMP_MEDIA_TYPES",
    "WRITE_ACTIONS",
    "Action",
    "CatalogueWriter",
    "CkanActions",
    "DataStore",
    "Pusher",
    "Upload",
]
