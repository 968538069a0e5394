"""A file as it arrived, read into a grid of cell texts with the file's own line numbers.

The file is read by `validation`'s readers, so what `opendata init` drafts from is exactly
what `opendata build` will read: the same encoding detection (the whole CSV, never a sample),
the same printed text of each XLSX cell, the same limits on a zip archive and a sheet's size,
and the same refusals (an unsaved formula, a damaged workbook). An XLSX sheet keeps its merged
ranges apart, because a merged range is how a yearbook spreads a group label (`城镇职工` over
three columns) and the drafted header reading needs to know where a label came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from openpyxl.utils import get_column_letter

from validation import ReadFailure, csv_lines, sheet_cells


class DraftError(Exception):
    """The file cannot be drafted from; the message says why."""


@dataclass(frozen=True)
class Merge:
    """A merged range of an XLSX sheet (1-based, inclusive)."""

    first_row: int
    last_row: int
    first_column: int
    last_column: int

    def reference(self) -> str:
        """The range as a spreadsheet names it (`B8:C8`)."""
        first = f"{get_column_letter(self.first_column)}{self.first_row}"
        return f"{first}:{get_column_letter(self.last_column)}{self.last_row}"


@dataclass
class Grid:
    """Rows of cell texts; ``rows[i]`` is line ``i + 1`` of the file (or sheet row)."""

    rows: list[list[str]]
    format: str
    encoding: str | None = None
    sheet: str | None = None
    merges: list[Merge] = field(default_factory=list)

    @property
    def width(self) -> int:
        return max((len(row) for row in self.rows), default=0)

    def cell(self, line: int, column: int) -> str:
        """The text of a cell, 1-based; "" outside the grid."""
        row = self.rows[line - 1] if 0 < line <= len(self.rows) else []
        return row[column - 1] if 0 < column <= len(row) else ""


def read_grid(path: Path, sheet: str | None = None) -> Grid:
    """The grid of ``path``: XLSX by its suffix, anything else as CSV; `DraftError` naming
    the file for whatever `validation`'s readers refuse."""
    data = path.read_bytes()
    if not data:
        raise DraftError(f"{path.name}: the file is empty")
    try:
        if path.suffix.lower() in {".xlsx", ".xlsm"}:
            return _read_xlsx(data, sheet)
        if sheet is not None:
            raise DraftError(f"{path.name}: --sheet applies to XLSX files only")
        return _read_csv(data)
    except ReadFailure as exc:
        raise DraftError(f"{path.name}: {exc.message}") from None


def _read_csv(data: bytes) -> Grid:
    table = csv_lines(data, None)
    rows = [list(line.cells) for line in table.lines]
    return Grid(rows=rows, format="csv", encoding=table.stats.get("encoding"))


def _read_xlsx(data: bytes, sheet: str | None) -> Grid:
    read = sheet_cells(data, sheet)
    merges = [Merge(m.first_row, m.last_row, m.first_column, m.last_column) for m in read.merges]
    return Grid(rows=read.rows, format="xlsx", sheet=read.title, merges=merges)
