"""Reading one printed figure: periods, flags, the printed form and the normalised row."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from curation import reference
from curation.flags import flags_from
from curation.observations import make_row, normalise_period, printed_form
from curation.reference import Indicator
from curation.sources import Source

RowOf = Callable[[str, int], dict[str, str]]
STOCK = Indicator("urban_pension_retirees", "", "", "S", "s")
FLOW = Indicator("urban_new_jobs", "", "", "F", "e")


@pytest.mark.parametrize(
    ("printed", "year", "expected"),
    [("annual", 2018, ("annual", "2018", "")),
     ("year_end", 2018, ("year_end", "2018", "")),
     ("cumulative", 2019, ("cumulative", "2019", "")),
     ("cumulative_to_2020_end", 2020, ("cumulative", "2020", "")),
     ("target", 2021, ("target", "2021", "")),
     ("2022-H1", 2022, ("half_year", "2022-H1", "")),
     ("2019-Q4", 2019, ("quarter", "2019-Q4", "")),
     ("2018-12", 2018, ("month_end", "2018-12", "")),
     ("2021-10-31", 2021, ("point_in_time", "2021-10-31", "")),
     ("2001..2005", 2005, ("multi_year", "2001..2005", "")),
     ("2020-01..2020-11-16", 2020, ("year_to_date", "2020-01..2020-11-16", "")),
     ("2011-01..2013-06", 2013, ("multi_year", "2011-01..2013-06", ""))],
)  # fmt: skip
def test_normalise_period_keeps_each_kind_of_period_apart(
    printed: str, year: int, expected: tuple[str, str, str]
) -> None:
    assert normalise_period(printed, year, FLOW) == expected


@pytest.mark.parametrize("printed", ["2020", "2020-ytd(cutoff unstated; published 2020-12-28)"])
def test_a_year_to_date_without_cutoff_says_so_in_the_note(printed: str) -> None:
    period_type, period, note = normalise_period(printed, 2020, FLOW)
    assert (period_type, period) == ("year_to_date", "2020-YTD")
    assert "cutoff date not stated" in note


def test_a_file_without_periods_takes_them_from_the_measure() -> None:
    census = reference.indicators()["census_unemployed_persons_towns"]
    cumulative = reference.indicators()["returned_overseas_students_cumulative"]
    assert normalise_period("", 2011, STOCK) == ("year_end", "2011", "")
    assert normalise_period("", 2011, FLOW) == ("annual", "2011", "")
    assert normalise_period("", 2010, cumulative) == ("cumulative", "2010", "")
    assert normalise_period("", 2010, census)[:2] == ("point_in_time", "2010-11-01")


def test_an_unknown_period_is_an_error() -> None:
    with pytest.raises(ValueError, match="unrecognised period 'spring'"):
        normalise_period("spring", 2020, FLOW)


def test_flags_come_from_note_fragments_and_source_kinds() -> None:
    note = "revised figure; original 2012 bulletin: 37102; DISAGREES with NBS"
    assert flags_from(note, []) == {"revised", "conflict_noted"}
    assert flags_from("", ["news_repro_mohrss_bulletin_korean"]) == {"translation"}
    assert flags_from("", ["news_repro_mohrss_bulletin_garbled"]) == {"garbled"}
    assert flags_from("as printed", ["news_repro_nbs"]) == set()  # fragments are case-sensitive


def test_printed_form_restores_a_percent_sign_the_page_put_on_a_ratio(row_of: RowOf) -> None:
    raw = row_of("national_hrss_bulletin.csv", 299)
    assert printed_form(raw, raw["unit"], raw["source_kind"]) == ("3.09", "%", "exact")


def test_printed_form_reads_about_and_more_than_from_note_and_name() -> None:
    about = {"value": "1.27", "note": "page: 约1.27", "indicator_name_zh": "求人倍率"}
    more = {"value": "30", "note": "", "indicator_name_zh": "新增就业30万余人"}
    assert printed_form(about, "ratio", "")[2] == "about"
    assert printed_form(more, "万人", "")[2] == "more_than"


def test_make_row_scales_a_figure_printed_in_hundred_millions(
    row_of: RowOf, sources: dict[str, Source]
) -> None:
    raw = row_of("national_hrss_bulletin.csv", 127)  # 9.4 亿人 basic pension participants
    row = make_row("national_hrss_bulletin.csv", raw, sources, reference.indicators())
    assert (row.value, row.unit) == (Decimal(940_000_000), "人")
    assert (row.value_as_printed, row.unit_as_printed) == ("9.4", "亿人")
    assert row.key == ("basic_pension_participants", "000000", raw["year"])
    assert row.step == Decimal(10) ** 7


def test_a_row_knows_the_decimals_its_value_was_printed_with(
    row_of: RowOf, sources: dict[str, Source]
) -> None:
    raw = row_of("national_hrss_bulletin.csv", 127)  # 9.4 亿人
    assert (
        make_row("national_hrss_bulletin.csv", raw, sources, reference.indicators()).decimals == 0
    )
    money = {**raw, "value": "40147.0", "unit": "元"}
    assert make_row("x.csv", money, sources, reference.indicators()).decimals == 1
    garbled = {**raw, "value": "9.4?"}
    assert make_row("x.csv", garbled, sources, reference.indicators()).decimals is None


def test_a_value_with_digits_never_printed_is_an_error(
    row_of: RowOf, sources: dict[str, Source]
) -> None:
    printed = {"value": "1.25", "unit": "元", "note": "page prints '1.2'"}  # a digit the page lacks
    raw = {**row_of("national_hrss_bulletin.csv", 127), **printed}
    row = make_row("x.csv", raw, sources, reference.indicators())
    with pytest.raises(AssertionError, match="more decimals than printed"):
        _ = row.decimals


def test_make_row_keeps_the_korean_unit_as_printed(
    row_of: RowOf, sources: dict[str, Source]
) -> None:
    raw = row_of("national_hrss_bulletin.csv", 118)  # 57089 亿元, printed 억원
    row = make_row("national_hrss_bulletin.csv", raw, sources, reference.indicators())
    assert (row.value, row.unit, row.unit_as_printed) == (Decimal(5_708_900_000_000), "元", "억원")
    assert "translation" in row.flags


def test_make_row_of_a_file_without_region_or_period_columns(
    row_of: RowOf, sources: dict[str, Source]
) -> None:
    raw = row_of("guizhou_hrss_disclosure_2018.csv", 2)
    row = make_row("guizhou_hrss_disclosure_2018.csv", raw, sources, reference.indicators())
    assert row.region_code == "520000"
    assert row.period_as_printed == ""
    assert row.period == "2018"
    assert row.source.source_id == "S078"


def test_make_row_notes_an_unstated_cutoff_and_flags_its_scope(
    row_of: RowOf, sources: dict[str, Source]
) -> None:
    line = next(
        n for n in range(2, 138)
        if row_of("guizhou_hrss_indicators.csv", n)["period"].startswith("2020-ytd")
    )  # fmt: skip
    raw = row_of("guizhou_hrss_indicators.csv", line)
    row = make_row("guizhou_hrss_indicators.csv", raw, sources, reference.indicators())
    assert row.period == "2020-YTD"
    assert "scope_uncertain" in row.flags
    assert row.note.endswith("cutoff date not stated (article of 2020-12-28)")
