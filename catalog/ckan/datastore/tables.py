"""A DataStore table: the current Parquet of one resource, its fields named as CKAN names them.

CKAN's `_id` is the row's 1-based position in the published file (the Parquet row number plus
one): stable within a version, the key of `next_page` keyset paging and of the default sort.
Field types are named as CKAN's PostgreSQL backend names them (`int8`, `numeric`, `text`,
`date`, `timestamp`, `bool`); each field's `info` is its Table Schema title and description.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NotRequired, TypedDict

from catalog.query import ResourceFile
from catalog.sql import Column

ID = Column("_id", "integer", nullable=False)
ID_SQL = "(file_row_number + 1)"
# Table Schema type → the PostgreSQL type name CKAN's backend reports for such a column.
PG_TYPES = {
    "integer": "int8",
    "year": "int4",
    "number": "numeric",
    "boolean": "bool",
    "date": "date",
    "datetime": "timestamp",
    "time": "time",
}
NATIVE_TYPES = {
    "int8": "bigint",
    "int4": "integer",
    "float8": "double precision",
    "bool": "boolean",
    "timestamp": "timestamp without time zone",
}


class FieldSchema(TypedDict):
    """A field's `schema` in datastore_info."""

    native_type: str
    notnull: bool
    index_name: None
    is_index: bool
    uniquekey: bool


class Field(TypedDict):
    """A field as datastore_search and datastore_info list it."""

    id: str
    type: str
    info: NotRequired[dict[str, str]]
    schema: NotRequired[FieldSchema]


@dataclass(frozen=True)
class Table:
    """A DataStore table: the current Parquet of one resource, and its fields with `_id`."""

    resource_id: str
    resource: ResourceFile

    @property
    def columns(self) -> dict[str, Column]:
        return {"_id": ID, **self.resource.schema.columns}

    def describe(self, name: str) -> Field:
        """A field as datastore_search lists it: id, type and the data dictionary `info`."""
        column = self.resource.schema.columns.get(name)
        if column is None:
            return {"id": name, "type": "int" if name == "_id" else "text"}
        field = next((f for f in self.resource.schema.fields if f.get("name") == name), {})
        info = {"label": field.get("title", ""), "notes": field.get("description", "")}
        info["type_override"] = ""
        if field.get("unit"):
            info["unit"] = field["unit"]
        return {"id": name, "type": pg_type(column), "info": info}

    def describe_fully(self, name: str, column: Column) -> Field:
        """A field as datastore_info lists it: `describe`, and its `schema`."""
        key = set(self.resource.schema.primary_key)
        described = self.describe(name)
        described["schema"] = {
            "native_type": native_type(column),
            "notnull": not column.nullable,
            "index_name": None,
            "is_index": False,
            "uniquekey": name in key and len(key) == 1,
        }
        return described


def pg_type(column: Column) -> str:
    """The PostgreSQL type CKAN's backend would give the column."""
    if column.type == "number" and column.decimals is None and column.decimals_field is None:
        return "float8"  # a double; a number with decimals or per-row decimals is exact
    return PG_TYPES.get(column.type, "text")


def native_type(column: Column) -> str:
    """The column's type as PostgreSQL spells it in full (datastore_info's `native_type`)."""
    if column.decimals is not None:
        return f"numeric(38,{column.decimals})"
    kind = pg_type(column)
    return NATIVE_TYPES.get(kind, kind)
