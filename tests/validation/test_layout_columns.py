"""A layout's columns and period against the table: a cell past the header, a column the
table lacks, a column declared twice and a period outside the vocabulary are errors naming
what was expected and what was found (issue 12 attack, 4, 5, 12 and 16)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from catalog.errors import ValidationFailed
from catalog.store import FolderStore
from catalog.store.model import try_package
from tests.validation.test_layout_publish import FORMS, failure, publish
from tests.validation.yearbook import figures, layout, page, yearbook_descriptor

BEIJING_LINE = 8


@pytest.mark.parametrize("form", ["csv", "xlsx"])
def test_a_number_split_into_two_cells_is_an_error_not_shifted_values(
    tmp_path: Path, form: str
) -> None:
    rows = page(figures()[0])
    beijing = rows[BEIJING_LINE - 1]
    assert beijing[:3] == ["北\u3000京", "757.2", "577.0"]
    rows[BEIJING_LINE - 1] = [*beijing[:2], "1", "234.5", *beijing[3:]]  # `1,234.5` unquoted
    error = failure(tmp_path, FORMS[form](rows), f"page.{form}", layout())
    assert (error.type, error.row, error.field_number) == ("layout-error", BEIJING_LINE, 8)
    assert (error.expected, error.found) == ("at most 7 columns", beijing[-1])
    assert error.message.startswith(
        f"data/page.{form} line 8, column 8: expected no text right of column 7, the last"
        f' column of the table (its header, lines 3, 4, 5), found "{beijing[-1]}"'
    )


def test_empty_cells_past_the_header_are_no_error(tmp_path: Path) -> None:
    rows = [[*row, "", " "] for row in page(figures()[0])]
    store = publish(tmp_path, "page.csv", FORMS["csv"](rows), layout())
    assert "yearbook-2008" in store.slugs()


def build_errors(tmp_path: Path, table_layout: dict[str, Any]) -> list[Any]:
    with pytest.raises(ValidationFailed) as raised:
        publish(tmp_path, "page.csv", FORMS["csv"](page(figures()[0])), table_layout)
    return list(raised.value.report.errors)


@pytest.mark.parametrize(
    ("key", "column", "edit"),
    [("layout.columns[2].column is 99 (urban_employee_pension_retirees)", 99,
      lambda t: t["columns"][2].update(column=99, header=None)),
     ("layout.region.column is 12 (the region)", 12, lambda t: t["region"].update(column=12))],
)  # fmt: skip
def test_a_declared_column_past_the_table_is_an_error_naming_its_key_and_the_width(
    tmp_path: Path, key: str, column: int, edit: Any
) -> None:
    declared = layout()
    edit(declared)
    errors = build_errors(tmp_path, declared)
    first = errors[0]  # errors without a line come first; the region's lines follow it
    assert first.message == (
        f"data/page.csv column {column}: {key}, but the table is 7 columns wide"
        " (its header, lines 3, 4, 5)"
    )
    assert (first.row, first.field_number, first.expected) == (None, column, "a column from 1 to 7")
    assert "yearbook-2008" not in FolderStore(tmp_path / "store").slugs()


def faults(table_layout: dict[str, Any]) -> dict[str, str]:
    return try_package(yearbook_descriptor("page.csv", table_layout))[1]


def test_a_column_declared_twice_names_both_declarations() -> None:
    declared = layout()
    declared["columns"][3]["column"] = 3
    assert faults(declared) == {
        "resources[0].layout.columns": "column 3 is declared twice: as columns[1]"
        " (urban_employee_pension_contributing_workers) and as columns[3]"
        " (urban_employee_pension_fund_income)"
    }


def test_a_value_column_may_not_be_the_region_column() -> None:
    declared = layout()
    declared["columns"][0]["column"] = 1
    assert faults(declared) == {
        "resources[0].layout.columns": "column 1 is declared twice: as the region column"
        " and as columns[0] (urban_employee_pension_participants)"
    }


@pytest.mark.parametrize(
    ("period", "place", "message"),
    [({"year": 99999999999, "type": "annual"}, "year", "less than or equal to 2100"),
     ({"year": -5, "type": "annual"}, "year", "greater than or equal to 1900"),
     ({"year": 2008, "type": "whenever"}, "type", "unknown value `whenever`; use one of"
      " `year_end`, `annual`, `cumulative`, `target`"),
     ({"year": 2008, "type": "year"}, "type", "unknown value `year` (did you mean `year_end`?)"),
     ({"year": 2008, "type": "quarter"}, "type", "unknown value `quarter`"),
     ({"year": 2008}, "type", "Field required")],
)  # fmt: skip
def test_a_period_outside_the_years_or_the_vocabulary_is_refused(
    period: dict[str, Any], place: str, message: str
) -> None:
    declared = layout()
    declared["period"] = period
    declared["columns"][4]["period"] = period
    found = faults(declared)
    for where in ("layout.period", "layout.columns[4].period"):
        assert message in found[f"resources[0].{where}.{place}"]


@pytest.mark.parametrize("kind", ["year_end", "annual", "cumulative", "target"])
def test_the_year_labelled_period_types_are_accepted(kind: str) -> None:
    declared = layout()
    declared["period"] = {"year": 1900, "type": kind}
    declared["columns"][0]["period"] = {"year": 2100, "type": kind}
    assert faults(declared) == {}
