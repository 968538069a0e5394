"""Region names as printed (`北　京`, `内蒙古`, `Inner Mongolia`) to GB/T 2260 codes.

The names come from `region-codes/regions` (`code`, `name_zh`, `name_en`) and the other
printed forms from `region-codes/aliases` (`alias`, `code`: `遼寧`, `Tibet`, `黔南州`). Lookup
order: the layout's `remap`, the Chinese name, the Chinese name without its administrative
suffix (`内蒙古自治区` → `内蒙古`), an alias, the English name (case and spacing ignored).
The first region of the list holding a name keeps it: provinces come before prefectures.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field

import pyarrow as pa

# Longest first: `自治区` must not leave `维吾尔` behind.
SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "自治州",
            "地区", "省", "市", "州", "区", "县")  # fmt: skip


def chinese_key(printed: str) -> str:
    """A Chinese name with all whitespace removed (`北　京` → `北京`)."""
    return "".join(printed.split())


def english_key(printed: str) -> str:
    """An English name with runs of whitespace made one space, compared case-insensitively."""
    return " ".join(printed.split()).casefold()


def short_name(name: str) -> str:
    """`name` without its administrative suffix (`河北省` → `河北`); unchanged if it has none
    or is nothing but one."""
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


@dataclass
class RegionIndex:
    """The names a region may be printed with, each to its code."""

    full: dict[str, str] = field(default_factory=dict)
    short: dict[str, str] = field(default_factory=dict)
    english: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, regions: pa.Table, aliases: pa.Table | None = None) -> RegionIndex:
        index = cls()
        if aliases is not None:
            pairs = zip(*(aliases.column(n).to_pylist() for n in ("alias", "code")), strict=True)
            for alias, code in pairs:
                if alias:
                    index.aliases.setdefault(chinese_key(alias), code)
                    index.aliases.setdefault(english_key(alias), code)
        columns = [regions.column(name).to_pylist() for name in ("code", "name_zh", "name_en")]
        rows = zip(*columns, strict=True)
        for code, name_zh, name_en in rows:
            if name_zh:
                index.full.setdefault(chinese_key(name_zh), code)
                index.short.setdefault(short_name(chinese_key(name_zh)), code)
            if name_en:
                index.english.setdefault(english_key(name_en), code)
        return index

    def code(self, printed: str, remap: Mapping[str, str]) -> str | None:
        """The code of the region printed `printed`, or None when no name matches."""
        zh, en = chinese_key(printed), english_key(printed)
        found = remap.get(zh) or remap.get(" ".join(printed.split()))
        known = self.full.get(zh) or self.short.get(zh) or self.aliases.get(zh)
        return found or known or self.english.get(en) or self.aliases.get(en)

    def nearest(self, printed: str) -> str | None:
        """The known name closest to `printed`, to suggest in an error."""
        zh = chinese_key(printed)
        names = [*self.full, *self.short, *self.aliases]
        close = difflib.get_close_matches(zh, names, n=1, cutoff=0.5)
        if not close:
            close = difflib.get_close_matches(english_key(printed), list(self.english), n=1)
        return close[0] if close else None
