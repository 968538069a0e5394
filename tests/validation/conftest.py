"""Helpers for validation tests. Every fixture file is tiny, SYNTHETIC, and written by code."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import descriptor
from validation import Validation, validate_package

Row = list[Any]


def resource(
    name: str = "data",
    path: str = "data/data.csv",
    fields: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A resource descriptor; ``fields`` defaults to one string field per name in extra."""
    schema: dict[str, Any] = {"fields": fields or [{"name": "id", "type": "integer"}]}
    for key in ("primaryKey", "foreignKeys", "missingValues"):
        if key in extra:
            schema[key] = extra.pop(key)
    return {"name": name, "path": path, "schema": schema, **extra}


def package(*resources: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A descriptor with the required catalogue metadata (synthetic) around `resources`."""
    return {**descriptor("synthetic", list(resources)), **extra}


def write(base: Path, relative: str, content: str | bytes, encoding: str = "utf-8") -> Path:
    target = base / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode(encoding)
    target.write_bytes(content)
    return target


def triples(result: Validation) -> list[Row]:
    """The report as compact ``[row, field, type]`` rows, the way frictionless tests assert."""
    return [[e.row, e.field, e.type] for e in result.report.errors]


def types(result: Validation) -> list[str]:
    return [e.type for e in result.report.errors]


@pytest.fixture
def validate(tmp_path: Path) -> Any:
    """Write files then validate: ``validate(descriptor, {"data/x.csv": "..."})``."""

    def run(
        descriptor: Mapping[str, Any], files: Mapping[str, str | bytes] | None = None, **kw: Any
    ) -> Validation:
        for relative, content in (files or {}).items():
            write(tmp_path, relative, content)
        return validate_package(descriptor, tmp_path, **kw)

    return run
