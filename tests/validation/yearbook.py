"""A provincial yearbook page written from real figures, in the forms stewards receive it.

The figures are those of `../shared/sources/provincial_social_insurance_yearbook.csv` (China
Statistical Yearbook 2009, table 22-42: urban employees' basic pension insurance, 2008),
laid out as the yearbook prints them: a title line, a `单位：万人、亿元` line, a two-row
header with 城镇职工 over 小计 | 在岗职工 | 退休人员, an English header row, two-character
names spread with U+3000, blank lines between regional blocks and a `数据来源` footer. The
CSV form is a desktop spreadsheet's export (GB18030, CRLF); the XLSX form has real merged
cells and number formats that print each figure as the yearbook does.
"""

from __future__ import annotations

import csv
import io
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from tests.conftest import REPO, descriptor

SOURCE = REPO / "curation" / "sources" / "provincial_social_insurance_yearbook.csv"
YEAR = "2008"
# (indicator, header line 3, header line 4, English, unit)
COLUMNS = [
    ("urban_employee_pension_participants", "城镇职工", "小计", "Total", "万人"),
    ("urban_employee_pension_contributing_workers", "城镇职工", "在岗职工", "Employees", "万人"),
    ("urban_employee_pension_retirees", "城镇职工", "退休人员", "Retirees", "万人"),
    ("urban_employee_pension_fund_income", "基金收入", "", "Revenue", "亿元"),
    ("urban_employee_pension_fund_expenditure", "基金支出", "", "Expenditure", "亿元"),
    ("urban_employee_pension_fund_balance", "累计结余", "", "Balance", "亿元"),
]
# The yearbook's regional blocks, each followed by a blank line.
BLOCKS = [
    ["全国"],
    ["北京", "天津", "河北", "山西", "内蒙古"],
    ["辽宁", "吉林", "黑龙江"],
    ["上海", "江苏", "浙江", "安徽", "福建", "江西", "山东"],
    ["河南", "湖北", "湖南", "广东", "广西", "海南"],
    ["重庆", "四川", "贵州", "云南", "西藏"],
    ["陕西", "甘肃", "青海", "宁夏", "新疆", "新疆兵团"],
]
TITLE = "22-42 各地区城镇职工基本养老保险情况（2008年）"
UNIT_LINE = "单位：万人、亿元"
FOOTER = "数据来源：中国统计年鉴2009，表22-42。"
Figures = dict[tuple[str, str], str]  # (region as in the source, indicator) -> printed


def figures() -> tuple[Figures, dict[str, str]]:
    """The printed figures of the page, and each region's code, from the source file."""
    found: Figures = {}
    codes: dict[str, str] = {}
    with SOURCE.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["year"] == YEAR and row["indicator_code"] in {c[0] for c in COLUMNS}:
                found.setdefault((row["region_name_zh"], row["indicator_code"]), row["value"])
                codes[row["region_name_zh"]] = row["region_code"]
    return found, codes


def printed_name(name: str) -> str:
    """Two-character names are spread to the width of three, as the yearbook sets them."""
    return "\u3000".join(name) if len(name) == 2 else name


def page(found: Figures, *, unit_line: str | None = UNIT_LINE) -> list[list[str]]:
    """The page as rows of printed text; a figure the source lacks is printed `…`."""
    width = 1 + len(COLUMNS)
    rows = [[TITLE] + [""] * (width - 1)]
    if unit_line is not None:
        rows.append([unit_line] + [""] * (width - 1))
    rows.append(["地区"] + [c[1] for c in COLUMNS])
    rows.append([""] + [c[2] for c in COLUMNS])
    rows.append(["Region"] + [c[3] for c in COLUMNS])
    for block in BLOCKS:
        for name in block:
            rows.append([printed_name(name)] + [found.get((name, c[0]), "…") for c in COLUMNS])
        rows.append([""] * width)
    rows.append([FOOTER] + [""] * (width - 1))
    return rows


def csv_bytes(rows: list[list[str]]) -> bytes:
    """As a desktop spreadsheet saves it: merged cells blank after their first, GB18030, CRLF."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(_csv_header(rows))
    return buffer.getvalue().encode("gb18030")


def _csv_header(rows: list[list[str]]) -> list[list[str]]:
    """城镇职工 is printed once over its three columns; the others' line 4 stays blank."""
    out = [list(row) for row in rows]
    for row in out:
        if row[1:4] == ["城镇职工"] * 3:
            row[2:4] = ["", ""]
    return out


def xlsx_bytes(rows: list[list[str]]) -> bytes:
    """A workbook with the header's merged cells and each figure as a number, formatted."""
    workbook = Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)
    sheet.title = "22-42"
    header = next(i for i, row in enumerate(rows, start=1) if row[0] == "地区")
    for number, row in enumerate(_csv_header(rows), start=1):
        for column, text in enumerate(row, start=1):
            _put(sheet.cell(number, column), text, number > header + 2)
    sheet.merge_cells(start_row=1, end_row=1, start_column=1, end_column=7)
    sheet.merge_cells(start_row=header, end_row=header, start_column=2, end_column=4)
    for column in (1, 5, 6, 7):  # 地区 and the fund columns span both header lines
        sheet.merge_cells(start_row=header, end_row=header + 1, start_column=column,
                          end_column=column)  # fmt: skip
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _put(cell: Any, text: str, is_data: bool) -> None:
    if not is_data or not text or text == "…" or cell.column == 1:
        cell.value = text or None
        return
    decimals = len(text.split(".")[1]) if "." in text else 0
    cell.value = float(text) if decimals else int(text)
    cell.number_format = "0." + "0" * decimals if decimals else "General"


def layout(*, unit_line: bool = True) -> dict[str, Any]:
    """The layout a steward declares for the page (line numbers as `page` writes them)."""
    shift = 0 if unit_line else -1
    return {
        "title_rows": [1],
        "unit_rows": [2] if unit_line else [],
        "header_rows": [3 + shift, 4 + shift],
        "english_header_rows": [5 + shift],
        "region": {"column": 1, "remap": {"新疆兵团": "660000"}},
        "period": {"year": int(YEAR), "type": "year_end"},
        "source": "S1",
        "columns": [
            {"column": n, "header": " / ".join(p for p in (c[1], c[2]) if p),
             "indicator": c[0], "unit": c[4]}
            for n, c in enumerate(COLUMNS, start=2)
        ],
    }  # fmt: skip


LONG_SCHEMA: dict[str, Any] = {
    "fields": [
        {"name": "indicator_code", "type": "string", "constraints": {"required": True}},
        {"name": "region_code", "type": "string", "constraints": {"required": True}},
        {"name": "region_as_printed", "type": "string"},
        {"name": "year", "type": "integer"},
        {"name": "period_type", "type": "string"},
        {"name": "period", "type": "string"},
        {"name": "value", "type": "number"},
        {"name": "unit", "type": "string"},
        {"name": "value_as_printed", "type": "string"},
        {"name": "unit_as_printed", "type": "string"},
        {"name": "source_id", "type": "string"},
        {"name": "source_line", "type": "integer"},
        {"name": "source_column", "type": "integer"},
        {"name": "flags", "type": "string"},
    ],
    "primaryKey": ["indicator_code", "region_code", "period"],
    "foreignKeys": [
        {"fields": "region_code",
         "reference": {"package": "region-codes", "resource": "regions", "fields": "code"}},
    ],
}  # fmt: skip


def yearbook_descriptor(file_name: str, table_layout: dict[str, Any]) -> dict[str, Any]:
    fmt = file_name.rsplit(".", 1)[1]
    resource = {"name": "observations", "path": f"data/{file_name}", "format": fmt,
                "layout": table_layout, "schema": LONG_SCHEMA}  # fmt: skip
    return descriptor("yearbook-2008", [resource])


def datasets_with_code_lists(root: Path) -> Path:
    """A datasets folder holding the repository's region-codes and indicator-codes."""
    for slug in ("region-codes", "indicator-codes"):
        shutil.copytree(REPO / "datasets" / slug, root / slug)
    return root


def expected_value(printed: str, unit: str) -> Decimal:
    return Decimal(printed) * (Decimal(10) ** (4 if unit == "万人" else 8))
