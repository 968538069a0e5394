"""Table Schema: the Arrow mapping and the structural checks a schema must pass first."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pyarrow as pa

from validation.names import field_name_problem

FIELD_TYPES = ("string", "integer", "number", "boolean", "date", "datetime", "year", "yearmonth")
CONSTRAINTS = (
    "required",
    "unique",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "pattern",
    "enum",
)
MAX_DECIMALS = 17  # decimal128(18, s) keeps at least one digit before the point
# A number whose decimals follow a field (`decimalsField`) is published as decimal(38, S),
# S the largest scale of its values; this many digits at most. Each value is held to its
# share on its own (24 digits before the point, 14 after), so one row's digits never push
# another's out of the column's type, and DuckDB never meets a scale it cannot hold.
EXACT_PRECISION = 38
EXACT_INTEGER_DIGITS = 24
EXACT_DECIMALS = EXACT_PRECISION - EXACT_INTEGER_DIGITS


def arrow_type(field: Mapping[str, Any]) -> pa.DataType:
    """The Arrow type a Table Schema field is published as."""
    kind = field.get("type", "string")
    if kind == "number" and field.get("decimals") is not None:
        return pa.decimal128(18, int(field["decimals"]))
    mapping: dict[str, pa.DataType] = {
        "string": pa.string(),
        "integer": pa.int64(),
        "number": pa.float64(),
        "boolean": pa.bool_(),
        "date": pa.date32(),
        "datetime": pa.timestamp("us"),
        "year": pa.int32(),
        "yearmonth": pa.string(),
    }
    if kind not in mapping:
        raise ValueError(f"unsupported field type {kind!r}")
    return mapping[kind]


def arrow_schema(table_schema: Mapping[str, Any], typed: pa.Schema | None = None) -> pa.Schema:
    """Table Schema -> Arrow schema, one Arrow field per schema field, in order.

    A `decimalsField` number's decimal scale depends on its values: taken from `typed`.
    """
    return pa.schema(
        [
            pa.field(
                str(field["name"]),
                _published_type(field, typed),
                nullable=not _constraints(field).get("required", False),
            )
            for field in table_schema.get("fields", [])
        ]
    )


def _published_type(field: Mapping[str, Any], typed: pa.Schema | None) -> pa.DataType:
    if field.get("decimalsField") is None or field.get("type") != "number":
        return arrow_type(field)
    name = str(field["name"])
    if typed is not None and name in typed.names:
        published: pa.DataType = typed.field(name).type
        return published
    return pa.decimal128(EXACT_PRECISION, 0)


def _constraints(field: Mapping[str, Any]) -> Mapping[str, Any]:
    constraints = field.get("constraints") or {}
    return constraints if isinstance(constraints, Mapping) else {}


def schema_problems(schema: Any) -> list[str]:
    """What makes a Table Schema unusable; empty when it can drive validation."""
    if not isinstance(schema, Mapping):
        return ["the resource has no schema object"]
    fields = schema.get("fields")
    if not isinstance(fields, list) or not fields:
        return ["the schema has no fields"]
    problems: list[str] = []
    names: list[str] = []
    for number, field in enumerate(fields, start=1):
        problems += _field_problems(number, field)
        if isinstance(field, Mapping) and isinstance(field.get("name"), str):
            names.append(field["name"])
    duplicates = sorted({name for name in names if names.count(name) > 1})
    problems += [f'field name "{name}" is used more than once' for name in duplicates]
    problems += _key_problems(schema, set(names))
    problems += _decimals_field_target_problems(schema)
    missing = schema.get("missingValues", [""])
    if not isinstance(missing, list) or not all(isinstance(v, str) for v in missing):
        problems.append("missingValues must be a list of strings")
    return problems


def _field_problems(number: int, field: Any) -> list[str]:
    if not isinstance(field, Mapping) or not isinstance(field.get("name"), str):
        return [f"field {number} has no name"]
    name = field["name"]
    reserved = field_name_problem(name)
    if reserved is not None:
        return [f'field "{name}": {reserved}']
    kind = field.get("type", "string")
    if kind not in FIELD_TYPES:
        return [f'field "{name}" has type "{kind}"; expected one of {", ".join(FIELD_TYPES)}']
    problems: list[str] = []
    decimals = field.get("decimals")
    if decimals is not None and (
        kind != "number" or not isinstance(decimals, int) or not 0 <= decimals <= MAX_DECIMALS
    ):
        problems.append(f'field "{name}": decimals needs a number field and 0–{MAX_DECIMALS}')
    problems += _decimals_field_problems(name, kind, field)
    constraints = field.get("constraints", {})
    if not isinstance(constraints, Mapping):
        return [*problems, f'field "{name}": constraints must be an object']
    unknown = sorted(set(constraints) - set(CONSTRAINTS))
    if unknown:
        problems.append(f'field "{name}": unknown constraint(s) {", ".join(unknown)}')
    if "enum" in constraints and not isinstance(constraints["enum"], list):
        problems.append(f'field "{name}": enum must be a list')
    return problems


def _decimals_field_problems(name: str, kind: str, field: Mapping[str, Any]) -> list[str]:
    source = field.get("decimalsField")
    if source is None:
        return []
    if kind != "number" or not isinstance(source, str) or field.get("decimals") is not None:
        return [f'field "{name}": decimalsField needs a number field without decimals']
    return []


def _decimals_field_target_problems(schema: Mapping[str, Any]) -> list[str]:
    """A `decimalsField` must name an integer field of the same schema."""
    fields = [f for f in schema.get("fields", []) if isinstance(f, Mapping)]
    kinds = {f.get("name"): f.get("type", "string") for f in fields}
    return [
        f'field "{f["name"]}": decimalsField "{f["decimalsField"]}" is not an integer field'
        for f in fields
        if isinstance(f.get("decimalsField"), str) and kinds.get(f["decimalsField"]) != "integer"
    ]


def _key_problems(schema: Mapping[str, Any], names: set[str]) -> list[str]:
    problems: list[str] = []
    primary = key_fields(schema.get("primaryKey"))
    problems += [f'primaryKey field "{n}" is not in the schema' for n in primary if n not in names]
    foreign = schema.get("foreignKeys", [])
    if not isinstance(foreign, list):
        return [*problems, "foreignKeys must be a list"]
    for number, fk in enumerate(foreign, start=1):
        problems += _foreign_key_problems(number, fk, names)
    return problems


def _foreign_key_problems(number: int, fk: Any, names: set[str]) -> list[str]:
    if not isinstance(fk, Mapping) or not isinstance(fk.get("reference"), Mapping):
        return [f"foreign key {number} needs fields and a reference"]
    local = key_fields(fk.get("fields"))
    remote = key_fields(fk["reference"].get("fields"))
    problems = [
        f'foreign key {number}: field "{n}" is not in the schema' for n in local if n not in names
    ]
    if not local or len(local) != len(remote):
        problems.append(f"foreign key {number}: fields and reference.fields differ in length")
    return problems


def key_fields(value: Any) -> list[str]:
    """A key as a list of names (Table Schema allows a bare string for one field)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(v) for v in value]
    return []
