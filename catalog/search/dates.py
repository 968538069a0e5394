"""Solr's date syntax: ISO 8601 instants in UTC and date math (`NOW-1DAY/DAY`).

CKAN's date fields (`metadata_modified`, `metadata_created`) are Solr `date`s: a range bound
or a term is an instant with a `Z`, or `NOW`, followed by shifts (`+1MONTH`) and roundings
(`/DAY`) applied left to right.
"""

from __future__ import annotations

import calendar
import re
from datetime import UTC, datetime, timedelta

from catalog.errors import SearchSyntaxError

DATE_MATH = re.compile(r"([+-])(\d+)([A-Z]+)|/([A-Z]+)")
UNITS = {
    "YEAR": "year",
    "MONTH": "month",
    "DAY": "day",
    "DATE": "day",
    "HOUR": "hour",
    "MINUTE": "minute",
    "SECOND": "second",
    "MILLI": "millisecond",
    "MILLISECOND": "millisecond",
}


def parse_date(text: str, now: datetime | None = None) -> datetime:
    """A Solr date (`2024-05-01T09:00:00.123456Z`, `NOW`, `NOW-1DAY/DAY`) as naive UTC."""
    base, math = _split_date(text)
    if base == "NOW":
        moment = (now or datetime.now(UTC)).replace(tzinfo=None)
    else:
        try:
            moment = datetime.fromisoformat(base.removesuffix("Z"))
        except ValueError:
            raise SearchSyntaxError(f"Invalid Date String:'{text}'") from None
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC).replace(tzinfo=None)
    for sign, amount, unit, rounding in DATE_MATH.findall(math):
        name = UNITS.get((unit or rounding).rstrip("S")) or UNITS.get(unit or rounding)
        if name is None:
            raise SearchSyntaxError(f"Invalid Date Math String:'{text}'")
        try:
            moment = _round(moment, name) if rounding else _shift(moment, name, int(amount), sign)
        except (ValueError, OverflowError):  # past year 1 or 9999
            raise SearchSyntaxError(f"Date out of range:'{text}'") from None
    return moment


def _split_date(text: str) -> tuple[str, str]:
    """The moment and the date math after it; Solr wants the `Z`, we also take none."""
    if text.startswith("NOW"):
        base, math = "NOW", text[3:]
    elif "Z" in text:
        cut = text.index("Z") + 1
        base, math = text[:cut], text[cut:]
    else:
        base, math = text, ""
    if "".join(m.group(0) for m in DATE_MATH.finditer(math)) != math:
        raise SearchSyntaxError(f"Invalid Date Math String:'{text}'")
    return base, math


def _shift(moment: datetime, unit: str, amount: int, sign: str) -> datetime:
    amount = amount if sign == "+" else -amount
    if unit in ("year", "month"):
        months = moment.year * 12 + moment.month - 1 + (amount * 12 if unit == "year" else amount)
        year, month = months // 12, months % 12 + 1
        day = min(moment.day, calendar.monthrange(year, month)[1])
        return moment.replace(year=year, month=month, day=day)
    return moment + timedelta(**{unit + "s": amount})


ROUNDING = ("year", "month", "day", "hour", "minute", "second")


def _round(moment: datetime, unit: str) -> datetime:
    if unit == "millisecond":
        return moment.replace(microsecond=moment.microsecond // 1000 * 1000)
    kept = ROUNDING.index(unit) + 1
    parts = [moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second]
    floors = [1, 1, 1, 0, 0, 0]
    year, month, day, hour, minute, second = [*parts[:kept], *floors[kept:]]
    return datetime(year, month, day, hour, minute, second)
