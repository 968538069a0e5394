"""Figures a printed table holds: a number as printed or an error at its line and column,
never a guess, a traceback, or an error blamed on another cell (issue 12 attack, 6 and 14)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from tests.validation.test_layout_publish import failure, publish
from tests.validation.yearbook import LONG_SCHEMA, csv_bytes, figures, layout, page
from validation.layout.units import NotANumber, normalised_text, read_number

BEIJING_LINE, FUND_INCOME = 8, 5  # 北京's line on the page; 基金收入, printed in 亿元


@pytest.mark.parametrize(
    ("printed", "number"),
    [("1,234,567.8", "1234567.8"), ("-12,345", "-12345"), ("123", "123"), ("0.05", "0.05"),
     ("１２３．５", "123.5"), ("－１，２３４", "-1234"), (" 757.2 ", "757.2")],
)  # fmt: skip
def test_a_read_number_is_ascii_or_full_width_digits_with_grouped_thousands(
    printed: str, number: str
) -> None:
    found = read_number(printed)
    assert (found, found.as_tuple()) == (Decimal(number), Decimal(number).as_tuple())


@pytest.mark.parametrize(
    ("printed", "expected"),
    [("12,3", "only between groups of three digits"), ("1,2345", "groups of three"),
     ("1234,567", "groups of three"), ("1,234.5,6", "before the point"),
     (",123", "groups of three"), ("١٢٣", "ARABIC-INDIC DIGIT ONE, U+0661"),
     ("१२", "DEVANAGARI DIGIT ONE"), ("１2٣", "U+0663"), ("1e5", "a missing-value mark"),
     ("+5", "a missing-value mark"), ("5*", "a missing-value mark"), ("1" * 65, "38 digits")],
)  # fmt: skip
def test_anything_else_is_refused_saying_what_was_expected(printed: str, expected: str) -> None:
    with pytest.raises(NotANumber) as raised:
        read_number(printed)
    assert expected in raised.value.expected


@pytest.mark.parametrize(
    ("printed", "factor", "normalised"),
    [("9" * 24, 1, "9" * 24), ("0." + "1" * 14, 1, "0." + "1" * 14),
     ("1" * 16 + ".5", 10**8, "1" * 16 + "50000000"), ("1" * 30, "1E-8", "1" * 22 + "." + "1" * 8)],
)  # fmt: skip
def test_values_that_fit_decimal_38_are_exact(printed: str, factor: Any, normalised: str) -> None:
    assert normalised_text(read_number(printed), Decimal(factor)) == normalised


@pytest.mark.parametrize(
    ("printed", "factor", "detail"),
    [("1" * 25, 1, "25 digits before the point and 0 after"),
     ("1" * 17, 10**8, "25 digits before the point"),
     ("1." + "1" * 15, 1, "1 digits before the point and 15 after"),
     ("1." + "1" * 39, 10**8, "9 digits before the point and 31 after"),
     ("1" * 30, 1, "30 digits")],
)  # fmt: skip
def test_values_past_decimal_38_are_refused_not_a_traceback(
    printed: str, factor: int, detail: str
) -> None:
    with pytest.raises(NotANumber) as raised:
        normalised_text(read_number(printed), Decimal(factor))
    assert "at most 24 digits before the point and 14 after" in raised.value.expected
    assert detail in raised.value.detail


def exact_layout_schema() -> dict[str, Any]:
    """The long schema as `opendata init` writes it: `value` exact, with per-row decimals."""
    fields = [dict(f) for f in LONG_SCHEMA["fields"]]
    value = next(f for f in fields if f["name"] == "value")
    value["decimalsField"] = "value_decimals"
    return {**LONG_SCHEMA, "fields": [*fields, {"name": "value_decimals", "type": "integer"}]}


@pytest.fixture
def exact_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(LONG_SCHEMA, "fields", exact_layout_schema()["fields"])


def with_cell(text: str, line: int = BEIJING_LINE, column: int = FUND_INCOME) -> list[list[str]]:
    rows = page(figures()[0])
    rows[line - 1][column - 1] = text
    return rows


@pytest.mark.usefixtures("exact_schema")
@pytest.mark.parametrize(
    ("printed", "expected"),
    [("12,3", 'and "," only between groups of three digits before the point'),
     ("١٢٣", "not ARABIC-INDIC DIGIT ONE, U+0661"),
     ("1" * 30, "at most 24 digits before the point and 14 after once normalised (× 100000000)"),
     ("1" + "0" * 308, "a number of at most 38 digits"),
     ("1." + "1" * 300, "a number of at most 38 digits"),
     ("1." + "1" * 39, "at most 24 digits before the point and 14 after")],
)  # fmt: skip
def test_a_bad_figure_is_one_error_at_its_own_line_and_column(
    tmp_path: Path, printed: str, expected: str
) -> None:
    error = failure(tmp_path, csv_bytes(with_cell(printed)), "page.csv", layout())
    assert (error.type, error.row, error.field_number) == ("layout-error", BEIJING_LINE, 5)
    assert error.message.startswith(
        f"data/page.csv line {BEIJING_LINE}, column 5: column 5"
        f" (urban_employee_pension_fund_income): expected "
    )
    assert expected in error.message
    assert len(error.message) < 400  # a 300-digit cell is shown cut


def test_a_float_of_309_digits_in_a_sheet_is_an_error_at_its_cell(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)
    for number, row in enumerate(page(figures()[0]), start=1):
        for column, text in enumerate(row, start=1):
            sheet.cell(number, column, text or None)
    sheet.cell(BEIJING_LINE, FUND_INCOME, 1e308)
    content = _saved(workbook)
    error = failure(tmp_path, content, "page.xlsx", layout())
    assert (error.row, error.field_number) == (BEIJING_LINE, FUND_INCOME)
    assert "a number of at most 38 digits" in error.message


def _saved(workbook: Workbook) -> bytes:
    import io

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.usefixtures("exact_schema")
def test_grouped_and_full_width_figures_publish_their_value(tmp_path: Path) -> None:
    rows = with_cell("１，２３４．５")
    rows[BEIJING_LINE - 1][FUND_INCOME] = "1,234,567.8"
    store = publish(tmp_path, "page.csv", csv_bytes(rows), layout())
    table = pq.read_table(store.version_path("yearbook-2008") / "observations.parquet")
    beijing = {r["source_column"]: r for r in table.to_pylist() if r["source_line"] == 8}
    assert beijing[5]["value"] == Decimal("123450000000")
    assert beijing[5]["value_as_printed"] == "１，２３４．５"
    assert beijing[6]["value"] == Decimal("123456780000000")
