"""Validation of Data Package descriptors and their CSV/XLSX sources.

Frictionless semantics, vectorised: pyarrow parses and types whole columns, DuckDB runs the
keys and the descriptor's domain checks as SQL. Every problem is a typed error in a report
shaped like Frictionless v5's; nothing raises for bad data or a bad descriptor.
"""

from __future__ import annotations

import typing

from validation import lazy

if typing.TYPE_CHECKING:
    from validation.errors import ReportError, printable
    from validation.layout import (
        FIRST_YEAR,
        LAST_YEAR,
        PERIOD_TYPES,
        Layout,
        Region,
        RegionIndex,
        chinese_key,
        csv_lines,
        english_key,
        sheet_cells,
        short_name,
    )
    from validation.lazy import Refusal
    from validation.names import (
        RESOURCE_NAME,
        SLUG,
        field_name_problem,
        is_resource_name,
        is_slug,
        refused_field_name,
    )
    from validation.package import ReferenceResolver, Validation, validate_package
    from validation.reading.readers import ReadFailure, check_zip_file
    from validation.report import Report, ReportDocument
    from validation.schema import arrow_schema

__all__ = [
    "FIRST_YEAR",
    "LAST_YEAR",
    "PERIOD_TYPES",
    "RESOURCE_NAME",
    "SLUG",
    "Layout",
    "ReadFailure",
    "ReferenceResolver",
    "Refusal",
    "Region",
    "RegionIndex",
    "Report",
    "ReportDocument",
    "ReportError",
    "Validation",
    "arrow_schema",
    "check_zip_file",
    "chinese_key",
    "csv_lines",
    "english_key",
    "field_name_problem",
    "is_resource_name",
    "is_slug",
    "printable",
    "refused_field_name",
    "sheet_cells",
    "short_name",
    "validate_package",
]

# Where each name lives, imported on first use: a server needs the report document and the
# layout model, not the readers and checks behind `validate_package` (validation.lazy).
_HOMES = {
    "FIRST_YEAR": "validation.layout",
    "LAST_YEAR": "validation.layout",
    "Layout": "validation.layout",
    "PERIOD_TYPES": "validation.layout",
    "RESOURCE_NAME": "validation.names",
    "ReadFailure": "validation.reading.readers",
    "ReferenceResolver": "validation.package",
    "Refusal": "validation.lazy",
    "Region": "validation.layout",
    "RegionIndex": "validation.layout",
    "Report": "validation.report",
    "ReportDocument": "validation.report",
    "ReportError": "validation.errors",
    "SLUG": "validation.names",
    "Validation": "validation.package",
    "arrow_schema": "validation.schema",
    "check_zip_file": "validation.reading.readers",
    "chinese_key": "validation.layout",
    "csv_lines": "validation.layout",
    "english_key": "validation.layout",
    "field_name_problem": "validation.names",
    "is_resource_name": "validation.names",
    "is_slug": "validation.names",
    "printable": "validation.errors",
    "refused_field_name": "validation.names",
    "sheet_cells": "validation.layout",
    "short_name": "validation.layout",
    "validate_package": "validation.package",
}


def __getattr__(name: str) -> object:
    return lazy.exported(__name__, _HOMES, name)


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
