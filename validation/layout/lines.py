"""Every line of a printed table as the text a reader sees: CSV records or sheet rows.

A CSV is decoded as `validation.reading.encoding` does (UTF-8, with or without BOM, else GB18030;
any line ending). An XLSX sheet is read within `validation.reading.SheetLimits`; a merged
range gives its text to every cell it covers (a value cell among them is a problem, see
`merged_value_problems`), and a number is the text its number format prints: `40147.0` under
`0.0` stays `40147.0`, `211` stays `211` (unlike `validation.reading.workbook.cell_text`, which
writes what a CSV export of a tidy table holds).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from validation.layout.formats import printed_text
from validation.layout.problems import LayoutProblem
from validation.reading import (
    DecodeFailure,
    MergedRange,
    ReadFailure,
    Sheet,
    SourceStats,
    decode,
    file_stats,
    read_sheet,
)


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
    merged: dict[tuple[int, int], str] = field(default_factory=dict)  # copied cell → range


# The csv module's own default bound on a field; held here because the bound is process-wide
# and frictionless raises it when imported.
MAX_CELL = 131_072


def _bounded(line: int, record: list[str]) -> None:
    if any(len(cell) > MAX_CELL for cell in record):
        raise _too_long(line)


def _too_long(line: int) -> ReadFailure:
    message = f"line {line}: a cell longer than {MAX_CELL:,} characters, more than a table holds"
    return ReadFailure("source-error", message)


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
            _bounded(start, record)
            lines.append(Line(start, tuple(record)))
            start = reader.line_num + 1
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise _too_long(start) from None
        message = f"line {start}: the CSV cannot be parsed: {exc}"
        raise ReadFailure("source-error", message) from None
    return PrintedTable(lines, file_stats(data, decoded.encoding))


def sheet_cells(data: bytes, sheet: Any = None) -> Sheet:
    """One sheet's used area as printed, each merged range's text only in its first cell
    (what `opendata init` drafts from), read within `validation.reading.SheetLimits`."""
    return read_sheet(data, sheet, printed_text)


def xlsx_lines(data: bytes, sheet: Any = None) -> PrintedTable:
    """Every row of one sheet (a name or a 1-based number, the first by default), each merged
    range's text spread over the cells it covers."""
    read = sheet_cells(data, sheet)
    grid, copies = read.rows, {}
    for merged in read.merges:  # cut to the used area, their cells bounded by the limits
        copies.update(_spread(grid, merged))
    while grid and not any(grid[-1]):  # formatting can stretch a sheet past its text
        grid.pop()
    lines = [Line(number, tuple(cells)) for number, cells in enumerate(grid, start=1)]
    return PrintedTable(lines, file_stats(data), copies)


def _spread(grid: list[list[str]], merged: MergedRange) -> dict[tuple[int, int], str]:
    """Copy a range's first cell over the rest; the copies that hold text, by line and column."""
    text = grid[merged.first_row - 1][merged.first_column - 1]
    copies: dict[tuple[int, int], str] = {}
    for row in range(merged.first_row, merged.last_row + 1):
        for column in range(merged.first_column, merged.last_column + 1):
            grid[row - 1][column - 1] = text
            if text and (row, column) != (merged.first_row, merged.first_column):
                copies[(row, column)] = merged.ref
    return copies


def merged_value_problems(
    table: PrintedTable, cells: Iterable[tuple[int, int]]
) -> list[LayoutProblem]:
    """A problem for each merged range that copied its text into a value cell (line, column):
    only title and header lines may spread a merged label, or one figure would become many."""
    problems: dict[str, LayoutProblem] = {}
    for line, column in cells:
        ref = table.merged.get((line, column))
        if ref is not None and ref not in problems:
            problems[ref] = LayoutProblem(
                f"merged range {ref} covers value cells; a merged range may only spread a title"
                " or header label: unmerge it and leave the figure in one cell",
                line, column, expected="one value per cell", found=f"merged range {ref}",
            )  # fmt: skip
    return list(problems.values())
