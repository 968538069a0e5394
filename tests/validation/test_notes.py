"""Nothing becomes data by accident: a note or footer line in a plain table is an error.

The files are SYNTHETIC, laid out as desktop spreadsheets save them (GB18030 with CRLF for
CSV, a real workbook for XLSX); the figures are invented.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import Workbook

from tests.validation.conftest import package, resource, triples, types

FIELDS = [
    {"name": "region", "type": "string"},
    {"name": "employed", "type": "number"},
    {"name": "retired", "type": "number"},
]
BODY = ["region,employed,retired", "北京,580.4,219.7", "天津,301.2,98.5"]


def _gb18030(*lines: str) -> bytes:
    return "\r\n".join(lines).encode("gb18030") + b"\r\n"


def _csv(data: bytes, **extra: Any) -> Any:
    descriptor = package(resource(fields=FIELDS, encoding="gb18030", **extra))
    return descriptor, {"data/data.csv": data}


@pytest.mark.parametrize(
    "footer",
    ["数据来源：国家统计局,,", "资料来源：《中国劳动统计年鉴》,,", "注：城镇职工含退休人员,,",
     "说明：单位为万人,,", "Source: NBS,,", "note: figures are year-end,,", "数据来源：国家统计局"],
    ids=["数据来源", "资料来源", "注", "说明", "Source", "Note", "short-row"],
)  # fmt: skip
def test_a_footer_line_in_a_gb18030_csv_is_an_error_naming_its_line(
    validate: Any, footer: str
) -> None:
    result = validate(*_csv(_gb18030(*BODY, footer)))
    assert triples(result) == [[4, None, "note-row"]]
    message = result.report.errors[0].message
    assert message.startswith("data/data.csv row 4: looks like a note or footer line, not data")
    assert message.endswith("declare it (dialect commentRows) or remove it")
    assert not result.report.valid


def test_a_declared_footer_is_left_out(validate: Any) -> None:
    data = _gb18030(*BODY, "数据来源：国家统计局,,")
    result = validate(*_csv(data, dialect={"commentRows": [4]}))
    assert result.report.valid, result.report.summary()
    assert result.tables["data"].column("region").to_pylist() == ["北京", "天津"]


def test_a_lone_first_cell_that_is_not_a_value_of_its_field_is_a_note(validate: Any) -> None:
    fields = [{"name": "code", "type": "integer"}, {"name": "value", "type": "number"}]
    data = _gb18030("code,value", "110000,580.4", "（续表）,")
    result = validate(package(resource(fields=fields, encoding="gb18030")), {"data/data.csv": data})
    assert triples(result) == [[3, None, "note-row"]]


def test_a_data_row_with_only_its_first_value_is_data(validate: Any) -> None:
    result = validate(*_csv(_gb18030(*BODY, "河北,,")))
    assert result.report.valid, result.report.summary()
    assert result.tables["data"].column("region").to_pylist() == ["北京", "天津", "河北"]


def test_a_note_text_with_figures_beside_it_is_data_for_the_types_to_judge(
    validate: Any,
) -> None:
    result = validate(*_csv(_gb18030(*BODY, "注：含兵团,1,2")))
    assert result.report.valid, result.report.summary()


def _xlsx(rows: list[list[Any]], **extra: Any) -> Any:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    descriptor = package(resource(path="data/data.xlsx", format="xlsx", fields=FIELDS, **extra))
    return descriptor, {"data/data.xlsx": buffer.getvalue()}


XLSX = [["region", "employed", "retired"], ["北京", 580.4, 219.7], ["天津", 301.2, 98.5]]


def test_a_footer_line_in_an_xlsx_is_an_error_naming_its_row(validate: Any) -> None:
    result = validate(*_xlsx([*XLSX, ["数据来源：国家统计局", None, None]]))
    assert types(result) == ["note-row"]
    assert result.report.errors[0].row == 4
    assert result.report.errors[0].found == "数据来源：国家统计局"


def test_a_declared_xlsx_footer_is_left_out(validate: Any) -> None:
    rows = [*XLSX, ["数据来源：国家统计局", None, None]]
    result = validate(*_xlsx(rows, dialect={"commentChar": "数据来源"}))
    assert result.report.valid, result.report.summary()
    assert result.tables["data"].num_rows == 2
