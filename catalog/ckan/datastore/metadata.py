"""`_table_metadata`: the DataStore's own table of tables, searchable as CKAN's is.

CKAN whitelists the resource id `_table_metadata` for `datastore_search`: a PostgreSQL view
(ckanext/datastore/set_permissions.sql) with a row per table (`name` the resource id,
`alias_of` null) and a row per alias (`name` the alias, `alias_of` the resource id). Here each
DataStore table is a resource's Parquet file and its alias the SQL view name it also answers
to (`datastore_search_sql`, `datastore_info`'s `aliases`). `_id` is CKAN's own
(`substr(md5(name || coalesce(alias_of, '')), 0, 17)`); `oid` has no PostgreSQL object behind
it and is a stable number from the same digest. Rows come in name order; `filters` (a value or
a list of at most `MAX_FILTER_OPS` values per column), `fields`, `sort` (`name desc`, nulls
last ascending and first descending as in PostgreSQL), `distinct`, `limit`, `offset`,
`include_total` and `records_format` (objects or lists) apply as in any search. `q` is
refused: the view has no `_full_text` column for it to search, as in CKAN.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from catalog.ckan.arguments import names
from catalog.ckan.datastore.filters import MAX_FILTER_OPS
from catalog.ckan.datastore.plans import SORT_CLAUSE
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
    if given.text:
        raise InvalidFields({"q": ["_table_metadata has no full-text index to search"]})
    wanted = _wanted(given.filters)
    fields = _fields(given.fields)
    found = [row for row in _sorted(rows, given.sort) if _kept(row, wanted)]
    projected = [{name: row[name] for name in fields} for row in found]
    if given.distinct:
        projected = list({tuple(row.values()): row for row in projected}.values())
    end = None if given.limit is None else given.offset + given.limit
    page = projected[given.offset : end]
    result = dict(given.echo)
    result["records"] = (
        [list(row.values()) for row in page] if given.records_format == "lists" else page
    )
    result["fields"] = [field for field in FIELDS if field["id"] in fields]
    if given.include_total:
        result["total"] = len(projected)
        result["total_was_estimated"] = False
    return result


# A filter as compared: column → the keys (`_key`) of the values it takes.
Wanted = dict[str, set[str | None]]


def _wanted(filters: Any) -> Wanted:
    """Each filter's values as keys, built once for every row; at most MAX_FILTER_OPS each."""
    if not filters:
        return {}
    if not isinstance(filters, dict):
        raise InvalidFields({"filters": ["Filters must be defined as a dict"]})
    unknown = sorted(set(filters) - set(COLUMNS))
    if unknown:
        raise InvalidFields({"filters": [f'field "{unknown[0]}" not in table']})
    wanted: Wanted = {}
    for name, given in filters.items():
        values = given if isinstance(given, list) else [given]
        if len(values) > MAX_FILTER_OPS:
            raise InvalidFields(
                {"filters": [f'{len(values):,} values for "{name}"; a filter takes at most '
                             f"{MAX_FILTER_OPS}"]}
            )  # fmt: skip
        wanted[name] = {_key(value) for value in values}
    return wanted


def _key(value: Any) -> str | None:
    """A value as a filter compares it: its text (`1` finds the oid 1), null apart."""
    return None if value is None else str(value)


def _kept(row: dict[str, Any], wanted: Wanted) -> bool:
    return all(_key(row[name]) in keys for name, keys in wanted.items())


def _sorted(rows: list[dict[str, Any]], sort: Any) -> list[dict[str, Any]]:
    """`rows` in `sort`'s order: each clause a stable sort, the last clause first."""
    for clause in reversed(names(sort, "sort")):
        field, descending, nulls_first = _clause(clause)
        present = [row for row in rows if row[field] is not None]
        present.sort(key=lambda row: row[field], reverse=descending)
        absent = [row for row in rows if row[field] is None]
        rows = absent + present if nulls_first else present + absent
    return rows


def _clause(clause: str) -> tuple[str, bool, bool]:
    """A sort clause (`name desc nulls last`) as (field, descending, nulls first)."""
    match = SORT_CLAUSE.match(clause)
    field = match.group(1) if match else clause
    if len(field) > 1 and field[0] == field[-1] == '"':
        field = field[1:-1]
    if not match or field not in COLUMNS:
        raise InvalidFields({"sort": [f'invalid value "{clause}"']})
    descending = (match.group(3) or "asc").lower() == "desc"
    nulls = match.group(5) or ("first" if descending else "last")  # PostgreSQL's defaults
    return field, descending, nulls.lower() == "first"


def _fields(fields: Any) -> list[str]:
    if not fields:
        return COLUMNS
    names = fields.split(",") if isinstance(fields, str) else list(fields)
    names = [str(name).strip() for name in names]
    unknown = [name for name in names if name not in COLUMNS]
    if unknown:
        raise InvalidFields({"fields": [f'field "{unknown[0]}" not in table']})
    return names
