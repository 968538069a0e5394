"""`opendata init` reads a file through validation's readers: what it drafts from is what
`build` reads, and whatever the readers refuse is a clear `DraftError` naming the file, never
a traceback or GBs of memory. Every file is SYNTHETIC, a few KB, and written here."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from drafting import DraftError, draft_dataset
from tests.conftest import REPO
from tests.validation.hostile import with_cells, with_merges, workbook

ROWS = [["地区", "人数"], ["北京", 1]]


def refusal(path: Path, data: bytes) -> str:
    path.write_bytes(data)
    with pytest.raises(DraftError) as raised:
        draft_dataset(path, path.parent, "t")
    return str(raised.value)


def test_a_zip_bomb_named_xlsx_is_refused_unopened(tmp_path: Path) -> None:
    buffer = io.BytesIO(workbook(ROWS))
    with (
        zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/media/zeros.bin", "w", force_zip64=True) as member,
    ):
        for _ in range(64):
            member.write(bytes(2**20))
    message = refusal(tmp_path / "bomb.xlsx", buffer.getvalue())
    assert message.startswith("bomb.xlsx: the archive is refused unopened: member")
    assert "would expand" in message


def test_a_far_cell_is_refused_before_the_sheet_is_built(tmp_path: Path) -> None:
    data = with_cells(workbook(ROWS), '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')
    message = refusal(tmp_path / "far.xlsx", data)
    assert message.startswith("far.xlsx: sheet 'Sheet' is refused unread: cell XFD1048576")


def test_crowds_of_merges_are_refused(tmp_path: Path) -> None:
    data = with_merges(workbook(ROWS), [f"A{row}:B{row}" for row in range(3, 10_004)])
    assert "merged ranges allowed" in refusal(tmp_path / "merges.xlsx", data)


def test_a_formula_without_a_saved_value_is_an_error_at_its_cell(tmp_path: Path) -> None:
    data = with_cells(workbook(ROWS), '<row r="3"><c r="B3"><f>B2*2</f></c></row>')
    assert refusal(tmp_path / "f.xlsx", data) == (
        "f.xlsx: sheet 'Sheet' line 3, column 2 (cell B3): formula without a saved value; open"
        " and save the workbook in a spreadsheet program, or export it as CSV"
    )


def test_a_broken_shared_string_index_is_a_damaged_workbook(tmp_path: Path) -> None:
    data = with_cells(workbook(ROWS), '<row r="3"><c r="A3" t="s"><v>9</v></c></row>')
    assert "(cell A3): the cell names shared string '9'" in refusal(tmp_path / "s.xlsx", data)


def test_a_csv_named_xlsx_is_not_a_workbook(tmp_path: Path) -> None:
    message = refusal(tmp_path / "t.xlsx", "地区,人数\n北京,1\n".encode())
    assert message.startswith("t.xlsx: not a readable XLSX workbook")


def test_a_huge_cell_is_an_error_at_its_line(tmp_path: Path) -> None:
    data = ("地区,人数\n北京,1\n天津," + "9" * 2**20 + "\n").encode()
    message = refusal(tmp_path / "big.csv", data)
    assert (
        message == "big.csv: line 3: a cell longer than 131,072 characters, more than a table holds"
    )


def test_a_huge_cell_is_refused_whatever_bound_the_csv_module_has(tmp_path: Path) -> None:
    import csv

    import frictionless.formats.csv.parser  # noqa: F401  (raises the process-wide bound)

    assert csv.field_size_limit() > 2**20
    test_a_huge_cell_is_an_error_at_its_line(tmp_path)


def test_a_bom_before_gb18030_text_is_an_encoding_error_at_its_line(tmp_path: Path) -> None:
    data = b"\xef\xbb\xbf" + "地区,人数\r\n北京,1\r\n".encode("gb18030")
    message = refusal(tmp_path / "bom.csv", data)
    assert message == "bom.csv: not valid utf-8-sig: byte offset 3 (line 1) holds b5 d8 c7 f8"


def test_a_cell_is_drafted_as_build_prints_it(tmp_path: Path) -> None:
    from drafting.grid import read_grid  # the grid is drafting's own, not its surface

    book = load_workbook(io.BytesIO(workbook([["rate", "day"], [0.125, 1.0]])))
    sheet = book.active
    assert sheet is not None
    sheet["A2"].number_format = "0.0%"
    sheet["B2"].number_format = "0.00"
    path = tmp_path / "p.xlsx"
    book.save(path)
    assert read_grid(path).rows[1] == ["12.5", "1.00"]  # as `validation.layout` prints them


def test_a_merged_range_over_figures_is_refused_as_build_refuses_it(tmp_path: Path) -> None:
    from tests.validation.test_layout_sheet import BEIJING, edited

    path = tmp_path / "page.xlsx"
    path.write_bytes(edited("", merge=f"B{BEIJING}:C{BEIJING}"))
    with pytest.raises(DraftError) as raised:
        draft_dataset(path, REPO / "datasets", "t")
    assert str(raised.value) == (
        f"page.xlsx: line {BEIJING}: merged range B{BEIJING}:C{BEIJING} covers data cells;"
        " unmerge it and leave each figure in its own cell"
    )
