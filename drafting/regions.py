"""Finding the region column and the code of each printed region name.

A name is looked up by the reader's own index (validation's `RegionIndex`, docs/steward.md):
`remap`, `name_zh`, `name_zh` without its administrative suffix, `region-codes/aliases`
(`遼寧`, `Tibet`, `黔南州`), `name_en`, the first region of the file keeping a name. The
steward's `--remap` entries come first and go into `remap`. The words below name the total
of whatever the table covers, not a region, so they are not aliases: the draft reads them as
the line of the region the table's other lines are part of (the country, or the province of
a prefecture table) and writes the ones a table prints into `remap` for review. A name found
only by the looser rule here (a unique region whose name starts with the printed one less
its suffix) goes into `remap` too, and the summary asks the steward to review it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from validation import Region, RegionIndex, chinese_key, english_key, short_name

NATIONAL_CODE = "000000"
# A total line names no region: it is the total of whatever the table covers, the country
# or (全省, a prefecture table's 合计) one province.
TOTAL_WORDS = ("总计", "合计", "total", "全省", "全省合计", "全省总计", "全区", "全区合计",
               "全市", "全市合计")  # fmt: skip


@dataclass(frozen=True)
class Match:
    code: str
    how: str  # remap, total, name_zh, suffix, alias, name_en, loose: remap, total and loose
    # go into the layout's remap (the reader knows the others)


class RegionMatcher:
    def __init__(self, regions: list[Region], aliases: Mapping[str, str] | None = None,
                 remap: Mapping[str, str] | None = None) -> None:  # fmt: skip
        self.regions = regions
        self.remap = {_key(k): v for k, v in (remap or {}).items()}
        self.index = RegionIndex.named(regions, (aliases or {}).items())
        self.by_code = {r.code: r for r in reversed(regions)}  # the first keeps a code
        self.total_code = NATIONAL_CODE  # what a total line is the total of (`covering`)

    def match(self, printed: str) -> Match | None:
        zh, en = chinese_key(printed), english_key(printed)
        if not zh:
            return None
        steward = self.remap.get(zh) or self.remap.get(en)
        if steward:
            return Match(steward, "remap")
        if zh in TOTAL_WORDS or en in TOTAL_WORDS:
            return Match(self.total_code, "total")
        found = self.index.found(printed)
        return Match(*found) if found else self._loose(short_name(zh))

    def _loose(self, stem: str) -> Match | None:
        if len(stem) < 2 or not re.search(r"[\u4e00-\u9fff]", stem):
            return None
        found = {r.code for r in self.regions if r.name_zh.startswith(stem)}
        return Match(found.pop(), "loose") if len(found) == 1 else None

    def covering(self, names: list[str]) -> str:
        """The region the named regions are part of: the province whose prefectures most of
        them are, else the country."""
        found = [m.code for m in map(self.match, names) if m is not None and m.how != "total"]
        parents = Counter(self.parent(code) for code in found).most_common(1)
        parent = parents[0][0] if parents else NATIONAL_CODE
        return parent if self.level(parent) == "province" else NATIONAL_CODE

    def nearest(self, printed: str) -> str | None:
        """The known name closest to `printed`, to suggest in an error."""
        return self.index.nearest(printed)

    def children(self, code: str) -> list[str]:
        return [r.code for r in self.regions if r.parent_code == code]

    def level(self, code: str) -> str:
        region = self.by_code.get(code)
        return region.level if region else ""

    def parent(self, code: str) -> str:
        region = self.by_code.get(code)
        return region.parent_code if region else ""


def _key(name: str) -> str:
    """Chinese and Japanese names without whitespace; others as `english_key` compares them."""
    return (
        chinese_key(name) if re.search(r"[\u3040-\u30ff\u3400-\u9fff]", name) else english_key(name)
    )


def region_column(rows: list[list[str]], matcher: RegionMatcher) -> int | None:
    """The 1-based column whose cells most often name a region (at least three of them)."""
    width = max((len(row) for row in rows), default=0)
    counts = [
        sum(1 for row in rows if c < len(row) and matcher.match(row[c]) is not None)
        for c in range(width)
    ]
    best = max(range(width), key=lambda c: counts[c], default=None)
    return best + 1 if best is not None and counts[best] >= 3 else None
