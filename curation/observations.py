"""One printed figure of an indicator file, read into a normalised `Row`.

The indicator files share columns (`indicator_code`, `year`, `value`, `unit`, `note`, a source
URL or title) and differ in the optional ones (`period`, `region_code`, `qualifier`,
`source_kind` or `source_table`); a missing optional column reads as empty.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from curation.flags import flags_from
from curation.reference import Indicator
from curation.sources import Source
from curation.units import normalise, parse_decimal, printed_decimals, quantum

# Files without a region column hold Guizhou's figures.
DEFAULT_REGION = "520000"


@dataclass
class Row:
    """One printed figure, normalised, with where it came from."""

    file: str
    indicator_code: str
    region_code: str
    year: int
    period_type: str
    period: str
    period_as_printed: str
    value: Decimal | None
    unit: str
    value_as_printed: str
    unit_as_printed: str
    qualifier: str
    source: Source
    flags: set[str] = field(default_factory=set)
    note: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.indicator_code, self.region_code, self.period)

    @property
    def decimals(self) -> int | None:
        """The value's decimals as printed, after normalisation; None for an unreadable one."""
        if self.value is None:
            return None
        places = printed_decimals(self.value_as_printed, self.unit_as_printed)
        if self.value % Decimal(1).scaleb(-places):  # digits the page never printed
            raise AssertionError(f"{self.file}: {self.value} has more decimals than printed")
        return places

    @property
    def step(self) -> Decimal:
        return quantum(self.value_as_printed, self.unit_as_printed)


PERIOD_PATTERNS: list[tuple[str, str]] = [
    (r"\d{4}-H[12]", "half_year"),
    (r"\d{4}-Q[1-4]", "quarter"),
    (r"\d{4}-\d{2}", "month_end"),
    (r"\d{4}-\d{2}-\d{2}", "point_in_time"),
    (r"\d{4}\.\.\d{4}", "multi_year"),
]


def normalise_period(printed: str, year: int, indicator: Indicator) -> tuple[str, str, str]:
    """(period_type, period label, extra note) for a printed period."""
    if printed in ("annual", "year_end"):
        return printed, str(year), ""
    if printed in ("cumulative", "cumulative_to_2020_end"):
        return "cumulative", str(year), ""
    if printed == "target":
        return "target", str(year), ""
    if printed == "":
        return implied_period(year, indicator)
    if printed.startswith(f"{year}-ytd") or printed == str(year):
        return "year_to_date", f"{year}-YTD", "cutoff date not stated (article of 2020-12-28)"
    for pattern, period_type in PERIOD_PATTERNS:
        if re.fullmatch(pattern, printed):
            return period_type, printed, ""
    start, _, end = printed.partition("..")
    if start.startswith(f"{year}-01") and end.startswith(str(year)):
        return "year_to_date", printed, ""
    if end:
        return "multi_year", printed, ""
    raise ValueError(f"unrecognised period {printed!r}")


def implied_period(year: int, indicator: Indicator) -> tuple[str, str, str]:
    """The period of a file without a period column, derived from the indicator's measure."""
    if indicator.code.startswith("census_"):
        return "point_in_time", "2010-11-01", "census standard time 2010-11-01 00:00"
    if indicator.code.endswith("_cumulative"):
        return "cumulative", str(year), ""
    return ("year_end" if indicator.measure in ("S", "Cs") else "annual"), str(year), ""


def printed_form(row: Mapping[str, str], unit: str, kind: str) -> tuple[str, str, str]:
    """(value_as_printed, unit_as_printed, qualifier) where the note records the page's text."""
    value, note, name = row["value"], row.get("note", ""), row.get("indicator_name_zh", "")
    qualifier = row.get("qualifier") or "exact"
    if match := re.search(r"page prints '?(-?[\d.]+)(%)?'?", note):
        value = match.group(1)
        if match.group(2) and unit == "ratio":
            unit = "%"  # the page printed a ratio with a percent sign
    if "约" in note or "左右" in name:
        qualifier = "about"
    if "余" in name:
        qualifier = "more_than"
    if "korean" in kind and unit == "亿元":
        unit = "억원"  # the Korean page prints 억원 (= 亿元), as its note says
    return value, unit, qualifier


def make_row(
    file: str,
    raw: Mapping[str, str],
    sources: Mapping[str, Source],
    indicators: Mapping[str, Indicator],
) -> Row:
    """The normalised figure of one source row; its flags come from note, kind and source."""
    indicator = indicators[raw["indicator_code"]]
    source = sources[raw.get("source_url") or raw["source_title_zh"]]
    kind = raw.get("source_kind") or raw.get("source_table") or ""
    year = int(raw["year"])
    period_type, period, period_note = normalise_period(raw.get("period", ""), year, indicator)
    value_as_printed, unit_as_printed, qualifier = printed_form(raw, raw["unit"], kind)
    value, unit = normalise(parse_decimal(raw["value"]), raw["unit"])
    note = raw.get("note", "").strip()
    flags = flags_from(note, [kind, *source.kinds])
    if period_note:
        if "not stated" in period_note:
            flags.add("scope_uncertain")
        note = "; ".join(part for part in (note, period_note) if part)
    if value is None:
        flags.add("garbled")
    return Row(
        file, indicator.code, raw.get("region_code") or DEFAULT_REGION, year, period_type,
        period, raw.get("period", "") or "", value, unit, value_as_printed, unit_as_printed,
        qualifier, source, flags, note,
    )  # fmt: skip
