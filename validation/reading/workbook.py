"""Reading an XLSX sheet into the same raw-text table the CSV reader produces.

Cells are turned into the text a CSV export would hold, so typing is shared with CSV: whole
floats lose their ".0" (Excel stores every number as a float), dates become ISO dates and
booleans "true"/"false". Row numbers are the sheet's own.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

import pyarrow as pa

from validation.reading.dialect import Dialect
from validation.reading.readers import (
    ZIP_LIMITS,
    RawTable,
    ReadFailure,
    ZipLimits,
    check_zip,
    file_stats,
)

_WHOLE_FLOAT_LIMIT = 2**53
_NO_COMMENTS = Dialect()


def read_xlsx(
    data: bytes,
    sheet: Any = None,
    header_row: int = 1,
    limits: ZipLimits = ZIP_LIMITS,
    dialect: Dialect = _NO_COMMENTS,
) -> RawTable:
    """Read one sheet; ``sheet`` is a name or a 1-based number, the first sheet by default.
    Rows the dialect declares as comments (``commentRows``, ``commentChar``) are left out.
    The workbook's zip directory is checked against ``limits`` before anything is inflated."""
    from openpyxl import load_workbook  # slow import; only XLSX resources pay for it

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            check_zip(archive, limits)
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError) as exc:
        raise ReadFailure("format-error", f"not a readable XLSX workbook ({exc})") from None
    try:
        worksheet = pick_sheet(workbook, sheet)
        rows = _sheet_rows(worksheet)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError) as exc:
        raise ReadFailure("format-error", f"the workbook is damaged ({exc})") from None
    finally:
        workbook.close()
    raw = _to_raw(rows, header_row, dialect)
    raw.stats = file_stats(data)
    return raw


def pick_sheet(workbook: Any, sheet: Any) -> Any:
    names: list[str] = list(workbook.sheetnames)
    if sheet is None:
        return workbook[names[0]]
    if isinstance(sheet, int) and not isinstance(sheet, bool):
        if 1 <= sheet <= len(names):
            return workbook[names[sheet - 1]]
    elif str(sheet) in names:
        return workbook[str(sheet)]
    raise ReadFailure(
        "format-error", f"the workbook has no sheet {sheet!r}; it has {', '.join(names)}"
    )


def _sheet_rows(worksheet: Any) -> list[list[str]]:
    rows = [[cell_text(value) for value in row] for row in worksheet.iter_rows(values_only=True)]
    # Formatting can stretch a sheet's dimension past the data; trailing blank rows are noise.
    while rows and not any(rows[-1]):
        rows.pop()
    return rows


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
