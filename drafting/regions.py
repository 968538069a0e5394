"""Finding the region column and the code of each printed region name.

A name is looked up as the reader will (LAYOUT.md): `remap`, `name_zh`, `name_zh` without its
administrative suffix, `name_en`. The national words below are not in `region-codes`, so the
draft writes the ones a table prints into `remap`. A name found only by the looser rule here
(a unique region whose name starts with the printed one less its suffix: `黔西南州` →
`黔西南布依族苗族自治州`) goes into `remap` too, and the summary asks the steward to review it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from drafting.reference import Region, clean_en, clean_zh, strip_suffix

NATIONAL_CODE = "000000"
NATIONAL_WORDS = ("全国", "全国合计", "全国总计", "总计", "合计", "national", "national total",
                  "total", "china")  # fmt: skip


@dataclass(frozen=True)
class Match:
    code: str
    how: str  # national, name_zh, suffix, name_en, loose: the first and last go into remap


class RegionMatcher:
    def __init__(self, regions: list[Region]) -> None:
        self.regions = regions
        self.by_zh = {r.name_zh: r for r in regions}
        self.by_stripped = {strip_suffix(r.name_zh): r for r in regions}
        self.by_en = {clean_en(r.name_en): r for r in regions}
        self.by_code = {r.code: r for r in regions}

    def match(self, printed: str) -> Match | None:
        zh, en = clean_zh(printed), clean_en(printed)
        if not zh:
            return None
        if zh in NATIONAL_WORDS or en in NATIONAL_WORDS:
            return Match(NATIONAL_CODE, "national")
        for table, key, how in ((self.by_zh, zh, "name_zh"),
                                (self.by_stripped, zh, "suffix"),
                                (self.by_stripped, strip_suffix(zh), "suffix"),
                                (self.by_en, en, "name_en")):  # fmt: skip
            if key in table:
                return Match(table[key].code, how)
        return self._loose(strip_suffix(zh))

    def _loose(self, stem: str) -> Match | None:
        if len(stem) < 2 or not re.search(r"[\u4e00-\u9fff]", stem):
            return None
        found = {r.code for r in self.regions if r.name_zh.startswith(stem)}
        return Match(found.pop(), "loose") if len(found) == 1 else None

    def level(self, code: str) -> str:
        region = self.by_code.get(code)
        return region.level if region else ""

    def parent(self, code: str) -> str:
        region = self.by_code.get(code)
        return region.parent_code if region else ""


def region_column(rows: list[list[str]], matcher: RegionMatcher) -> int | None:
    """The 1-based column whose cells most often name a region (at least three of them)."""
    width = max((len(row) for row in rows), default=0)
    counts = [
        sum(1 for row in rows if c < len(row) and matcher.match(row[c]) is not None)
        for c in range(width)
    ]
    best = max(range(width), key=lambda c: counts[c], default=None)
    return best + 1 if best is not None and counts[best] >= 3 else None
