"""Printed tables: a resource's `layout` says how a yearbook page or an office spreadsheet
is laid out, and the file as it arrived is read into the long table (docs/steward.md)."""

from __future__ import annotations

import typing

from validation import lazy

if typing.TYPE_CHECKING:
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

# Where each name lives, imported on first use: the descriptor model needs `Layout`, not the
# readers of printed tables (validation.lazy).
_HOMES = {
    "FIRST_YEAR": "validation.layout.model",
    "LAST_YEAR": "validation.layout.model",
    "LONG_FIELDS": "validation.layout.transform",
    "Layout": "validation.layout.model",
    "LayoutColumn": "validation.layout.model",
    "LayoutFailure": "validation.layout.problems",
    "LayoutIndicator": "validation.layout.model",
    "LayoutProblem": "validation.layout.problems",
    "PERIOD_TYPES": "validation.layout.model",
    "Period": "validation.layout.model",
    "Region": "validation.layout.regions",
    "RegionColumn": "validation.layout.model",
    "RegionIndex": "validation.layout.regions",
    "SUFFIXES": "validation.layout.regions",
    "chinese_key": "validation.layout.regions",
    "csv_lines": "validation.layout.lines",
    "english_key": "validation.layout.regions",
    "layout_errors": "validation.layout.reading",
    "read_printed": "validation.layout.reading",
    "sheet_cells": "validation.layout.lines",
    "short_name": "validation.layout.regions",
}


def __getattr__(name: str) -> object:
    return lazy.exported(__name__, _HOMES, name)


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
