"""Validation of Data Package descriptors and their CSV/XLSX sources.

Frictionless semantics, vectorised: pyarrow parses and types whole columns, DuckDB runs the
keys and the descriptor's domain checks as SQL. Every problem is a typed error in a report
shaped like Frictionless v5's; nothing raises for bad data or a bad descriptor.
"""

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
from validation.names import RESOURCE_NAME, SLUG, is_resource_name, is_slug
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
    "is_resource_name",
    "is_slug",
    "printable",
    "sheet_cells",
    "short_name",
    "validate_package",
]
