"""Which point of a series is the latest, which a from/to range keeps, and what the text of a
value says, on figures written here (SYNTHETIC data)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from catalog.search import Named
from catalog.series import PrintedFigure, Series, figure_rows, point_record, prefer, value_text
from web import series_chart


def figure(
    period: str, period_type: str, value: str = "1", decimals: int | None = None
) -> PrintedFigure:
    return PrintedFigure(
        slug="bulletin", version="v1", resource="observations", period_type=period_type,
        period=period, year=int(period[:4]), value=Decimal(value), unit="人",
        value_as_printed=value, unit_as_printed="人", decimals=decimals, source_id="S001",
        also_source_ids=frozenset(), tier=0, source_title="", source_url="", flags=frozenset(),
        note="", qualifier="", period_as_printed="",
    )  # fmt: skip


def series(*figures: PrintedFigure) -> Series:
    return Series(Named("x"), Named("000000"), prefer(figures), [("bulletin", "v1")])


def latest(*figures: PrintedFigure) -> str:
    found = series(*figures).latest
    assert found is not None
    return found.period


def test_the_latest_is_the_period_that_ends_last_not_the_last_label() -> None:
    # `2020-YTD` sorts after `2020` as text, but its end is unknown and never later.
    assert latest(figure("2020", "annual"), figure("2020-YTD", "year_to_date")) == "2020"
    assert latest(figure("2019", "annual"), figure("2020-YTD", "year_to_date")) == "2020-YTD"
    assert latest(figure("2020-H1", "half_year"), figure("2019-Q4", "quarter")) == "2020-H1"
    assert latest(figure("2021-01..2021-10", "year_to_date"), figure("2020", "annual")) == (
        "2021-01..2021-10"
    )
    assert latest(figure("2021-11-30", "point_in_time"), figure("2021-H1", "half_year")) == (
        "2021-11-30"
    )


def test_on_the_same_last_day_the_type_listed_first_wins_and_plans_come_last() -> None:
    assert latest(figure("2016", "annual"), figure("2012..2016", "multi_year")) == "2016"
    assert latest(figure("2025", "target"), figure("2020", "annual")) == "2020"
    assert latest(figure("2025", "target")) == "2025"


def test_from_and_to_keep_every_period_that_overlaps_the_years() -> None:
    whole = series(
        figure("2012..2016", "multi_year"), figure("2017", "annual"),
        figure("2020-YTD", "year_to_date"), figure("2021-01..2021-10", "year_to_date"),
    )  # fmt: skip
    assert [p.period for p in whole.between(2016, 2016).points] == ["2012..2016"]
    assert next(p.period for p in whole.between(2013, None).points) == "2012..2016"
    assert [p.period for p in whole.between(2020, 2020).points] == ["2020-YTD"]
    assert [p.period for p in whole.between(None, 2011).points] == []


def test_an_empty_range_keeps_no_dataset() -> None:
    empty = series(figure("2017", "annual")).between(2030, None)
    assert empty.points == [] and empty.datasets == [] and empty.latest is None


def test_value_text_is_exact_where_the_float_value_rounds() -> None:
    huge = figure("2020", "annual", "123456789012345678.91", decimals=2)
    assert value_text(huge) == "123456789012345678.91"
    record = point_record(series(huge).points[0])
    assert record["value_text"] == "123456789012345678.91"
    assert isinstance(record["value"], float)
    # A value finer than its recorded precision keeps every digit (never rounded away).
    assert value_text(figure("2020", "annual", "3.456", decimals=2)) == "3.456"
    assert value_text(figure("2020", "annual", "3.4", decimals=2)) == "3.40"


def test_the_chart_tooltip_shows_the_exact_text() -> None:
    huge = figure("2020", "annual", "123456789012345678.91", decimals=2)
    chart = series_chart(series(huge, figure("2019", "annual", "1")), "x", str, "zh")
    assert chart is not None
    assert "2020: 123,456,789,012,345,678.91</title>" in chart.svg  # grouped, every digit


def test_the_csv_rows_neutralise_formulas_but_not_numbers() -> None:
    hostile = replace(
        figure("2020", "annual", "-3.5"), source_title="@SUM(1+1)*cmd|' /C calc'!A0", note="=1+1"
    )
    (row,) = figure_rows(series(hostile))
    assert row["source_title"] == "'@SUM(1+1)*cmd|' /C calc'!A0" and row["note"] == "'=1+1"
    assert row["value"] == "-3.5"  # a number, never a formula
