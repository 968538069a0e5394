"""A file as it arrived, read into a grid of cell texts with the file's own line numbers.

CSV: the whole file is decoded (UTF-8 with or without BOM, else GB18030), never a sample,
for the reason `validation` gives: GBK text often starts far down a file. XLSX: the sheet's
cells as text, with its merged ranges, because a merged range is how a yearbook spreads a
group label (`城镇职工` over three columns) and the layout's header reading needs it.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl


class DraftError(Exception):
    """The file cannot be drafted from; the message says why."""


@dataclass(frozen=True)
class Merge:
    """A merged range of an XLSX sheet (1-based, inclusive)."""

    first_row: int
    last_row: int
    first_column: int
    last_column: int


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
    """The grid of ``path``: XLSX by its suffix, anything else as CSV."""
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        return _read_xlsx(path, sheet)
    if sheet is not None:
        raise DraftError(f"{path.name}: --sheet applies to XLSX files only")
    return _read_csv(path.read_bytes(), path.name)


def detect_encoding(data: bytes) -> str:
    """utf-8-sig (a BOM), utf-8, or gb18030: the first that decodes the whole file."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    for encoding in ("utf-8", "gb18030"):
        try:
            data.decode(encoding, errors="strict")
        except UnicodeDecodeError:
            continue
        return encoding
    raise DraftError("the file is neither UTF-8 nor GB18030 text")


def _read_csv(data: bytes, name: str) -> Grid:
    encoding = detect_encoding(data)
    text = data.decode(encoding)
    rows = [list(row) for row in csv.reader(io.StringIO(text, newline=""))]
    if not rows:
        raise DraftError(f"{name}: the file is empty")
    return Grid(rows=rows, format="csv", encoding=encoding)


def _read_xlsx(path: Path, sheet: str | None) -> Grid:
    book = openpyxl.load_workbook(path, data_only=True)
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise DraftError(f"{path.name}: no sheet {sheet!r} (sheets: {book.sheetnames})")
        worksheet = book[sheet] if sheet is not None else book.worksheets[0]
        rows = [[_cell_text(cell) for cell in row] for row in worksheet.iter_rows()]
        merges = [
            Merge(r.min_row, r.max_row, r.min_col, r.max_col) for r in worksheet.merged_cells.ranges
        ]
        return Grid(rows=rows, format="xlsx", sheet=worksheet.title, merges=merges)
    finally:
        book.close()


def _cell_text(cell: object) -> str:
    """A cell as printed: a number with the decimals its format shows (`0.0` → 211.0)."""
    value = getattr(cell, "value", None)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    decimals = _format_decimals(str(getattr(cell, "number_format", "General")))
    if decimals is None:
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    return f"{value:.{decimals}f}"


def _format_decimals(number_format: str) -> int | None:
    """The decimals a number format such as `0.0` or `#,##0.00` shows; None for General."""
    if number_format == "General" or "0" not in number_format:
        return None
    _, dot, tail = number_format.partition(".")
    return len(tail) - len(tail.lstrip("0")) if dot else 0
