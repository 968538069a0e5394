"""The reference data a draft is matched against, read from the datasets folder.

The rules that compare names (`Region`, the administrative suffixes, the name clean-up) are
validation's, the ones `opendata build` reads the layout with. Regions from
`region-codes/data/regions.csv` and their other printed names (`遼寧`, `Tibet`, `黔南州`) from
`region-codes/data/aliases.csv`, indicators from `indicator-codes/data/indicators.csv` and
printed units from `indicator-codes/data/units.csv` (`unit_as_printed, unit, factor`).
Nothing here is a list kept in Python: a new region, indicator or unit is a line in those
files. A printed unit has the one rule build has: its line in the units file. One without a
line is kept as printed with factor 1 and listed for review (build refuses it until the line
is added).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from drafting.grid import DraftError
from validation import Region


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
    """The unit a printed unit normalises to, by its line in the units file; a unit without
    one is kept as printed, factor 1 (the draft lists it for review)."""
    return units.get(printed, Unit(printed, printed, Decimal(1)))
