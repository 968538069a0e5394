"""What a new steward met publishing a real yearbook table: a note among the data, a header
typo on the second header line, a missing unit line (issue 12, the steward's trial)."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.validation.test_layout_publish import FORMS, failure, publish
from tests.validation.yearbook import figures, layout, page

# Whole init-and-build runs of the yearbook form: the full suite runs them; the fast tier
# keeps the shorter ones of test_init and test_layout_publish.
pytestmark = pytest.mark.slow

NOTE = "注：吉林省数据不含长白山管委会。"


def page_with_note() -> list[list[str]]:
    """The page with a note line between 吉林 and 黑龙江, at file line 16."""
    rows = page(figures()[0])
    at = next(i for i, row in enumerate(rows) if row[0] == "黑龙江")
    rows.insert(at, [NOTE] + [""] * 6)
    assert at + 1 == 16
    return rows


@pytest.mark.parametrize("form", ["csv", "xlsx"])
def test_provinces_after_a_note_that_looks_like_a_footer_are_an_error(
    tmp_path: Path, form: str
) -> None:
    error = failure(tmp_path, FORMS[form](page_with_note()), f"page.{form}", layout())
    assert (error.type, error.row, error.field_number) == ("layout-error", 17, 1)
    assert error.message.startswith(
        f"data/page.{form} line 17, column 1: line 17 looks like data but follows the footer"
        " that starts at line 16: declare the note in note_rows or skip_rows"
    )


@pytest.mark.parametrize("key", ["note_rows", "skip_rows"])
def test_a_note_declared_among_the_data_publishes_every_province(tmp_path: Path, key: str) -> None:
    found, _ = figures()
    declared = {**layout(), key: [16]}
    store = publish(tmp_path, "page.csv", FORMS["csv"](page_with_note()), declared)
    table = pq.read_table(store.version_path("yearbook-2008") / "observations.parquet")
    assert table.num_rows == len(found)
    assert 16 not in table.column("source_line").to_pylist()


@pytest.mark.parametrize("form", ["csv", "xlsx"])
@pytest.mark.parametrize(
    ("line", "column", "typo", "declared"),
    [(4, 3, "在岗职工人数", "城镇职工 / 在岗职工"), (3, 6, "基金支付", "基金支出")],
)  # fmt: skip
def test_a_header_typo_names_the_line_the_differing_label_is_printed_on(
    tmp_path: Path, form: str, line: int, column: int, typo: str, declared: str
) -> None:
    rows = page(figures()[0])
    rows[line - 1] = [typo if cell == declared.split(" / ")[-1] and n == column - 1 else cell
                      for n, cell in enumerate(rows[line - 1])]  # fmt: skip
    error = failure(tmp_path, FORMS[form](rows), f"page.{form}", layout())
    assert (error.row, error.field_number) == (line, column)
    assert error.message.startswith(f"data/page.{form} line {line}, column {column}: ")


@pytest.mark.parametrize("form", ["csv", "xlsx"])
def test_a_missing_unit_line_is_one_error_saying_the_lines_moved(tmp_path: Path, form: str) -> None:
    rows = page(figures()[0], unit_line=None)
    error = failure(tmp_path, FORMS[form](rows), f"page.{form}", layout())
    assert (error.type, error.row) == ("layout-error", 2)
    assert error.message.startswith(
        f"data/page.{form} line 2: line 2 should be the unit line but holds the header"
        " `地区,城镇职工,"
    )
    assert "moved up by 1 (a unit line missing?): the header declared at" in error.message
    assert "lines 3–4 is printed at lines 2–3" in error.message


def test_a_line_added_above_the_header_is_one_error_saying_the_lines_moved(
    tmp_path: Path,
) -> None:
    rows = page(figures()[0])
    rows.insert(1, ["（续表）"] + [""] * 6)
    error = failure(tmp_path, FORMS["csv"](rows), "page.csv", layout())
    assert error.row == 3
    assert error.message.startswith(
        "data/page.csv line 3: line 3 should be the header line but holds `单位：万人、亿元`;"
        " the table's lines moved down by 1"
    )


def test_a_misspelt_indicator_code_is_an_error_naming_the_nearest(tmp_path: Path) -> None:
    declared = layout()
    right = declared["columns"][2]["indicator"]
    declared["columns"][2]["indicator"] = right[:-1]  # the steward's typo: a letter short
    error = failure(tmp_path, FORMS["csv"](page(figures()[0])), "page.csv", declared)
    assert (error.type, error.row, error.field_number) == ("layout-error", None, 4)
    assert f'indicator "{right[:-1]}" is neither in indicator-codes' in error.message
    assert f'(did you mean "{right}"?)' in error.message


def test_a_data_line_short_of_a_cell_is_an_error_not_shifted_figures(tmp_path: Path) -> None:
    rows = page(figures()[0])
    at = next(i for i, row in enumerate(rows) if row[0] == "北\u3000京")
    del rows[at][2]  # one figure deleted: the ones after it would move one column left
    error = failure(tmp_path, FORMS["csv"](rows), "page.csv", layout())
    assert (error.type, error.row) == ("layout-error", at + 1)
    assert f"expected {len(rows[0])} cells, as the table has" in error.message
    assert (
        f"found {len(rows[0]) - 1}: a cell missing on this line moves every cell" in error.message
    )
