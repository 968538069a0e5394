"""A yearbook XLSX built (published through its layout) as it arrived: a merged range over
value cells and a formula without a saved value stop the build at their cell."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import load_workbook

from tests.validation.test_layout_publish import failure
from tests.validation.yearbook import figures, layout, page, xlsx_bytes

BEIJING = 8  # title, unit, two header lines, English header, 全国, blank, then 北京


def edited(cell: str, value: object = None, merge: str | None = None) -> bytes:
    """The SYNTHETIC yearbook workbook with one cell set or one range merged (openpyxl)."""
    found, _ = figures()
    book = load_workbook(io.BytesIO(xlsx_bytes(page(found))))
    sheet = book.active
    assert sheet is not None
    if merge is not None:
        sheet.merge_cells(merge)
    else:
        sheet[cell] = value
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_merged_range_over_value_cells_is_an_error_naming_the_range(tmp_path: Path) -> None:
    content = edited("", merge=f"B{BEIJING}:C{BEIJING}")
    error = failure(tmp_path, content, "page.xlsx", layout())
    assert (error.type, error.row, error.field_number) == ("layout-error", BEIJING, 3)
    assert error.message.startswith(
        f"data/page.xlsx line {BEIJING}, column 3: merged range B{BEIJING}:C{BEIJING} covers"
        " value cells"
    )


def test_a_formula_without_a_saved_value_stops_the_build_at_its_cell(tmp_path: Path) -> None:
    content = edited(f"B{BEIJING}", "=C8+D8")  # openpyxl saves formulas without a value
    error = failure(tmp_path, content, "page.xlsx", layout())
    assert f"sheet '22-42' line {BEIJING}, column 2 (cell B{BEIJING}): formula without" in (
        error.message
    )


def test_a_number_format_that_scales_the_figure_stops_the_build_at_its_cell(
    tmp_path: Path,
) -> None:
    found, _ = figures()
    book = load_workbook(io.BytesIO(xlsx_bytes(page(found))))
    sheet = book.active
    assert sheet is not None
    sheet[f"B{BEIJING}"].number_format = "#,##0,"  # shows thousands: 757.2 would show 1
    buffer = io.BytesIO()
    book.save(buffer)
    error = failure(tmp_path, buffer.getvalue(), "page.xlsx", layout())
    assert f"line {BEIJING}, column 2 (cell B{BEIJING}): its number format '#,##0,' scales" in (
        error.message
    )
