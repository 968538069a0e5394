"""What a resource declares, checked before its file is read: name, path, format, schema,
dialect and the regular expressions its constraints carry."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from validation.checks.cells import pattern_problem
from validation.errors import ReportError, table_error
from validation.names import RESOURCE_NAME, is_resource_name
from validation.reading.dialect import dialect_problems
from validation.schema import schema_problems


def resource_problems(resource: Any, label: str, taken: list[str]) -> list[ReportError]:
    if not isinstance(resource, Mapping):
        return [table_error("resource-error", resource=label, path="", message="not an object")]
    path = resource.get("path")
    messages: list[tuple[str, str]] = []
    name = resource.get("name")
    if not is_resource_name(name):
        messages.append(("resource-error", f"{label}: name must match {RESOURCE_NAME.pattern}"))
    elif name in taken:
        messages.append(("resource-error", f'resource name "{name}" is used twice'))
    if not isinstance(path, str) or not path:
        messages.append(("resource-error", f"{label}: path must be a relative file path"))
    if format_of(resource) not in ("csv", "xlsx"):
        messages.append(
            ("resource-error", f'{label}: format "{format_of(resource)}" is not csv or xlsx')
        )
    messages += [("schema-error", f"{label}: {p}") for p in schema_problems(resource.get("schema"))]
    messages += [("schema-error", f"{label}: {p}") for p in _pattern_problems(resource)]
    messages += [
        ("dialect-error", f"{label}: {p}") for p in dialect_problems(resource, format_of(resource))
    ]
    shown = path if isinstance(path, str) else ""
    return [
        ReportError(
            type=t, message=f"{shown or 'datapackage'}: {m}", resource=label, path=shown, note=m
        )
        for t, m in messages
    ]


def _pattern_problems(resource: Mapping[str, Any]) -> list[str]:
    schema = resource.get("schema")
    fields = schema.get("fields", []) if isinstance(schema, Mapping) else []
    patterns = [
        f["constraints"]["pattern"]
        for f in fields
        if isinstance(f, Mapping)
        and isinstance(f.get("constraints"), Mapping)
        and isinstance(f["constraints"].get("pattern"), str)
    ]
    return [problem for p in patterns if (problem := pattern_problem(p))]


def format_of(resource: Mapping[str, Any]) -> str:
    declared = resource.get("format")
    if isinstance(declared, str):
        return declared.lower()
    path = resource.get("path")
    return Path(path).suffix.lstrip(".").lower() if isinstance(path, str) else ""
