"""Published periods as SDMX 2.1 time periods, and the dates a period covers.

The datasets print a period as the source did; SDMX wants an `ObservationalTimePeriod`:

    published               TIME_PERIOD             why
    2018                    2018                    a calendar year
    2018-12                 2018-12                 a month
    2021-10-31              2021-10-31              a day (a stock at that date)
    2019-Q4                 2019-Q4                 a quarter
    2022-H1                 2022-S1                 SDMX calls half-years semesters
    2020-YTD                2020                    the cut-off date was not printed: the
                                                    reporting year, told apart by PERIOD_TYPE
                                                    year_to_date and the published period
    2012..2016              2012-01-01/P5Y          a range: its first day and its length
    2020-01..2020-10        2020-01-01/P10M         (SDMX 2.1 time ranges are start/duration)
    2020-01..2020-11-16     2020-01-01/P321D

The published period always travels with the observation (attribute PERIOD_AS_PUBLISHED), so
nothing is lost. A period of no known form becomes the observation's `year`.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from catalog.sdmx.errors import BadSyntax
from catalog.series import calendar_span, months_span

_SINGLE = re.compile(r"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?$")
_PART = re.compile(r"^([0-9]{4})-(Q|H|S|M|A)([0-9]{1,2})$")
_YTD = re.compile(r"^([0-9]{4})-YTD$")
# In a query: the SDMX forms a caller may send as startPeriod or endPeriod.
_QUERY_PART = re.compile(r"^([0-9]{4})-(Q|S|M|A)([0-9]{1,2})$")
_DURATION = re.compile(r"^P(?:([0-9]+)Y)?(?:([0-9]+)M)?(?:([0-9]+)D)?$")
_PART_MONTHS = {"Q": 3, "H": 6, "S": 6, "M": 1, "A": 12}


def sdmx_period(published: str, year: int | None = None) -> str:
    """The SDMX 2.1 time period of a published period (see the module's table)."""
    text = published.strip()
    if _SINGLE.match(text):
        return text
    if part := _PART.match(text):
        letter = "S" if part[2] == "H" else part[2]
        return f"{part[1]}-{letter}{int(part[3])}"
    if ytd := _YTD.match(text):
        return ytd[1]
    if ".." in text:
        ranged = _range(text)
        if ranged:
            return ranged
    return str(year) if year is not None else text


def _range(text: str) -> str | None:
    first, _, last = text.partition("..")
    if not (_SINGLE.match(first) and _SINGLE.match(last)):
        return None
    try:
        start, _ = _span(first)
        _, end = _span(last)
    except (ValueError, OverflowError):
        return None
    if end < start:
        return None
    if len(first) <= 7 and len(last) <= 7:  # years and months: a whole number of months
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        length = f"P{months // 12}Y" if months % 12 == 0 else f"P{months}M"
    else:
        length = f"P{(end - start).days + 1}D"
    return f"{start.isoformat()}/{length}"


def covered(period: str) -> tuple[date, date] | None:
    """The first and last day an SDMX time period covers; None for a form it cannot read."""
    try:
        if "/" in period:
            return _range_span(period)
        return _span(period)
    except (ValueError, OverflowError):  # past the calendar's years 1 to 9999
        return None


def _span(period: str) -> tuple[date, date]:
    """First and last day of `YYYY`, `YYYY-MM`, `YYYY-MM-DD`, `YYYY-Qn`, `YYYY-Sn` (`Hn`),
    `YYYY-Mnn` or `YYYY-A1`; ValueError for anything else."""
    if _SINGLE.match(period):
        return calendar_span(period)
    if part := _PART.match(period):
        size = _PART_MONTHS[part[2]]
        number = int(part[3])
        if not 1 <= number <= 12 // size:
            raise ValueError(period)
        return months_span(int(part[1]), (number - 1) * size + 1, size)
    raise ValueError(period)


def _range_span(period: str) -> tuple[date, date]:
    first, _, length = period.partition("/")
    start = date.fromisoformat(first[:10])
    found = _DURATION.match(length)
    if not found or not any(found.groups()):
        raise ValueError(period)
    years, months, days = (int(g or 0) for g in found.groups())
    end_month = start.month - 1 + years * 12 + months
    shifted = date(start.year + end_month // 12, end_month % 12 + 1, start.day)
    return start, shifted + timedelta(days=days) - timedelta(days=1)


def query_bound(value: str, parameter: str, *, last: bool) -> date:
    """The first (or `last`) day of a startPeriod or endPeriod the caller sent; 400 if it is
        no SDMX time period this service reads (a year outside 0001 to 9999 included). Digits are
    ASCII only: Python's `\\d` and `int` would read full-width or Arabic-Indic digits too."""
    text = value.strip()
    if not text:
        raise BadSyntax(f"{parameter} is empty: give a period such as 2018, or leave it out.")
    if _SINGLE.match(text) or _QUERY_PART.match(text):
        try:
            first, final = _span(text)
        except (ValueError, OverflowError):
            pass
        else:
            return final if last else first
    raise BadSyntax(
        f"{parameter} must be an SDMX time period such as 2018, 2018-06, 2018-Q2, 2018-S1"
        " or 2018-06-30, in the years 0001 to 9999."
    )


def overlaps(period: str, start: date | None, end: date | None) -> bool:
    """Whether the period shares a day with [start, end] (open ends unbounded). A period
    whose days are unknown is kept only when no bound is asked for."""
    if start is None and end is None:
        return True
    span = covered(period)
    if span is None:
        return False
    return (start is None or span[1] >= start) and (end is None or span[0] <= end)
