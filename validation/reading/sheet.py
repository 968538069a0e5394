"""Reading one XLSX sheet within limits: its cells as text and its merged ranges.

openpyxl's full mode builds every cell of a sheet's area and its read-only mode pads each row
to the dimension the file claims, so a 70 KB file naming cell XFD1048576 costs GBs either way.
The sheet's XML is therefore streamed first (expat, no DTD, no tree) to find the area its
content really uses, its merged ranges and the cells no reader can trust (a formula without a
saved value, a shared string the workbook lacks), and refused past `SheetLimits`; only then
does openpyxl read exactly that area, row by row.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from xml.parsers import expat

from validation.reading.parts import count_strings, locate, stream
from validation.reading.readers import (
    SHEET_LIMITS,
    ZIP_LIMITS,
    ReadFailure,
    SheetLimits,
    ZipLimits,
    check_zip,
)

CellText = Callable[[Any, str], str]  # a cell's value and number format → its text

_REF = re.compile(r"\$?([A-Z]{1,3})\$?([0-9]{1,7})")
_MAX_ROW, _MAX_COLUMN = 1_048_576, 16_384
_UNSAVED = (
    "formula without a saved value; open and save the workbook in a spreadsheet program,"
    " or export it as CSV"
)
_DAMAGE = (KeyError, IndexError, ValueError, TypeError, OverflowError, ArithmeticError)


class CellRefused(ValueError):
    """Raised by a cell printer for a cell it will not print (the reason is the message)."""


_UNREADABLE = (zipfile.BadZipFile, zlib.error, OSError, EOFError, expat.ExpatError, *_DAMAGE)


@dataclass(frozen=True)
class MergedRange:
    """A merged range (1-based, inclusive), cut to the sheet's used area; `ref` as the file
    names it."""

    ref: str
    first_row: int
    last_row: int
    first_column: int
    last_column: int

    @property
    def size(self) -> int:
        return (self.last_row - self.first_row + 1) * (self.last_column - self.first_column + 1)


@dataclass
class Sheet:
    """A sheet's used area as text, `rows[i]` being sheet row i + 1, every row equally wide."""

    title: str
    rows: list[list[str]]
    merges: list[MergedRange] = field(default_factory=list)


def read_sheet(
    data: bytes,
    sheet: Any,
    text: CellText,
    limits: SheetLimits = SHEET_LIMITS,
    zip_limits: ZipLimits = ZIP_LIMITS,
) -> Sheet:
    """One sheet (a name or a 1-based number, the first by default) as `text` prints its cells;
    `ReadFailure` for a workbook that is damaged, past the limits, or holds unsaved formulas."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            check_zip(archive, zip_limits)
            title, part, strings = locate(archive, sheet)
            scan = _Scan(title, count_strings(archive, strings), limits)
            stream(archive, part, scan.start, scan.end, scan.characters)
    except ReadFailure:
        raise
    except _UNREADABLE as exc:
        raise ReadFailure("format-error", f"not a readable XLSX workbook ({exc})") from None
    merges = scan.finish()
    return Sheet(title, _cells(data, title, scan, text), merges)


# ------------------------------------------------------------------------------ the sheet's XML


def cell_ref(row: int, column: int) -> str:
    """`A1`-style reference of a 1-based cell."""
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row}"


def _parse_ref(ref: str) -> tuple[int, int]:
    found = _REF.fullmatch(ref)
    if found is None:
        raise ValueError(f"cell reference {ref!r}")
    column = 0
    for letter in found.group(1):
        column = column * 26 + ord(letter) - 64
    row = int(found.group(2))
    if not (1 <= row <= _MAX_ROW and 1 <= column <= _MAX_COLUMN):
        raise ValueError(f"cell reference {ref!r}")
    return row, column


class _Scan:
    """What the sheet's XML holds, gathered as expat streams it and refused as soon as it
    passes a limit (so a bomb is refused at its first far cell, not after reading it all)."""

    def __init__(self, title: str, strings: int, limits: SheetLimits) -> None:
        self.title, self.strings, self.limits = title, strings, limits
        self.rows = self.columns = self.cells = 0
        self.row = self.column = 0
        self.kind = ""
        self.has_value = self.has_formula = self.has_inline = self.in_value = False
        self.value = ""
        self.unsaved: list[tuple[int, int]] = []
        self.merges: list[tuple[str, int, int, int, int]] = []

    def start(self, name: str, attrs: dict[str, str]) -> None:
        name = name[name.rfind(" ") + 1 :]  # the local name, inline: this runs for every element
        if name == "row":
            row = int(attrs["r"]) if "r" in attrs else self.row + 1
            if row <= self.row:  # openpyxl would read it as a blank line, or not at all
                self._refuse(f"row {row} comes after row {self.row}: the workbook is damaged")
            self.row, self.column = row, 0
        elif name == "c":
            ref = attrs.get("r")
            self.column = _parse_ref(ref)[1] if ref else self.column + 1
            self.kind, self.value = attrs.get("t", "n"), ""
            self.has_value = self.has_formula = self.has_inline = False
        elif name in ("v", "f", "is"):
            self.has_value |= name == "v"
            self.has_formula |= name == "f"
            self.has_inline |= name == "is"
            self.in_value = name == "v"
        elif name == "mergeCell":
            self._merge(attrs.get("ref", ""))

    def characters(self, text: str) -> None:
        if self.in_value and len(self.value) < 32:  # enough for an index, or to see it empty
            self.value += text

    def end(self, name: str) -> None:
        name = name[name.rfind(" ") + 1 :]
        if name == "v":
            self.in_value = False
        elif name == "c" and (self.has_value or self.has_formula or self.has_inline):
            self._content()

    def _content(self) -> None:
        if not 1 <= self.row <= _MAX_ROW or not 1 <= self.column <= _MAX_COLUMN:
            raise ValueError(f"a cell at row {self.row}, column {self.column}")
        self.cells += 1
        if self.cells > self.limits.cells:
            where = f"cell {cell_ref(self.row, self.column)}"
            self._refuse(f"{where}: it holds more than {self.limits.cells:,} cells with content")
        self._grow(max(self.rows, self.row), max(self.columns, self.column))
        if self.has_formula and self._unsaved():
            self.unsaved.append((self.row, self.column))
        elif self.kind == "s":
            self._shared_string()

    def _unsaved(self) -> bool:
        """No `<v>`, or an empty one (openpyxl writes `<v/>`) where an empty result would be
        a string formula's (`t="str"`, as spreadsheet programs save `=""`)."""
        return not self.has_value or (not self.value.strip() and self.kind != "str")

    def _grow(self, rows: int, columns: int) -> None:
        if rows > self.limits.rows or rows * columns > self.limits.area:
            self._refuse(
                f"cell {cell_ref(self.row, self.column)} makes its used area"
                f" A1:{cell_ref(rows, columns)}, {rows:,} rows by"
                f" {columns:,} columns; a sheet may use at most {self.limits.rows:,} rows and"
                f" {self.limits.area:,} cells (export a larger table as CSV)"
            )
        self.rows, self.columns = rows, columns

    def _shared_string(self) -> None:
        index = self.value.strip()
        if not index.isdigit() or int(index) >= self.strings:
            where = self.where(self.row, self.column)
            raise ReadFailure(
                "format-error",
                f"{where}: the cell names shared string {index[:20]!r}, but the workbook has"
                f" {self.strings:,} shared strings; the workbook is damaged",
            )

    def _merge(self, ref: str) -> None:
        first, _, last = ref.partition(":")
        (top, left), (bottom, right) = _parse_ref(first), _parse_ref(last or first)
        self.merges.append((ref, min(top, bottom), max(top, bottom), min(left, right),
                            max(left, right)))  # fmt: skip
        if len(self.merges) > self.limits.merges:
            limit = f"{self.limits.merges:,}"
            self._refuse(f"merged range {ref} is one more than the {limit} merged ranges allowed")

    def finish(self) -> list[MergedRange]:
        """The merged ranges cut to the used area; refused if unsaved formulas were met or the
        ranges together cover more cells than the limit."""
        if self.unsaved:
            more = len(self.unsaved) - 1
            also = f" (and {more:,} more such cells)" if more else ""
            raise ReadFailure("source-error", f"{self.where(*self.unsaved[0])}: {_UNSAVED}{also}")
        kept: list[MergedRange] = []
        covered = 0
        for ref, top, bottom, left, right in self.merges:
            if top > self.rows or left > self.columns:
                continue  # nothing of it is in the used area: it spreads no text
            merged = MergedRange(ref, top, min(bottom, self.rows), left, min(right, self.columns))
            covered += merged.size
            if covered > self.limits.merged_cells:
                limit = f"{self.limits.merged_cells:,}"
                self._refuse(f"merged range {ref}: merged ranges cover more than {limit} cells")
            kept.append(merged)
        return kept

    def where(self, row: int, column: int) -> str:
        return f"sheet {self.title!r} line {row}, column {column} (cell {cell_ref(row, column)})"

    def _refuse(self, reason: str) -> None:
        raise ReadFailure("source-error", f"sheet {self.title!r} is refused unread: {reason}")


# -------------------------------------------------------------------------------- the cells


def _cells(data: bytes, title: str, scan: _Scan, text: CellText) -> list[list[str]]:
    """The used area's cells as text; openpyxl reads only rows 1..rows, columns 1..columns."""
    if scan.rows == 0:
        return []
    from openpyxl import load_workbook  # slow import; only XLSX resources pay for it

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except _UNREADABLE as exc:
        raise ReadFailure("format-error", f"not a readable XLSX workbook ({exc})") from None
    try:
        cells = workbook[title].iter_rows(
            min_row=1, max_row=scan.rows, min_col=1, max_col=scan.columns
        )
        return [_row_text(number, row, scan, text) for number, row in enumerate(cells, start=1)]
    except ReadFailure:
        raise
    except _UNREADABLE as exc:
        raise ReadFailure("format-error", f"the workbook is damaged ({exc})") from None
    finally:
        workbook.close()


def _row_text(number: int, row: Any, scan: _Scan, text: CellText) -> list[str]:
    printed: list[str] = []
    for column, cell in enumerate(row, start=1):
        try:
            printed.append(text(cell.value, cell.number_format))
        except CellRefused as exc:
            raise ReadFailure("source-error", f"{scan.where(number, column)}: {exc}") from None
        except _DAMAGE:
            where = scan.where(number, column)
            found = str(cell.value)[:40]
            raise ReadFailure("source-error", f"{where}: {found!r} cannot be read") from None
    return printed
