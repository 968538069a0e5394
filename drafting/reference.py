"""The reference data a draft is matched against, read from the datasets folder.

Regions from `region-codes/data/regions.csv` and their other printed names (`遼寧`, `Tibet`,
`黔南州`) from `region-codes/data/aliases.csv`, indicators from
`indicator-codes/data/indicators.csv` and printed units from
`indicator-codes/data/units.csv` (`unit_as_printed, unit, factor`). Nothing here is a list
kept in Python: a new region, indicator or unit is a line in those files.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from drafting.grid import DraftError

# The administrative suffixes the reader strips, longest first (LAYOUT.md, region clean-up).
SUFFIXES = ("壮族自治区", "回族自治区", "维吾尔自治区", "特别行政区", "自治区", "自治州",
            "地区", "省", "市", "州", "区", "县")  # fmt: skip
# Printed scale prefixes, used only when the units file has no line for a printed unit.
PREFIXES = {"万亿": Decimal(10) ** 12, "亿": Decimal(10) ** 8, "万": Decimal(10) ** 4,
            "千": Decimal(10) ** 3, "百万": Decimal(10) ** 6}  # fmt: skip
UNCHANGED = ("%", "‰", "ratio")


@dataclass(frozen=True)
class Region:
    code: str
    name_zh: str
    name_en: str
    level: str
    parent_code: str


@dataclass(frozen=True)
class Indicator:
    code: str
    name_zh: str
    name_en: str
    unit: str
    measure: str
    additive: bool


@dataclass(frozen=True)
class Unit:
    printed: str
    unit: str
    factor: Decimal


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def load_regions(datasets: Path) -> list[Region]:
    path = datasets / "region-codes" / "data" / "regions.csv"
    if not path.is_file():
        raise DraftError(
            f"{datasets} has no region-codes dataset ({path} is missing): init maps region"
            " names to codes through it. Give --datasets the folder holding region-codes and"
            " indicator-codes (the repository's datasets/), or set OPENDATA_DATASETS."
        )
    return [
        Region(r["code"], r["name_zh"], r["name_en"], r.get("level", ""), r.get("parent_code", ""))
        for r in _rows(path)
    ]


def load_aliases(datasets: Path) -> dict[str, str]:
    """Each other printed name of a region (`alias`) to its code."""
    path = datasets / "region-codes" / "data" / "aliases.csv"
    return {r["alias"]: r["code"] for r in (_rows(path) if path.exists() else [])}


def load_indicators(datasets: Path) -> list[Indicator]:
    path = datasets / "indicator-codes" / "data" / "indicators.csv"
    return [
        Indicator(
            r["code"], r["name_zh"], r["name_en"], r.get("unit", ""), r.get("measure", ""),
            r.get("additive", "true").lower() == "true",
        )
        for r in (_rows(path) if path.exists() else [])
    ]  # fmt: skip


def load_units(datasets: Path) -> dict[str, Unit]:
    path = datasets / "indicator-codes" / "data" / "units.csv"
    rows = _rows(path) if path.exists() else []
    return {
        r["unit_as_printed"]: Unit(r["unit_as_printed"], r["unit"], Decimal(r["factor"]))
        for r in rows
    }


def normalised_unit(printed: str, units: dict[str, Unit]) -> Unit:
    """The unit a printed unit normalises to: the units file, else the scale-prefix rule."""
    if printed in units:
        return units[printed]
    for prefix, factor in sorted(PREFIXES.items(), key=lambda p: -len(p[0])):
        if printed.startswith(prefix) and len(printed) > len(prefix):
            return Unit(printed, printed[len(prefix) :], factor)
    return Unit(printed, printed, Decimal(1))


def clean_zh(name: str) -> str:
    """A Chinese region name with all whitespace removed (`北　京` → `北京`)."""
    return re.sub(r"\s+", "", name)


def clean_en(name: str) -> str:
    """An English region name with runs of whitespace collapsed, lower-cased for comparing."""
    return re.sub(r"\s+", " ", name).strip().lower()


def strip_suffix(name: str) -> str:
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name
