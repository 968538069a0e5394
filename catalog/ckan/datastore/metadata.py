"""`_table_metadata`: the DataStore's own table of tables, searchable as CKAN's is.

CKAN whitelists the resource id `_table_metadata` for `datastore_search`: a PostgreSQL view
(ckanext/datastore/set_permissions.sql) with a row per table (`name` the resource id,
`alias_of` null) and a row per alias (`name` the alias, `alias_of` the resource id). Here each
DataStore table is a resource's Parquet file and its alias the SQL view name it also answers
to (`datastore_search_sql`, `datastore_info`'s `aliases`). `_id` is CKAN's own
(`substr(md5(name || coalesce(alias_of, '')), 0, 17)`); `oid` has no PostgreSQL object behind
it and is a stable number from the same digest. Rows come in name order; `filters` (a value or
a list of values per column), `fields`, `limit`, `offset`, `include_total` and
`records_format` (objects or lists) apply as in any search.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from catalog.ckan.datastore.schema import SearchArguments
from catalog.ckan.shapes import DataDict
from catalog.errors import InvalidFields

TABLE_METADATA = "_table_metadata"
FIELDS = [
    {"id": "_id", "type": "text"},
    {"id": "name", "type": "text"},
    {"id": "oid", "type": "oid"},
    {"id": "alias_of", "type": "text"},
]
COLUMNS = [field["id"] for field in FIELDS]


def metadata_rows(tables: Iterable[tuple[str, str]]) -> list[dict[str, Any]]:
    """The view's rows for (resource id, alias) pairs, in name order."""
    rows: list[dict[str, Any]] = []
    for resource_id, alias in tables:
        rows.extend((_row(resource_id, None), _row(alias, resource_id)))
    return sorted(rows, key=lambda row: row["name"])


def _row(name: str, alias_of: str | None) -> dict[str, Any]:
    digest = hashlib.md5((name + (alias_of or "")).encode(), usedforsecurity=False).hexdigest()
    return {"_id": digest[:16], "name": name, "oid": int(digest[16:24], 16), "alias_of": alias_of}


def search_metadata(rows: list[dict[str, Any]], given: SearchArguments) -> DataDict:
    """datastore_search's answer over the view's `rows`."""
    if given.records_format not in ("objects", "lists"):
        raise InvalidFields({"records_format": ["Only objects and lists for _table_metadata"]})
    found = [row for row in rows if _kept(row, given.filters)]
    fields = _fields(given.fields)
    end = None if given.limit is None else given.offset + given.limit
    page = [{name: row[name] for name in fields} for row in found[given.offset : end]]
    result = dict(given.echo)
    result["records"] = (
        [list(row.values()) for row in page] if given.records_format == "lists" else page
    )
    result["fields"] = [field for field in FIELDS if field["id"] in fields]
    if given.include_total:
        result["total"] = len(found)
        result["total_was_estimated"] = False
    return result


def _kept(row: dict[str, Any], filters: Any) -> bool:
    if not filters:
        return True
    if not isinstance(filters, dict):
        raise InvalidFields({"filters": ["Filters must be defined as a dict"]})
    unknown = sorted(set(filters) - set(COLUMNS))
    if unknown:
        raise InvalidFields({"filters": [f'field "{unknown[0]}" not in table']})
    for name, wanted in filters.items():
        values = wanted if isinstance(wanted, list) else [wanted]
        if row[name] not in values and str(row[name]) not in [str(v) for v in values]:
            return False
    return True


def _fields(fields: Any) -> list[str]:
    if not fields:
        return COLUMNS
    names = fields.split(",") if isinstance(fields, str) else list(fields)
    names = [str(name).strip() for name in names]
    unknown = [name for name in names if name not in COLUMNS]
    if unknown:
        raise InvalidFields({"fields": [f'field "{unknown[0]}" not in table']})
    return names
