"""Printed tables: a resource's `layout` says how a yearbook page or an office spreadsheet
is laid out, and the file as it arrived is read into the long table (docs/steward.md)."""

from validation.layout.lines import csv_lines, sheet_cells
from validation.layout.model import (
    FIRST_YEAR,
    LAST_YEAR,
    PERIOD_TYPES,
    Layout,
    LayoutColumn,
    LayoutIndicator,
    Period,
    RegionColumn,
)
from validation.layout.problems import LayoutFailure, LayoutProblem
from validation.layout.reading import layout_errors, read_printed
from validation.layout.regions import (
    SUFFIXES,
    Region,
    RegionIndex,
    chinese_key,
    english_key,
    short_name,
)
from validation.layout.transform import LONG_FIELDS

__all__ = [
    "FIRST_YEAR",
    "LAST_YEAR",
    "LONG_FIELDS",
    "PERIOD_TYPES",
    "SUFFIXES",
    "Layout",
    "LayoutColumn",
    "LayoutFailure",
    "LayoutIndicator",
    "LayoutProblem",
    "Period",
    "Region",
    "RegionColumn",
    "RegionIndex",
    "chinese_key",
    "csv_lines",
    "english_key",
    "layout_errors",
    "read_printed",
    "sheet_cells",
    "short_name",
]
