"""Parity with frictionless on small SYNTHETIC broken CSVs: same (row, field, type) set."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.validation.conftest import package, resource, write
from validation import validate_package

FIELDS = [
    {"name": "id", "type": "integer", "constraints": {"required": True}},
    {"name": "region", "type": "string", "constraints": {"pattern": "52[0-9]{4}"}},
    {"name": "sex", "type": "string", "constraints": {"enum": ["男", "女"]}},
    {"name": "count", "type": "integer", "constraints": {"minimum": 0}},
    {"name": "rate", "type": "number", "constraints": {"maximum": 100}},
    {"name": "day", "type": "date"},
    {"name": "ok", "type": "boolean"},
    {"name": "note", "type": "string", "constraints": {"maxLength": 4}},
]
HEADER = "id,region,sex,count,rate,day,ok,note\n"

CASES: dict[str, tuple[str, dict[str, Any]]] = {
    "types and constraints": (
        HEADER
        + "1,520100,男,10,1.5,2023-01-05,true,a\n"
        + "x,5201,其他,-1,100.5,2023-02-30,yes,toolong\n"
        + ",520300,女,1.5,abc,05/01/2023,0,\n"
        + "4,520100,女,3,,,,\n",
        {},
    ),
    "ragged and blank rows": (
        HEADER
        + "1,520100,男,10,1.5,2023-01-05,true,a\n"
        + "2,520100,男,10,1.5,2023-01-05,true,a,extra,more\n"
        + "3,520100\n"
        + "\n"
        + ",,,,,,,\n"
        + "6,520100,男,x,1.5,2023-01-05,true\n",
        {},
    ),
    "keys": (
        HEADER
        + "1,520100,男,1,1,2023-01-05,true,a\n"
        + "2,520100,男,1,1,2023-01-05,true,b\n"
        + "1,520100,男,1,1,2023-01-05,true,c\n"
        + "3,520100,男,1,1,2023-01-05,true,a\n",
        {"primaryKey": ["id"], "unique": "note"},
    ),
    "labels": (
        "id,Region,sex,count,rate,day,ok,note,extra\n" + "1,520100,男,10,1.5,2023-01-05,true,a,z\n",
        {},
    ),
    "missing labels": ("id,region,sex\n1,520100,男\n2,520100\n", {}),
}


def _fields(options: dict[str, Any]) -> list[dict[str, Any]]:
    fields = [dict(f, constraints=dict(f.get("constraints", {}))) for f in FIELDS]
    for f in fields:
        if f["name"] == options.get("unique"):
            f["constraints"]["unique"] = True
    return fields


def _frictionless(path: Path, schema: dict[str, Any]) -> set[tuple[Any, ...]]:
    import frictionless
    from frictionless import Dialect, Resource, Schema

    # An explicit header row: frictionless otherwise guesses it from the rows' widths.
    dialect = Dialect.from_descriptor({"headerRows": [1]})
    with frictionless.system.use_context(trusted=True):
        source = Resource(path=str(path), schema=Schema.from_descriptor(schema), dialect=dialect)
        report = frictionless.validate(source)
    found = set()
    for error in report.tasks[0].errors:
        d = error.to_descriptor()
        row = d.get("rowNumber") or (d.get("rowNumbers") or [None])[0]
        cell_level = "#cell" in d["tags"] or "#label" in d["tags"]
        found.add((row, d.get("fieldName") if cell_level else None, d["type"]))
    return found


def _ours(base: Path, schema: dict[str, Any]) -> set[tuple[Any, ...]]:
    descriptor = package(
        resource(fields=schema["fields"], **{k: v for k, v in schema.items() if k != "fields"})
    )
    result = validate_package(descriptor, base)
    found = set()
    for e in result.report.errors:
        cell_level = "#cell" in _tags(e.type) or "#label" in _tags(e.type)
        found.add((e.row, e.field if cell_level else None, e.type))
    return found


def _tags(type_: str) -> list[str]:
    from validation.errors import ERROR_TYPES

    return ERROR_TYPES[type_][2]


@pytest.mark.parametrize("case", list(CASES))
def test_parity_with_frictionless_on_broken_csv(tmp_path: Path, case: str) -> None:
    content, options = CASES[case]
    path = write(tmp_path, "data/data.csv", content)
    schema: dict[str, Any] = {"fields": _fields(options)}
    if "primaryKey" in options:
        schema["primaryKey"] = options["primaryKey"]
    theirs = _frictionless(path, schema)
    assert theirs, "the case must be broken"
    assert _ours(tmp_path, schema) == theirs
