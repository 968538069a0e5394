"""Every line of a printed table as the text a reader sees: CSV records or sheet rows.

A CSV is decoded as `validation.reading.encoding` does (UTF-8, with or without BOM, else GB18030;
any line ending). In an XLSX sheet a merged range gives its text to every cell it covers,
and a number is the text its number format prints: `40147.0` under `0.0` stays `40147.0`,
`211` stays `211` (unlike `validation.reading.workbook.cell_text`, which writes what a CSV export of
a tidy table holds).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from validation.reading.encoding import DecodeFailure, decode
from validation.reading.readers import ReadFailure, SourceStats, check_zip, file_stats
from validation.reading.workbook import pick_sheet


@dataclass(frozen=True)
class Line:
    """One line of the file: its own 1-based number and its cells as printed."""

    number: int
    cells: tuple[str, ...]

    def cell(self, column: int) -> str:
        """The text at 1-based `column` ("" past the line's end)."""
        return self.cells[column - 1] if column <= len(self.cells) else ""

    @property
    def blank(self) -> bool:
        return not any(cell.strip() for cell in self.cells)

    def first_text(self) -> str:
        """The first non-empty cell, stripped ("" for a blank line)."""
        return next((cell.strip() for cell in self.cells if cell.strip()), "")


@dataclass(frozen=True)
class PrintedTable:
    """A file's lines and what the report says of its bytes."""

    lines: list[Line]
    stats: SourceStats


def csv_lines(data: bytes, encoding: str | None) -> PrintedTable:
    """Every record of a CSV, numbered by the physical line it starts on."""
    try:
        decoded = decode(data, encoding)
    except DecodeFailure as exc:
        raise ReadFailure("encoding-error", exc.message) from None
    reader = csv.reader(io.StringIO(decoded.data.decode("utf-8"), newline=""))
    lines: list[Line] = []
    start = 1
    try:
        for record in reader:
            lines.append(Line(start, tuple(record)))
            start = reader.line_num + 1
    except csv.Error as exc:
        message = f"line {start}: the CSV cannot be parsed: {exc}"
        raise ReadFailure("source-error", message) from None
    return PrintedTable(lines, file_stats(data, decoded.encoding))


def xlsx_lines(data: bytes, sheet: Any = None) -> PrintedTable:
    """Every row of one sheet (a name or a 1-based number, the first by default)."""
    from openpyxl import load_workbook  # slow import; only XLSX resources pay for it

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            check_zip(archive)
        # Not read-only: only a full worksheet knows its merged ranges.
        workbook = load_workbook(io.BytesIO(data), data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError) as exc:
        raise ReadFailure("format-error", f"not a readable XLSX workbook ({exc})") from None
    try:
        rows = _sheet_lines(pick_sheet(workbook, sheet))
    except (KeyError, IndexError, ValueError) as exc:
        raise ReadFailure("format-error", f"the workbook is damaged ({exc})") from None
    finally:
        workbook.close()
    return PrintedTable(rows, file_stats(data))


def _sheet_lines(worksheet: Any) -> list[Line]:
    grid = [
        [printed_text(cell.value, cell.number_format) for cell in row]
        for row in worksheet.iter_rows()
    ]
    for merged in worksheet.merged_cells.ranges:
        text = grid[merged.min_row - 1][merged.min_col - 1]
        for row in range(merged.min_row, merged.max_row + 1):
            for column in range(merged.min_col, merged.max_col + 1):
                grid[row - 1][column - 1] = text
    while grid and not any(grid[-1]):  # formatting can stretch a sheet past its text
        grid.pop()
    return [Line(number, tuple(cells)) for number, cells in enumerate(grid, start=1)]


_DECIMALS = re.compile(r"\.([0#?]+)")


def printed_text(value: Any, number_format: str) -> str:
    """A cell's value as its number format prints it, without thousands separators."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value.isoformat() if isinstance(value, dt.date | dt.time) else str(value)
    section = number_format.split(";")[0]
    exact = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if "%" in section:
        exact *= 100  # the sign is the unit's to state; the figure is the one printed
    found = _DECIMALS.search(section)
    if found is not None:
        return _fixed(exact, len(found.group(1)))
    if section.strip().lower() == "general" or not section.strip():
        return _general(exact)
    return _fixed(exact, 0)


def _fixed(value: Decimal, decimals: int) -> str:
    return format(value.quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP), "f")


def _general(value: Decimal) -> str:
    """Excel's General format: a whole number without a point, else the shortest decimal."""
    if value == value.to_integral_value():
        return format(value.quantize(Decimal(1)), "f")
    return format(value.normalize(), "f")
