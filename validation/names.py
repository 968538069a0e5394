"""The names a descriptor gives that become part of a path, a URL or a SQL view: one
definition, read by validation (`opendata validate`) and by the store (`catalog.store`);
and the field names every published table may use, read by validation and by the CKAN
write actions (`catalog.ckan.actions`).

Always used with `fullmatch`: `match` with `$` accepts a trailing newline. Neither pattern
admits a separator, a NUL, a newline or a name made of dots, so no name can leave the folder
it names something in; 100 characters keep every path well inside the file system's limits.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

# A dataset's slug: its folder, its URLs, its CKAN name. Stable forever.
SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,99}")
# A resource's name: its file, its URL segment, part of its SQL view name.
RESOURCE_NAME = re.compile(r"[a-z0-9][a-z0-9_]{0,99}")


def is_slug(value: object) -> bool:
    return isinstance(value, str) and SLUG.fullmatch(value) is not None


def is_resource_name(value: object) -> bool:
    return isinstance(value, str) and RESOURCE_NAME.fullmatch(value) is not None


# DuckDB's name for a Parquet file's row number (`read_parquet(..., file_row_number = true)`),
# which its column names, compared without case, must not repeat.
ROW_NUMBER_NAME = "file_row_number"


def field_name_problem(name: str) -> str | None:
    """Why a published table may not have a field named `name`; None when it may.

    Every published table is also a DataStore table (`datastore_search`, `_sql`, the dumps),
    so its field names follow CKAN's rule (ckanext/datastore/helpers.py
    `is_valid_field_name`, CKAN 2.12): not empty, no whitespace at either end, no `"`, no
    control or format character, and nothing starting with `_`: CKAN's DataStore keeps those
    for its own columns, the row number `_id` and the text index `_full_text`, which a
    table's field of that name would collide with. Nor `file_row_number`, in any case: the
    query engine reads every Parquet file with DuckDB's row number, which takes that name
    (a file with such a column answered every read with an error).
    """
    if name.startswith("_"):
        return (
            'names starting with "_" are reserved by the CKAN DataStore API, which numbers'
            ' rows "_id" and indexes their text as "_full_text"; give the field another name'
        )
    if name.lower() == ROW_NUMBER_NAME:
        return (
            f'"{ROW_NUMBER_NAME}" (in any case) is the name of the row number the query engine'
            " reads each published file with; give the field another name"
        )
    if not name:
        fault = "be empty"
    elif name != name.strip():
        fault = "start or end with whitespace"
    elif '"' in name:
        fault = "hold a double quote"
    elif any(unicodedata.category(char).startswith("C") for char in name):
        fault = "hold a control or format character"
    else:
        return None
    return f"a field name may not {fault} (the CKAN DataStore API refuses it)"


def refused_field_name(schema: object) -> str | None:
    """The first field name of a Table Schema that `field_name_problem` refuses, if any."""
    fields = schema.get("fields") if isinstance(schema, Mapping) else None
    for field in fields if isinstance(fields, list) else []:
        name = field.get("name") if isinstance(field, Mapping) else None
        if isinstance(name, str) and field_name_problem(name) is not None:
            return name
    return None
