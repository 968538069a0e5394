"""A yearbook page as it arrived (GB18030 CSV, merged-cell XLSX) published through `layout`."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from catalog.errors import ValidationFailed
from catalog.store import FolderStore, Publisher
from tests.conftest import write_dataset
from tests.validation.yearbook import (
    COLUMNS,
    csv_bytes,
    datasets_with_code_lists,
    expected_value,
    figures,
    layout,
    page,
    xlsx_bytes,
    yearbook_descriptor,
)

FORMS = {"csv": csv_bytes, "xlsx": xlsx_bytes}


def publish(tmp_path: Path, file_name: str, content: bytes, table_layout: dict[str, Any]) -> Any:
    root = datasets_with_code_lists(tmp_path / "datasets")
    write_dataset(root, "yearbook-2008", {file_name: content},
                  yearbook_descriptor(file_name, table_layout))  # fmt: skip
    store = FolderStore(tmp_path / "store")
    publisher = Publisher(store, root)
    for source in publisher.plan([publisher.sources()["yearbook-2008"]]):
        publisher.build(source)
    return store


@pytest.mark.parametrize("form", ["csv", "xlsx"])
def test_every_printed_value_is_published_in_the_long_table(tmp_path: Path, form: str) -> None:
    found, codes = figures()
    rows = page(found)
    store = publish(tmp_path, f"表22-42.{form}", FORMS[form](rows), layout())
    table = pq.read_table(store.version_path("yearbook-2008") / "observations.parquet")
    published = {(r["region_code"], r["indicator_code"]): r for r in table.to_pylist()}
    units = {c[0]: c[4] for c in COLUMNS}
    assert len(published) == len(found) > 150
    for (region, indicator), printed in found.items():
        row = published[(codes[region], indicator)]
        assert row["value_as_printed"] == printed
        assert Decimal(repr(row["value"])) == expected_value(printed, units[indicator])
        assert row["unit"] == ("人" if units[indicator] == "万人" else "元")
        assert rows[row["source_line"] - 1][row["source_column"] - 1] == printed
    beijing = published[("110000", "urban_employee_pension_participants")]
    assert (beijing["region_as_printed"], beijing["year"], beijing["period"]) == (
        "北\u3000京",
        2008,
        "2008",
    )


def test_a_csv_footer_and_spacers_never_become_data(tmp_path: Path) -> None:
    found, _ = figures()
    store = publish(tmp_path, "page.csv", csv_bytes(page(found)), layout())
    table = pq.read_table(store.version_path("yearbook-2008") / "observations.parquet")
    lines = set(table.column("source_line").to_pylist())
    printed = page(found)
    assert all(printed[n - 1][0].strip() for n in lines)
    assert len(printed) not in lines  # the footer


def failure(tmp_path: Path, content: bytes, file_name: str, table_layout: dict[str, Any]) -> Any:
    with pytest.raises(ValidationFailed) as raised:
        publish(tmp_path, file_name, content, table_layout)
    assert "yearbook-2008" not in FolderStore(tmp_path / "store").slugs()
    errors = raised.value.report.errors
    assert len(errors) == 1, [e.message for e in errors]
    return errors[0]


@pytest.mark.parametrize("form", ["csv", "xlsx"])
def test_a_stray_line_in_the_data_is_an_error_at_its_line(tmp_path: Path, form: str) -> None:
    found, _ = figures()
    rows = page(found)
    rows.insert(12, ["其中：东部地区"] + [""] * 6)
    error = failure(tmp_path, FORMS[form](rows), f"page.{form}", layout())
    assert (error.type, error.row, error.field_number) == ("layout-error", 13, 1)
    assert error.message.startswith(f"data/page.{form} line 13, column 1: expected a data line")
    assert "其中：东部地区" in error.message


@pytest.mark.parametrize("form", ["csv", "xlsx"])
def test_a_header_typo_names_the_column_and_both_texts(tmp_path: Path, form: str) -> None:
    found, _ = figures()
    table_layout = layout()
    table_layout["columns"][1]["header"] = "城镇职工 / 在岗职工人数"
    error = failure(tmp_path, FORMS[form](page(found)), f"page.{form}", table_layout)
    assert (error.row, error.field_number) == (4, 3)  # 在岗职工 is on the second header line
    assert error.message == (
        f"data/page.{form} line 4, column 3: column 3"
        " (urban_employee_pension_contributing_workers): the header is printed"
        ' "城镇职工 / 在岗职工" but the layout declares "城镇职工 / 在岗职工人数"'
    )


def test_units_printed_nowhere_are_one_error(tmp_path: Path) -> None:
    found, _ = figures()
    rows = page(found, unit_line=None)
    error = failure(tmp_path, csv_bytes(rows), "page.csv", layout(unit_line=False))
    assert (error.row, error.field_number) == (2, 2)
    assert "units printed neither in a unit line (`unit_rows` declares none)" in error.message


def test_an_unknown_unit_is_an_error_naming_the_column(tmp_path: Path) -> None:
    found, _ = figures()
    rows = page(found, unit_line="单位：万人、亿元、亿美元")
    table_layout = layout()
    table_layout["columns"][3]["unit"] = "亿美元"
    error = failure(tmp_path, csv_bytes(rows), "page.csv", table_layout)
    assert error.field_number == 5
    assert 'column 5 (urban_employee_pension_fund_income): unit "亿美元" is not in' in error.message


def test_names_printed_in_japanese_forms_are_found_through_region_code_aliases(
    tmp_path: Path,
) -> None:
    found, _ = figures()
    rows = page(found)
    forms = {"辽\u3000宁": "遼\u3000寧", "山\u3000东": "山 東", "广\u3000东": "広東"}
    for row in rows:
        row[0] = forms.get(row[0], row[0])
    store = publish(tmp_path, "page.csv", csv_bytes(rows), layout())
    table = pq.read_table(store.version_path("yearbook-2008") / "observations.parquet")
    codes = {r["region_as_printed"]: r["region_code"] for r in table.to_pylist()}
    assert (codes["遼\u3000寧"], codes["山 東"], codes["広東"]) == ("210000", "370000", "440000")


def test_figures_under_an_unknown_name_publish_only_when_the_steward_skips_the_line(
    tmp_path: Path,
) -> None:
    found, _ = figures()
    rows = page(found)
    rows.insert(8, ["火\u3000星"] + ["1.0"] * 6)
    error = failure(tmp_path, csv_bytes(rows), "page.csv", layout())
    assert (error.row, error.field_number) == (9, 1)
    declared = {**layout(), "skip_rows": [9]}
    store = publish(tmp_path / "again", "page.csv", csv_bytes(rows), declared)
    table = pq.read_table(store.version_path("yearbook-2008") / "observations.parquet")
    assert 9 not in table.column("source_line").to_pylist()
