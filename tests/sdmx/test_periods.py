"""Published periods become SDMX 2.1 time periods (the table in `catalog.sdmx.periods`)."""

from __future__ import annotations

import pytest

from catalog.sdmx import sdmx_period


@pytest.mark.parametrize(
    ("published", "expected"),
    [
        ("2018", "2018"),
        ("2018-12", "2018-12"),
        ("2021-10-31", "2021-10-31"),
        ("2019-Q4", "2019-Q4"),
        ("2022-H1", "2022-S1"),
        ("2024-H2", "2024-S2"),
        ("2020-YTD", "2020"),
        ("2012..2016", "2012-01-01/P5Y"),
        ("2001..2005", "2001-01-01/P5Y"),
        ("2020-01..2020-10", "2020-01-01/P10M"),
        ("2011-01..2013-06", "2011-01-01/P30M"),
        ("2020-01..2021-12", "2020-01-01/P2Y"),
        ("2020-01..2020-11-16", "2020-01-01/P321D"),
        ("9990..9999", "9990-01-01/P10Y"),  # the calendar's last year ends, no year 10000
        ("9999-12..9999-12", "9999-12-01/P1M"),
        ("0001..0002", "0001-01-01/P2Y"),
    ],
)
def test_sdmx_period_maps_each_published_form(published: str, expected: str) -> None:
    assert sdmx_period(published, 2020) == expected


@pytest.mark.parametrize("published", ["sometime", "2020..2019", "2020-13..2021", ""])
def test_sdmx_period_of_an_unknown_form_is_the_rows_year(published: str) -> None:
    assert sdmx_period(published, 2020) == "2020"
