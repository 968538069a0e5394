"""Finding the region column and the code of each printed region name.

A name is looked up as the reader will (LAYOUT.md): `remap`, `name_zh`, `name_zh` without its
administrative suffix, `region-codes/aliases` (`遼寧`, `Tibet`, `黔南州`), `name_en`. The
steward's `--remap` entries come first and go into `remap`. The words below name the total
of whatever the table covers, not a region, so they are not aliases: the draft reads them as
the national line and writes the ones a table prints into `remap` for review. A name found
only by the looser rule here (a unique region whose name starts with the printed one less
its suffix) goes into `remap` too, and the summary asks the steward to review it.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass

from drafting.reference import Region, clean_en, clean_zh, strip_suffix

NATIONAL_CODE = "000000"
NATIONAL_WORDS = ("总计", "合计", "total")


@dataclass(frozen=True)
class Match:
    code: str
    how: str  # remap, national, name_zh, suffix, alias, name_en, loose: remap, national and
    # loose go into the layout's remap (the reader knows the others)


class RegionMatcher:
    def __init__(self, regions: list[Region], aliases: Mapping[str, str] | None = None,
                 remap: Mapping[str, str] | None = None) -> None:  # fmt: skip
        self.regions = regions
        self.remap = {_key(k): v for k, v in (remap or {}).items()}
        self.aliases = {_key(k): v for k, v in (aliases or {}).items()}
        self.by_zh = {r.name_zh: r for r in regions}
        self.by_stripped = {strip_suffix(r.name_zh): r for r in regions}
        self.by_en = {clean_en(r.name_en): r for r in regions}
        self.by_code = {r.code: r for r in regions}

    def match(self, printed: str) -> Match | None:
        zh, en = clean_zh(printed), clean_en(printed)
        if not zh:
            return None
        steward = self.remap.get(zh) or self.remap.get(en)
        if steward:
            return Match(steward, "remap")
        if zh in NATIONAL_WORDS or en in NATIONAL_WORDS:
            return Match(NATIONAL_CODE, "national")
        for table, key, how in ((self.by_zh, zh, "name_zh"),
                                (self.by_stripped, zh, "suffix"),
                                (self.by_stripped, strip_suffix(zh), "suffix")):  # fmt: skip
            if key in table:
                return Match(table[key].code, how)
        alias = self.aliases.get(zh) or self.aliases.get(en)
        if alias:
            return Match(alias, "alias")
        if en in self.by_en:
            return Match(self.by_en[en].code, "name_en")
        return self._loose(strip_suffix(zh))

    def _loose(self, stem: str) -> Match | None:
        if len(stem) < 2 or not re.search(r"[\u4e00-\u9fff]", stem):
            return None
        found = {r.code for r in self.regions if r.name_zh.startswith(stem)}
        return Match(found.pop(), "loose") if len(found) == 1 else None

    def nearest(self, printed: str) -> str | None:
        """The known name closest to `printed`, to suggest in an error."""
        names = [*self.by_zh, *self.by_stripped, *self.aliases]
        close = difflib.get_close_matches(clean_zh(printed), names, n=1, cutoff=0.5)
        return close[0] if close else None

    def children(self, code: str) -> list[str]:
        return [r.code for r in self.regions if r.parent_code == code]

    def level(self, code: str) -> str:
        region = self.by_code.get(code)
        return region.level if region else ""

    def parent(self, code: str) -> str:
        region = self.by_code.get(code)
        return region.parent_code if region else ""


def _key(name: str) -> str:
    """Chinese and Japanese names without whitespace; others as `clean_en` compares them."""
    return clean_zh(name) if re.search(r"[\u3040-\u30ff\u3400-\u9fff]", name) else clean_en(name)


def region_column(rows: list[list[str]], matcher: RegionMatcher) -> int | None:
    """The 1-based column whose cells most often name a region (at least three of them)."""
    width = max((len(row) for row in rows), default=0)
    counts = [
        sum(1 for row in rows if c < len(row) and matcher.match(row[c]) is not None)
        for c in range(width)
    ]
    best = max(range(width), key=lambda c: counts[c], default=None)
    return best + 1 if best is not None and counts[best] >= 3 else None
