"""A store's published resources as an analyst finds them, and the types each engine gives.

Read the way docs/analytics.md tells an analyst to: `<store>/<slug>/CURRENT` names the
version, its `datapackage.json` names each resource's Parquet file (`path`) with its Table
Schema, `rows`, `byte_size` and `hash`. Nothing here asks the catalogue: these are the
published bytes read unchanged.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Table Schema type -> the type each engine reads its Parquet column as, as the engine
# prints it (pyarrow, DuckDB's DESCRIBE, polars' schema, Spark's StructField). The mapping
# is the published format (validation/schema.py writes it): stated here on its own, so a
# change of what we write fails here instead of changing both sides at once.
ENGINES = ("arrow", "duckdb", "polars", "spark")
TYPES: dict[str, tuple[str, str, str, str]] = {
    "string": ("string", "VARCHAR", "String", "StringType()"),
    "integer": ("int64", "BIGINT", "Int64", "LongType()"),
    "number": ("double", "DOUBLE", "Float64", "DoubleType()"),
    "boolean": ("bool", "BOOLEAN", "Boolean", "BooleanType()"),
    "date": ("date32[day]", "DATE", "Date", "DateType()"),
    # Table Schema's datetime has no zone: a timestamp without one in every engine.
    "datetime": (
        "timestamp[us]",
        "TIMESTAMP",
        "Datetime(time_unit='us', time_zone=None)",
        "TimestampNTZType()",
    ),
    "year": ("int32", "INTEGER", "Int32", "IntegerType()"),
    "yearmonth": ("string", "VARCHAR", "String", "StringType()"),
}
# A number with `decimals: d` is decimal(18, d); one with `decimalsField` decimal(38, S),
# S the largest value of that field (0 when it has none): docs/descriptor.md, "Fields".
DECIMAL = (
    "decimal128({p}, {s})",
    "DECIMAL({p},{s})",
    "Decimal(precision={p}, scale={s})",
    "DecimalType({p},{s})",
)
NUMERIC = ("integer", "number", "year")


@dataclass(frozen=True)
class Resource:
    """One resource of a dataset's current version, as its descriptor publishes it."""

    slug: str
    version: str
    folder: Path
    descriptor: dict[str, Any]

    @property
    def name(self) -> str:
        return str(self.descriptor["name"])

    @property
    def path(self) -> Path:
        return self.folder / self.descriptor["path"]

    @property
    def rows(self) -> int:
        return int(self.descriptor["rows"])

    @property
    def fields(self) -> list[dict[str, Any]]:
        fields: list[dict[str, Any]] = self.descriptor["schema"]["fields"]
        return fields

    @property
    def numeric(self) -> list[str]:
        """The fields an engine can sum."""
        return [f["name"] for f in self.fields if f["type"] in NUMERIC]

    def __str__(self) -> str:
        return f"{self.slug}/{self.version}/{self.name}"


def published(store: Path) -> list[Resource]:
    """Every resource of every dataset's current version in `store`."""
    found = []
    for current in sorted(store.glob("*/CURRENT")):
        version = current.read_text(encoding="utf-8").strip()
        folder = current.parent / version
        package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
        slug = current.parent.name
        found += [Resource(slug, version, folder, r) for r in package["resources"]]
    return found


def expected_types(resource: Resource, engine: str, scales: dict[str, int]) -> dict[str, str]:
    """Field name -> the type `engine` should read; `scales` gives each decimalsField's
    largest value (the engine's own reading of that column)."""
    column = ENGINES.index(engine)
    return {f["name"]: _expected(f, column, scales) for f in resource.fields}


def _expected(field: dict[str, Any], column: int, scales: dict[str, int]) -> str:
    if field["type"] == "number" and "decimals" in field:
        return DECIMAL[column].format(p=18, s=field["decimals"])
    if field["type"] == "number" and "decimalsField" in field:
        return DECIMAL[column].format(p=38, s=scales.get(field["decimalsField"], 0))
    return TYPES[field["type"]][column]


def scale_fields(resource: Resource) -> list[str]:
    """The fields holding another field's decimals, whose maximum is that field's scale."""
    return [f["decimalsField"] for f in resource.fields if "decimalsField" in f]
