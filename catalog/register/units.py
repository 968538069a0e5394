"""计量单位 of the register's 信息项: a field's own `unit` property, else the units its data
states.

Our tables declare units two ways (docs/descriptor.md): a field property `unit` for a column
in one unit, and, in the long tables, a `unit` column naming each row's unit of `value` (and
`unit_as_printed` that of `value_as_printed`). The register lists the distinct units such a
column holds in the published data, read once per version by one bounded statement; a field
with neither is left without a unit rather than given a guessed one. A conditional dataset's
rows are its data, not public: its fields have only the units its descriptor declares.
"""

from __future__ import annotations

import duckdb

from catalog.errors import raise_store_failure
from catalog.search import small_connection
from catalog.sql import quote
from catalog.store import Package, Store, resource_file

# A measure column → the column naming its unit, row by row.
UNIT_COLUMNS = {"value": "unit", "value_as_printed": "unit_as_printed"}
MAX_UNITS = 20  # distinct units listed for one field (a register cell, not a code list)


def data_units(store: Store, package: Package) -> dict[tuple[str, str], tuple[str, ...]]:
    """(resource, field) → the distinct units the published data states for it, in order;
    none for a conditional dataset, whose rows are not public (only its declared units are)."""
    found: dict[tuple[str, str], tuple[str, ...]] = {}
    version = package.version or ""
    if package.access_level == "conditional":
        return found
    with small_connection(store.files()) as con:
        for resource in package.resources:
            names = (
                {f.name for f in resource.table_schema.fields} if resource.table_schema else set()
            )
            name = resource_file(resource.name)
            if not version or not store.has_file(package.name, version, name):
                continue
            path = store.place(package.name, version, name)
            for measure, unit in UNIT_COLUMNS.items():
                if {measure, unit} <= names:
                    found[(resource.name, measure)] = _distinct(con, path, unit)
    return found


def _distinct(con: duckdb.DuckDBPyConnection, path: str, column: str) -> tuple[str, ...]:
    """The distinct non-empty values of `column`, sorted; none when the file cannot answer,
    `StoreUnavailable` when the store failed the read (the register is kept per generation)."""
    try:
        rows = con.execute(
            f"SELECT DISTINCT CAST({quote(column)} AS VARCHAR) AS u FROM read_parquet(?)"
            " WHERE u IS NOT NULL AND u <> '' ORDER BY u LIMIT ?",
            [path, MAX_UNITS],
        ).fetchall()
    except duckdb.Error as exc:
        raise_store_failure(exc)
        return ()
    return tuple(str(row[0]) for row in rows)
