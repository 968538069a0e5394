"""XLSX sources: sheet choice, header row, cell values, damaged workbooks."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from tests.validation.conftest import package, resource, triples, types

FIELDS = [
    {"name": "region", "type": "string"},
    {"name": "count", "type": "integer"},
    {"name": "rate", "type": "number"},
    {"name": "day", "type": "date"},
]


def _workbook(sheets: dict[str, list[list[Any]]]) -> bytes:
    """A SYNTHETIC workbook with the given sheets, in order."""
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


DATA = [
    ["region", "count", "rate", "day"],
    ["520100", 12.0, 3.5, dt.datetime(2023, 1, 5)],
    ["520300", 7, 0.25, dt.date(2023, 2, 1)],
]


def _xlsx(validate: Any, content: bytes, **extra: Any) -> Any:
    descriptor = package(resource("t", "data/t.xlsx", FIELDS, format="xlsx", **extra))
    return validate(descriptor, {"data/t.xlsx": content})


def test_xlsx_types_cells_from_the_first_sheet_by_default(validate: Any) -> None:
    result = _xlsx(validate, _workbook({"参保情况": DATA, "other": [["x"]]}))
    assert result.report.valid, result.report.summary()
    assert result.tables["t"].to_pylist() == [
        {"region": "520100", "count": 12, "rate": 3.5, "day": dt.date(2023, 1, 5)},
        {"region": "520300", "count": 7, "rate": 0.25, "day": dt.date(2023, 2, 1)},
    ]


def test_xlsx_reads_a_named_sheet(validate: Any) -> None:
    content = _workbook({"说明": [["synthetic notes"]], "参保情况": DATA})
    assert _xlsx(validate, content, sheet="参保情况").report.valid
    assert _xlsx(validate, content, sheet=2).report.valid


def test_xlsx_header_row_keeps_real_sheet_row_numbers(validate: Any) -> None:
    rows = [["贵州省参保情况 (synthetic)"], [], DATA[0], DATA[1], ["520400", 1.5, "x", None]]
    result = _xlsx(validate, _workbook({"s": rows}), header_row=3)
    assert triples(result) == [[5, "count", "type-error"], [5, "rate", "type-error"]]
    assert result.report.errors[0].found == "1.5"


def test_xlsx_reports_an_unknown_sheet(validate: Any) -> None:
    result = _xlsx(validate, _workbook({"a": DATA}), sheet="b")
    assert types(result) == ["format-error"]
    assert "no sheet 'b'" in result.report.errors[0].message


def test_xlsx_reports_a_truncated_workbook(validate: Any) -> None:
    content = _workbook({"a": DATA})
    result = _xlsx(validate, content[: len(content) // 2])
    assert types(result) == ["format-error"]
    assert result.report.errors[0].message.startswith("data/t.xlsx: ")


def test_xlsx_reports_a_file_that_is_not_a_workbook(validate: Any) -> None:
    assert types(_xlsx(validate, b"region,count\n")) == ["format-error"]


def test_xlsx_reports_blank_rows_and_extra_cells(validate: Any) -> None:
    rows = [DATA[0], DATA[1], [None, None, None, None], ["520300", 7, 0.5, None, "stray"]]
    result = _xlsx(validate, _workbook({"a": rows}))
    assert triples(result) == [[3, None, "blank-row"], [4, "", "extra-cell"]]


def test_xlsx_reports_a_header_row_past_the_end(validate: Any, tmp_path: Path) -> None:
    result = _xlsx(validate, _workbook({"a": DATA}), header_row=9)
    assert types(result) == ["source-error"]
