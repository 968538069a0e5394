"""CKAN 2.12's DataStore over the published Parquet (ckanext/datastore): search, info, SQL, dumps.

actions   DataStore: datastore_search, datastore_info, datastore_search_sql, dumps
schema    datastore_search's arguments, validated
plans     the SQL of one search: filters, `q`, fields, sort, paging
filters   CKAN's `filters` as SQL conditions
tables    a DataStore table: a resource's current file, its fields as CKAN types them
dumps     the dump writers: CSV and TSV (the output renderer's), JSON, XML
"""

from catalog.ckan.datastore.actions import DataStore
from catalog.ckan.datastore.dumps import DUMP_MEDIA_TYPES

__all__ = ["DUMP_MEDIA_TYPES", "DataStore"]
