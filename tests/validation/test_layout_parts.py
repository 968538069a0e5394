"""The parts of reading a printed table: cells as printed, headers, regions, units, keys."""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa
import pytest

from catalog.store.model import try_package
from tests.validation.yearbook import layout, yearbook_descriptor
from validation import RegionIndex, csv_lines
from validation.layout.formats import printed_text
from validation.layout.headers import joined_headers
from validation.layout.lines import Line
from validation.layout.units import normalised_text
from validation.reading import CellRefused


@pytest.mark.parametrize(
    ("number_format", "why"),
    [("[>=1000]#,##0;0.0", "condition"), ("[DBNum1][$-804]G/通用格式", "Chinese numerals"),
     ("# ?/?", "fraction"), ("0.0E+00", "scientific"), ("#,##0,", "scales"), ("0.0,,", "scales"),
     (";;;", "hides the value"), ('"万人"', "hides the value"), ("[Red]", "hides")],
)  # fmt: skip
def test_a_format_showing_something_else_than_the_figure_is_refused(
    number_format: str, why: str
) -> None:
    with pytest.raises(CellRefused, match=why):
        printed_text(757.2, number_format)


@pytest.mark.parametrize(
    ("value", "number_format", "printed"),
    [(40147.0, "0.0", "40147.0"), (211, "General", "211"), (211.0, "General", "211"),
     (802.1, "0.0", "802.1"), (1234.5, "#,##0.00", "1234.50"), (0.125, "0.0%", "12.5"),
     ("北　京", "General", "北　京"), (None, "General", ""),
     # Excel shows 30 decimals at most; a huge float prints whole instead of raising.
     (1.5, "0." + "0" * 700, "1.5" + "0" * 29), (1e308, "General", "1" + "0" * 308),
     # General as Chinese Excel and WPS write it, and Text over a number, show General.
     (757.2, "G/通用格式", "757.2"), (757.2, "[$-804]G/通用格式", "757.2"), (757.2, "@", "757.2"),
     # General shows 15 significant digits: a computed cell's float noise is not printed.
     (757.1000000000001, "General", "757.1"),
     # The negative section prints a negative value; colours and literals print no digits.
     (-5.25, '0.0;[Red]"(-)"0.00', "-5.25"), (1234.5, '#,##0.0"万"', "1234.5")],
)  # fmt: skip
def test_a_cell_is_the_text_its_number_format_prints(
    value: object, number_format: str, printed: str
) -> None:
    assert printed_text(value, number_format) == printed


@pytest.mark.parametrize(
    ("printed", "factor", "normalised"),
    [("802.1", 10**4, "8021000"), ("40147.0", 1, "40147.0"), ("211", 1, "211"),
     ("9.4", 10**8, "940000000"), ("0.05", 10**4, "500"), ("3.25", 10**1, "32.5"),
     ("-1.5", 10**4, "-15000"), ("1.5", Decimal("1.5"), "2.25")],
)  # fmt: skip
def test_normalised_values_keep_the_printed_precision_exactly(
    printed: str, factor: int | Decimal, normalised: str
) -> None:
    assert normalised_text(Decimal(printed), Decimal(factor)) == normalised


def test_csv_header_cells_spread_right_on_every_line_but_the_last() -> None:
    lines = [Line(3, ("地区", "城镇职工", "", "", "基金收入")),
             Line(4, ("", "小计", "在岗\n职工", "退休人员", ""))]  # fmt: skip
    assert joined_headers(lines, spread_left=True) == {
        1: "地区", 2: "城镇职工 / 小计", 3: "城镇职工 / 在岗 职工", 4: "城镇职工 / 退休人员",
        5: "基金收入",
    }  # fmt: skip


def test_a_vertically_merged_label_appears_once() -> None:
    lines = [Line(3, ("地区", "基金收入")), Line(4, ("地区", "基金收入"))]
    assert joined_headers(lines, spread_left=False) == {1: "地区", 2: "基金收入"}


REGIONS = pa.table({
    "code": ["000000", "110000", "150000", "650000", "520000", "520100"],
    "name_zh": ["全国", "北京市", "内蒙古自治区", "新疆维吾尔自治区", "贵州省", "贵阳市"],
    "name_en": ["China (national total)", "Beijing", "Inner Mongolia", "Xinjiang", "Guizhou",
                "Guiyang"],
})  # fmt: skip


@pytest.mark.parametrize(
    ("printed", "code"),
    [("北　京", "110000"), (" 内蒙古 ", "150000"), ("新疆", "650000"), ("全国", "000000"),
     ("inner  mongolia", "150000"), ("贵州省", "520000"), ("贵阳", "520100"),
     ("新疆兵团", "660000"), ("华东", None)],
)  # fmt: skip
def test_region_names_are_cleaned_and_looked_up_in_order(printed: str, code: str | None) -> None:
    assert RegionIndex.of(REGIONS).code(printed, {"新疆兵团": "660000"}) == code


ALIASES = pa.table(
    {
        "alias": ["遼寧", "内モンゴル", "Tibet", "黔南州"],
        "code": ["210000", "150000", "540000", "522700"],
    }
)


@pytest.mark.parametrize(
    ("printed", "code"),
    [("遼 寧", "210000"), ("内モンゴル", "150000"), ("tibet", "540000"), (" Tibet ", "540000"),
     ("黔南州", "522700"), ("北　京", "110000"), ("遼宁", None)],
)  # fmt: skip
def test_aliases_are_looked_up_after_the_official_names(printed: str, code: str | None) -> None:
    assert RegionIndex.of(REGIONS, ALIASES).code(printed, {}) == code


def test_remap_still_comes_before_an_alias() -> None:
    assert RegionIndex.of(REGIONS, ALIASES).code("遼寧", {"遼寧": "000000"}) == "000000"


def test_a_region_not_found_suggests_the_nearest_name() -> None:
    assert RegionIndex.of(REGIONS).nearest("內蒙古") == "内蒙古"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_lines_keep_their_numbers_in_any_encoding_and_line_ending(encoding: str) -> None:
    data = '表1\r\n单位：万人\r\n\r\n"北\n京",1\r\n'.encode(encoding)
    table = csv_lines(data, None)
    assert [(line.number, line.cells) for line in table.lines] == [
        (1, ("表1",)), (2, ("单位：万人",)), (3, ()), (4, ("北\n京", "1")),
    ]  # fmt: skip


def test_an_unknown_layout_key_names_the_nearest_one() -> None:
    table_layout = layout()
    table_layout["header_row"] = [3]
    table_layout["columns"][0]["indicatr"] = "x"
    _, faults = try_package(yearbook_descriptor("page.csv", table_layout))
    assert faults == {
        "resources[0].layout.header_row": "unknown key (did you mean `header_rows`?)",
        "resources[0].layout.columns[0].indicatr": "unknown key (did you mean `indicator`?)",
    }
