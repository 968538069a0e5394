"""Yearbook-form fixtures written by code from real figures (`shared/sources`).

China Statistical Yearbook 2009, table 22-42 (2008): urban employees' basic pension, as a
yearbook prints it: a title line, a unit line `单位：万人、亿元`, a two-row header with
`参保人数` over `小计 | 参保职工 | 离退休人员`, an English header line, blank spacer lines,
names spread with U+3000 and a closing `数据来源：` line. Written as a desktop-spreadsheet CSV
(GB18030, CRLF) and as an XLSX with real merged cells.
"""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl

from tests.conftest import REPO

# The repository's byte-for-byte copy of ../shared/sources (a clone has no ../shared).
SOURCE = REPO / "curation" / "sources" / "provincial_social_insurance_yearbook.csv"
TABLE = "China Statistical Yearbook 2009, table 22-42"
COLUMNS = [
    "urban_employee_pension_participants",
    "urban_employee_pension_contributing_workers",
    "urban_employee_pension_retirees",
    "urban_employee_pension_fund_income",
    "urban_employee_pension_fund_expenditure",
]
TOP = [
    ["表22-42 各地区城镇职工基本养老保险情况(2008年)", "", "", "", "", ""],
    ["单位：万人、亿元", "", "", "", "", ""],
    ["地　区", "参保人数", "", "", "基金收入", "基金支出"],
    ["", "小计", "参保职工", "离退休人员", "", ""],
    ["Region", "Total", "Employees", "Retirees", "Revenue", "Expenditure"],
]
FOOTER = ["数据来源：国家统计局《中国统计年鉴2009》。", "", "", "", "", ""]


def figures() -> dict[str, dict[str, str]]:
    """region name (zh) → indicator → the figure as printed, in the table's order."""
    rows: dict[str, dict[str, str]] = {}
    with SOURCE.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["source_table"] == TABLE and row["indicator_code"] in COLUMNS:
                rows.setdefault(row["region_name_zh"], {})[row["indicator_code"]] = row["value"]
    return rows


def spread(name: str) -> str:
    """Two-character names are printed spread with an ideographic space (`北　京`)."""
    return "　".join(name) if len(name) == 2 else name


def lines() -> list[list[str]]:
    body: list[list[str]] = [[""] * 6]
    for n, (region, values) in enumerate(figures().items()):
        body.append([spread(region)] + [values[c] for c in COLUMNS])
        if n % 8 == 0:
            body.append([""] * 6)  # spacer lines between regional blocks
    # Copies: a test that edits the heading (test_steward_fixes) must not edit the next test's.
    return [*(list(line) for line in TOP), *body, list(FOOTER)]


def write_csv(path: Path) -> Path:
    text = "\r\n".join(",".join(line) for line in lines()) + "\r\n"
    path.write_bytes(text.encode("gb18030"))
    return path


def write_xlsx(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "表22-42"
    for line in lines():
        sheet.append([_typed(cell) for cell in line])
    for merged in ("A1:F1", "A3:A4", "B3:D3", "E3:E4", "F3:F4"):
        sheet.merge_cells(merged)
    for row in sheet.iter_rows(min_row=6):
        for cell in row[1:]:
            cell.number_format = "0.0"
    book.save(path)
    return path


def _typed(cell: str) -> str | float:
    try:
        return float(cell)
    except ValueError:
        return cell
