"""Writing data files: CSV encodings and an XLSX that is the same bytes on every run."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

from curation.writers import FIXED_ZIP_TIME, cell_value, write_csv, write_xlsx

RECORDS = [
    {"code": "520000", "name": "贵州省", "value": "1790"},
    {"code": "520100", "name": "贵阳市, 市辖区", "value": "19.6"},
    {"code": "520200", "name": "", "value": ""},
]


@pytest.mark.parametrize(
    ("encoding", "start"), [("utf-8", b"code,"), ("utf-8-sig", b"\xef\xbb\xbfcode,"),
                            ("gb18030", b"code,")],
)  # fmt: skip
def test_write_csv_encodes_with_newline_endings(
    tmp_path: Path, encoding: str, start: bytes
) -> None:
    path = tmp_path / "deep" / "data.csv"
    write_csv(path, ["code", "name", "value"], RECORDS, encoding)
    data = path.read_bytes()
    assert data.startswith(start)
    assert b"\r" not in data
    assert data.decode(encoding).splitlines()[2] == '520100,"贵阳市, 市辖区",19.6'


def test_write_xlsx_twice_gives_the_same_bytes(tmp_path: Path) -> None:
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    for path in (first, second):
        write_xlsx(path, "表", "标题", ["code", "name", "value"], RECORDS, {"value"})
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as archive:
        assert {info.date_time for info in archive.infolist()} == {FIXED_ZIP_TIME}
        assert b"2026-11-25T00:00:00Z" in archive.read("docProps/core.xml")


def test_write_xlsx_puts_a_title_row_above_typed_cells(tmp_path: Path) -> None:
    path = tmp_path / "observations.xlsx"
    write_xlsx(path, "表", "标题", ["code", "name", "value"], RECORDS, {"value"})
    workbook = openpyxl.load_workbook(io.BytesIO(path.read_bytes()))
    sheet = workbook["表"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows == [
        ("标题", None, None),
        ("code", "name", "value"),
        ("520000", "贵州省", 1790),
        ("520100", "贵阳市, 市辖区", 19.6),
        ("520200", None, None),
    ]


@pytest.mark.parametrize(
    ("text", "numeric", "cell"),
    [("", True, None), ("007", False, "007"), ("1790", True, 1790), ("1790.0", True, 1790),
     ("19.6", True, 19.6)],
)  # fmt: skip
def test_cell_value_types_numeric_columns_only(
    text: str, numeric: bool, cell: str | float | None
) -> None:
    value = cell_value(text, numeric)
    assert value == cell
    assert type(value) is type(cell)
