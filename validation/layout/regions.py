"""Region names as printed (`北　京`, `内蒙古`, `Inner Mongolia`) to GB/T 2260 codes.

The one home of the region name rules: `opendata build` reads a layout with them and
`opendata init` drafts one with them (the drafting package imports this), so a name init
finds is a name build resolves. The names come from `region-codes/regions` (`code`,
`name_zh`, `name_en`) and the other printed forms from `region-codes/aliases` (`alias`,
`code`: `遼寧`, `Tibet`, `黔南州`). Lookup order: the layout's `remap`, the Chinese name, the
Chinese name without its administrative suffix (`内蒙古自治区` → `内蒙古`), an alias, the
English name (case and spacing ignored). The first region of the list holding a name keeps
it: provinces come before prefectures (`吉林` is 吉林省, not 吉林市).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pyarrow as pa

# Longest first: `自治区` must not leave `维吾尔` behind.
SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "自治州",
            "地区", "省", "市", "州", "区", "县")  # fmt: skip


@dataclass(frozen=True)
class Region:
    """A line of `region-codes/regions` (and of the curation's `reference/regions.csv`)."""

    code: str
    name_zh: str
    name_en: str
    level: str = ""
    parent_code: str = ""
    note: str = ""


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


def regions_of(table: pa.Table) -> list[Region]:
    """The regions of a `region-codes/regions` table (code, names; level and parent if any)."""
    wanted = ("code", "name_zh", "name_en", "level", "parent_code")
    columns = [table.column(n).to_pylist() if n in table.column_names else [None] * len(table)
               for n in wanted]  # fmt: skip
    return [Region(*(str(cell or "") for cell in row)) for row in zip(*columns, strict=True)]


@dataclass
class RegionIndex:
    """The names a region may be printed with, each to its code."""

    full: dict[str, str] = field(default_factory=dict)
    short: dict[str, str] = field(default_factory=dict)
    english: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, regions: pa.Table, aliases: pa.Table | None = None) -> RegionIndex:
        pairs: list[tuple[str, str]] = []
        if aliases is not None:
            pairs = list(zip(*(aliases.column(n).to_pylist() for n in ("alias", "code")),
                             strict=True))  # fmt: skip
        return cls.named(regions_of(regions), pairs)

    @classmethod
    def named(cls, regions: Iterable[Region], aliases: Iterable[tuple[str, str]] = ()
              ) -> RegionIndex:  # fmt: skip
        """The index of `regions`, in their order, and of `(alias, code)` pairs."""
        index = cls()
        for alias, code in aliases:
            if alias:
                index.aliases.setdefault(chinese_key(alias), code)
                index.aliases.setdefault(english_key(alias), code)
        for region in regions:
            if region.name_zh:
                index.full.setdefault(chinese_key(region.name_zh), region.code)
                index.short.setdefault(short_name(chinese_key(region.name_zh)), region.code)
            if region.name_en:
                index.english.setdefault(english_key(region.name_en), region.code)
        return index

    def code(self, printed: str, remap: Mapping[str, str]) -> str | None:
        """The code of the region printed `printed`, or None when no name matches."""
        zh = chinese_key(printed)
        found = remap.get(zh) or remap.get(" ".join(printed.split()))
        known = self.found(printed)
        return found or (known[0] if known else None)

    def found(self, printed: str) -> tuple[str, str] | None:
        """The code of `printed` by the names alone (no remap), and the rule that found it:
        `name_zh`, `suffix`, `alias` or `name_en`."""
        zh, en = chinese_key(printed), english_key(printed)
        for table, key, how in ((self.full, zh, "name_zh"), (self.short, zh, "suffix"),
                                (self.aliases, zh, "alias"), (self.english, en, "name_en"),
                                (self.aliases, en, "alias")):  # fmt: skip
            if key in table:
                return table[key], how
        return None

    def nearest(self, printed: str) -> str | None:
        """The known name closest to `printed`, to suggest in an error."""
        zh = chinese_key(printed)
        names = [*self.full, *self.short, *self.aliases]
        close = difflib.get_close_matches(zh, names, n=1, cutoff=0.5)
        if not close:
            close = difflib.get_close_matches(english_key(printed), list(self.english), n=1)
        return close[0] if close else None
