"""An XLSX sheet is measured before it is read: a far cell, a huge merge or crowds of merges
are refused by sheet, cell and limit in moments, whatever openpyxl would have built; a formula
without a saved value and a broken shared-string index are errors at their cell; a DTD is
refused before any entity could expand. All files are SYNTHETIC and a few KB."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import Workbook

from tests.validation.conftest import package, resource
from tests.validation.hostile import SHEET, rewritten, with_cells, with_merges, workbook
from validation import ReadFailure
from validation.layout.lines import xlsx_lines
from validation.reading import SHEET_LIMITS, SheetLimits, read_sheet, read_xlsx

BASE = [["region", "count"], ["520100", 1]]
READERS = {"tidy": read_xlsx, "printed": xlsx_lines}


def refusal(data: bytes, reader: str = "printed") -> str:
    with pytest.raises(ReadFailure) as raised:
        READERS[reader](data)
    return raised.value.message


@pytest.mark.parametrize("reader", READERS)
def test_a_far_cell_is_refused_by_its_reference_and_the_limits(reader: str) -> None:
    data = with_cells(workbook(BASE), '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')
    message = refusal(data, reader)
    assert message.startswith("sheet 'Sheet' is refused unread: cell XFD1048576 makes its used")
    assert "A1:XFD1048576, 1,048,576 rows by 16,384 columns" in message
    assert f"{SHEET_LIMITS.rows:,} rows and {SHEET_LIMITS.area:,} cells" in message


def test_a_far_row_in_one_column_is_refused_by_the_row_limit() -> None:
    data = with_cells(workbook(BASE), '<row r="1048576"><c r="A1048576"><v>1</v></c></row>')
    assert "cell A1048576 makes its used area A1:B1048576" in refusal(data)


def test_an_empty_styled_far_cell_is_formatting_not_content() -> None:
    data = with_cells(workbook(BASE), '<row r="1048576"><c r="XFD1048576" s="0"/></row>')
    assert [line.cells for line in xlsx_lines(data).lines] == [("region", "count"), ("520100", "1")]


def test_a_huge_merge_spreads_only_over_the_used_area() -> None:
    data = with_merges(workbook([["title"], ["a", "b"]]), ["A1:XFD1048576"])
    lines = xlsx_lines(data).lines
    assert [line.cells for line in lines] == [("title", "title"), ("title", "title")]


def test_crowds_of_merges_are_refused_at_the_first_past_the_limit() -> None:
    refs = [f"A{row}:B{row}" for row in range(3, 3 + SHEET_LIMITS.merges + 1)]
    message = refusal(with_merges(workbook(BASE), refs))
    assert f"merged range {refs[-1]} is one more than the 10,000 merged ranges" in message


def test_merged_ranges_covering_too_many_cells_are_refused() -> None:
    data = with_merges(workbook([["a"] * 10] * 10), ["A1:J5", "A6:J10"])
    limits = SheetLimits(merged_cells=60)
    with pytest.raises(ReadFailure) as raised:
        read_sheet(data, None, lambda value, _: str(value), limits)
    assert "merged range A6:J10: merged ranges cover more than 60 cells" in raised.value.message


def test_too_many_cells_with_content_are_refused_at_the_cell() -> None:
    limits = SheetLimits(cells=3)
    with pytest.raises(ReadFailure) as raised:
        read_sheet(workbook(BASE), None, lambda value, _: str(value), limits)
    assert "cell B2: it holds more than 3 cells with content" in raised.value.message


UNSAVED = '<row r="3"><c r="B3"><f>B2*2</f></c></row>'


@pytest.mark.parametrize("reader", READERS)
def test_a_formula_without_a_saved_value_is_an_error_at_its_cell(reader: str) -> None:
    message = refusal(with_cells(workbook(BASE), UNSAVED), reader)
    assert message == (
        "sheet 'Sheet' line 3, column 2 (cell B3): formula without a saved value; open and save"
        " the workbook in a spreadsheet program, or export it as CSV"
    )


def test_a_formula_with_its_saved_value_is_read_as_that_value() -> None:
    data = with_cells(workbook(BASE), '<row r="3"><c r="B3"><f>B2*2</f><v>2</v></c></row>')
    assert xlsx_lines(data).lines[2].cells == ("", "2")


def test_an_unsaved_formula_stops_validation(validate: Any) -> None:
    fields = [{"name": "region", "type": "string"}, {"name": "count", "type": "integer"}]
    descriptor = package(resource("t", "data/t.xlsx", fields, format="xlsx"))
    report = validate(descriptor, {"data/t.xlsx": with_cells(workbook(BASE), UNSAVED)}).report
    assert not report.valid
    assert any("formula without a saved value" in error.message for error in report.errors)


@pytest.mark.parametrize("reader", READERS)
def test_a_shared_string_the_workbook_lacks_is_a_damaged_cell(reader: str) -> None:
    data = with_cells(workbook(BASE), '<row r="3"><c r="A3" t="s"><v>7</v></c></row>')
    message = refusal(data, reader)
    assert message.startswith("sheet 'Sheet' line 3, column 1 (cell A3): the cell names shared")
    assert "shared string '7', but the workbook has 0 shared strings" in message


def test_a_sheet_declaring_a_dtd_is_refused_before_any_entity_expands() -> None:
    laughs = '<!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    data = rewritten(workbook(BASE), SHEET, "<worksheet", laughs + "<worksheet")
    assert "a part declares a DTD" in refusal(data)


def test_a_csv_named_xlsx_is_not_a_workbook() -> None:
    assert refusal(b"region,count\n520100,1\n").startswith("not a readable XLSX workbook")


def test_a_missing_sheet_names_the_sheets_there_are() -> None:
    with pytest.raises(ReadFailure) as raised:
        xlsx_lines(workbook(BASE), "other")
    assert raised.value.message == "the workbook has no sheet 'other'; it has Sheet"


def test_an_empty_saved_value_is_no_value_unless_the_formula_gives_text() -> None:
    empty = '<row r="3"><c r="B3"><f>B2*2</f><v/></c></row>'  # as openpyxl writes a formula
    assert "formula without a saved value" in refusal(with_cells(workbook(BASE), empty))
    text = '<row r="3"><c r="B3" t="str"><f>""</f><v></v></c></row>'  # `=""`, saved
    assert xlsx_lines(with_cells(workbook(BASE), text)).lines[1].cells == ("520100", "1")


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("row", [1, 2])  # before the last row, or that row again
def test_a_row_out_of_order_is_a_damaged_workbook_not_a_lost_line(reader: str, row: int) -> None:
    data = with_cells(workbook(BASE), f'<row r="{row}"><c r="A{row}"><v>9</v></c></row>')
    assert refusal(data, reader) == (
        f"sheet 'Sheet' is refused unread: row {row} comes after row 2: the workbook is damaged"
    )


@pytest.mark.parametrize("reader", READERS)
def test_parts_that_disagree_on_the_workbook_are_refused(reader: str) -> None:
    # openpyxl would read the part [Content_Types].xml names; the scan, the one .rels names.
    data = rewritten(workbook(BASE), "[Content_Types].xml", "/xl/workbook.xml", "/xl/other.xml")
    assert refusal(data, reader).startswith("the workbook is damaged: its parts disagree")


def test_the_first_visible_sheet_is_read_by_default() -> None:
    book = Workbook()
    scratch = book.active
    assert scratch is not None
    scratch.title, scratch.sheet_state = "草稿", "hidden"
    scratch.append(["region", "count"])
    scratch.append(["520100", 111.1])
    table = book.create_sheet("表22-42")
    for row in BASE:
        table.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    sheet = read_sheet(buffer.getvalue(), None, lambda value, _: str(value))
    assert (sheet.title, sheet.rows[1]) == ("表22-42", ["520100", "1"])
