"""The descriptor's JSON Schema: `Package` as editors and other tools can check it.

Generated from the strict model itself (`catalog.store.model`, with `layout` from
`validation`), so it cannot drift from what the store accepts: every object the model is
strict about says `additionalProperties: false`, and an editor marks a misspelt key as
the store would refuse it. `docs/datapackage.schema.json` is this text, committed (a test
regenerates and compares); `opendata schema` prints it and the API serves it at
`/schemas/datapackage.json`.

An optional value (`layout: Layout | None`) is pydantic's `anyOf` of the value and null; a
checker then reports any fault inside it as "not valid under any of the given schemas".
It is written `{"if": {"type": "null"}, "else": {"$ref": ...}}` instead, which accepts the
same documents and reports the fault itself (`layout.region.column: 0 is less than ...`).

Dates: YAML reads an unquoted `2020-01-01` as a date, JSON has none; the schema says
`{"type": "string", "format": "date"}`, which is what an editor sees in the file.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from pydantic.json_schema import GenerateJsonSchema

from catalog.store.model.package import Package

DIALECT = "https://json-schema.org/draft/2020-12/schema"
TITLE = "HRSS Open Data descriptor (datapackage.yaml)"
DESCRIPTION = (
    "A dataset's Data Package v2 descriptor with this catalogue's properties and the "
    "`layout` of printed tables; see docs/descriptor.md and docs/steward.md."
)


class _Untitled(GenerateJsonSchema):
    """pydantic titles every property after its name ("Minlength"): noise in an editor's
    hover, so properties keep only their descriptions; objects keep their model names."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False


@functools.cache
def descriptor_schema_text() -> str:
    """The schema as served and committed: JSON, two-space indent, UTF-8, final newline."""
    return json.dumps(descriptor_schema(), ensure_ascii=False, indent=2) + "\n"


def descriptor_schema() -> dict[str, object]:
    """A fresh copy of the schema document (the caller may change it)."""
    generated = Package.model_json_schema(by_alias=True, schema_generator=_Untitled)
    body = {key: value for key, value in generated.items() if key != "title"}
    return {"$schema": DIALECT, "title": TITLE, "description": DESCRIPTION, **_direct(body)}


def _direct(node: Any) -> Any:
    """`node` with every optional object said so that its own faults are reported."""
    if isinstance(node, list):
        return [_direct(item) for item in node]
    if not isinstance(node, dict):
        return node
    found = {key: _direct(value) for key, value in node.items()}
    choices = found.get("anyOf")
    if isinstance(choices, list) and len(choices) == 2 and {"type": "null"} in choices:
        del found["anyOf"]
        found.update({"if": {"type": "null"}, "else": choices[1 - choices.index({"type": "null"})]})
    return found
