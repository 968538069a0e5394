"""Reading an XLSX sheet into the same raw-text table the CSV reader produces.

Cells are turned into the text a CSV export would hold, so typing is shared with CSV: whole
floats lose their ".0" (Excel stores every number as a float), dates become ISO dates and
booleans "true"/"false". Row numbers are the sheet's own.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa

from validation.reading.dialect import Dialect
from validation.reading.readers import (
    SHEET_LIMITS,
    ZIP_LIMITS,
    RawTable,
    ReadFailure,
    SheetLimits,
    ZipLimits,
    file_stats,
)
from validation.reading.sheet import read_sheet

_WHOLE_FLOAT_LIMIT = 2**53
_NO_COMMENTS = Dialect()


def read_xlsx(
    data: bytes,
    sheet: Any = None,
    header_row: int = 1,
    limits: ZipLimits = ZIP_LIMITS,
    dialect: Dialect = _NO_COMMENTS,
    sheet_limits: SheetLimits = SHEET_LIMITS,
) -> RawTable:
    """Read one sheet; ``sheet`` is a name or a 1-based number, the first sheet by default.
    Rows the dialect declares as comments (``commentRows``, ``commentChar``) are left out.
    The workbook's zip directory is checked against ``limits`` and the sheet's size against
    ``sheet_limits`` before any cell is read (`validation.reading.sheet`)."""
    rows = read_sheet(data, sheet, _export_text, sheet_limits, limits).rows
    # Formatting can stretch a sheet's dimension past the data; trailing blank rows are noise.
    while rows and not any(rows[-1]):
        rows.pop()
    raw = _to_raw(rows, header_row, dialect)
    raw.stats = file_stats(data)
    return raw


def _export_text(value: Any, number_format: str) -> str:
    return cell_text(value)


def cell_text(value: Any) -> str:
    """A cell value as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < _WHOLE_FLOAT_LIMIT:
        return str(int(value))
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _to_raw(rows: list[list[str]], header_row: int, dialect: Dialect) -> RawTable:
    if len(rows) < header_row:
        raise ReadFailure("source-error", f"the sheet has no row {header_row} to hold the header")
    labels = list(rows[header_row - 1])
    while labels and not labels[-1]:
        labels.pop()
    width = len(labels)
    numbered = [
        (number, cells)
        for number, cells in enumerate(rows[header_row:], start=header_row + 1)
        if not _is_comment(number, cells, dialect)
    ]
    extra_cells: list[tuple[int, int, str]] = []
    for number, cells in numbered:
        extra_cells += [(number, i + 1, cells[i]) for i in range(width, len(cells)) if cells[i]]
    columns = [
        pa.array([cells[i] if i < len(cells) else "" for _, cells in numbered], pa.string())
        for i in range(width)
    ]
    return RawTable(
        labels=labels,
        header_row=header_row,
        columns=columns,
        rows=pa.array([number for number, _ in numbered], pa.int64()),
        extra_cells=extra_cells,
    )


def _is_comment(number: int, cells: list[str], dialect: Dialect) -> bool:
    if number in dialect.comment_rows:
        return True
    char = dialect.comment_char
    return char is not None and bool(cells) and cells[0].startswith(char)
