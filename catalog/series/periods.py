"""The days a published period covers, for the two questions a series asks of time: which
periods a `from`/`to` range keeps, and which period is the latest.

Published labels (the `period` column of every indicator table):

    2020                the calendar year
    2018-12             a month
    2021-11-30          one day (a stock at that date)
    2019-Q4, 2022-H1    a quarter, a half-year
    2020-YTD            January to a cut-off the source did not print: the reporting year is
                        all that is known, so it covers the year; as the latest it ranks
                        after a complete period ending the same day (its end is not known)
    2012..2016          a range of years, months or days: from its first day to its last
    2020-01..2020-10

A label of no known form covers its row's `year`.

**Range rule** (`from`, `to`, as SDMX's startPeriod/endPeriod): a period is kept when it shares
a day with [1 January of `from`, 31 December of `to`]; `2012..2016` is kept by `from=2016`.

**Latest rule**: the latest point is the one whose last day is latest; on the same last day, a
period whose end is known beats a year-to-date figure, then the period type listed first in the
vocabulary wins (annual, year_end, cumulative, …). Planned figures (`target`) are latest only
in a series that has nothing else.
"""

from __future__ import annotations

import re
from calendar import monthrange
from datetime import date

# ASCII digits only: `\d` and `int` would read full-width or Arabic-Indic digits too.
_SINGLE = re.compile(r"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?$")
_PART = re.compile(r"^([0-9]{4})-([QH])([1-4])$")
_YTD = re.compile(r"^([0-9]{4})-YTD$")
_PART_MONTHS = {"Q": 3, "H": 6}

# The period-type vocabulary of the indicator datasets, in its published order.
PERIOD_TYPES = (
    "annual", "year_end", "cumulative", "year_to_date", "half_year", "quarter", "month_end",
    "target", "multi_year", "point_in_time",
)  # fmt: skip
PLANNED = "target"


def covered(period: str, year: int) -> tuple[date, date]:
    """The first and last day `period` covers (its row's `year` when the label is unknown)."""
    try:
        return _span(period.strip())
    except ValueError:
        return _year(year)


def _span(text: str) -> tuple[date, date]:
    if ytd := _YTD.match(text):
        return _year(int(ytd[1]))
    if ".." in text:
        first, _, last = text.partition("..")
        start, end = calendar_span(first)[0], calendar_span(last)[1]
        if end < start:
            raise ValueError(text)
        return start, end
    if part := _PART.match(text):
        size = _PART_MONTHS[part[2]]
        if int(part[3]) > 12 // size:
            raise ValueError(text)
        return months_span(int(part[1]), (int(part[3]) - 1) * size + 1, size)
    return calendar_span(text)


def calendar_span(text: str) -> tuple[date, date]:
    """First and last day of `YYYY`, `YYYY-MM` or `YYYY-MM-DD` (the forms SDMX shares with the
    published labels); ValueError for anything else, a year outside 0001 to 9999 included."""
    found = _SINGLE.match(text)
    if not found:
        raise ValueError(text)
    year, month, day = int(found[1]), found[2], found[3]
    if day:
        moment = date(year, int(month), int(day))
        return moment, moment
    return months_span(year, int(month), 1) if month else _year(year)


def _year(year: int) -> tuple[date, date]:
    return months_span(year, 1, 12)


def months_span(year: int, month: int, count: int) -> tuple[date, date]:
    """The first and last day of `count` months from `month`: the last day is computed, never
    the day before the next month, so that 9999-12 ends on 9999-12-31 (no year 10000)."""
    if not 1 <= month <= 12:
        raise ValueError(month)
    years, last = divmod(month - 1 + count - 1, 12)
    final_year, final_month = year + years, last + 1
    final_day = monthrange(final_year, final_month)[1] if 1 <= final_year <= 9999 else 0
    return date(year, month, 1), date(final_year, final_month, final_day)


def overlaps(period: str, year: int, first: int | None, last: int | None) -> bool:
    """Whether `period` shares a day with the years `first` to `last` (either end open)."""
    start, end = covered(period, year)
    return (first is None or end.year >= first) and (last is None or start.year <= last)


def recency(period: str, year: int, period_type: str) -> tuple[bool, date, bool, int]:
    """A sort key, greatest latest, for the latest rule (see the module's docstring)."""
    _, end = covered(period, year)
    known_end = not _YTD.match(period.strip())
    order = PERIOD_TYPES.index(period_type) if period_type in PERIOD_TYPES else len(PERIOD_TYPES)
    return period_type != PLANNED, end, known_end, -order
