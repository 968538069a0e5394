"""The code lists of the indicator datasets: indicators, regions, period types and units.

Indicator and region codes come from the code lists the store serves (`indicator-codes`,
resource `indicators`; `region-codes`, resource `regions`), as the catalogue's vocabulary
reads them (`catalog.search.read_vocabulary`), then from the copies each indicator dataset
embeds and the indicators a printed table's layout declares, so every code
an observation uses is in its list even when a copy is all the store holds. Period types and
units have no published list with SDMX identifiers, so their names are kept here: a unit is
printed as `元` or `%`, which SDMX's `IDType` does not allow, and becomes `CNY` or `PCT`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from catalog.metadata import PERIOD_TYPE_LABELS
from catalog.search import Vocabulary
from catalog.store import Package

PERIOD_TYPE_LIST, UNIT_LIST = "CL_PERIOD_TYPE", "CL_UNIT"
# unit as published: (SDMX code, name_zh, name_en)
UNITS: dict[str, tuple[str, str, str]] = {
    "元": ("CNY", "元", "yuan (CNY)"),
    "人": ("PERSONS", "人", "persons"),
    "%": ("PCT", "%", "per cent"),
    "月": ("MONTHS", "月", "months"),
    "个": ("UNITS", "个", "units"),
    "人次": ("PERSON_TIMES", "人次", "person-times"),
    "元/月": ("CNY_PER_MONTH", "元/月", "yuan per month"),
    "元/小时": ("CNY_PER_HOUR", "元/小时", "yuan per hour"),
    "件": ("CASES", "件", "cases"),
    "户": ("HOUSEHOLDS", "户", "households"),
    "项": ("ITEMS", "项", "items"),
    "条": ("ENTRIES", "条", "entries"),
    "ratio": ("RATIO", "比值", "ratio"),
    "次": ("TIMES", "次", "times"),
    "家": ("ESTABLISHMENTS", "家", "establishments"),
    "条次": ("ENTRY_TIMES", "条次", "entry-times"),
    "所": ("INSTITUTIONS", "所", "institutions"),
    "期": ("EDITIONS", "期", "editions"),
    "份": ("COPIES", "份", "copies"),
}


@dataclass(frozen=True)
class Code:
    id: str
    name_zh: str
    name_en: str
    description_zh: str = ""
    description_en: str = ""
    parent: str = ""


@dataclass(frozen=True)
class Codelist:
    id: str
    name_zh: str
    name_en: str
    codes: tuple[Code, ...] = field(default=())
    version: str = ""  # derived from the rest (`catalog.sdmx.catalogue.content_version`)


def unit_code(unit: str) -> str:
    """The SDMX code of a published unit; one outside `UNITS` gets a stable code from its
    bytes, so that a new unit is served (named as printed) before it is named here."""
    known = UNITS.get(unit)
    return known[0] if known else "U_" + unit.encode("utf-8").hex().upper()


def unit_list(units: set[str]) -> Codelist:
    codes = []
    for unit in sorted(units, key=unit_code):
        known = UNITS.get(unit)
        codes.append(Code(unit_code(unit), *(known[1:] if known else (unit, unit))))
    return Codelist(UNIT_LIST, "计量单位", "Unit of measure", tuple(codes))


def period_type_list(types: set[str]) -> Codelist:
    codes = [Code(kind, *PERIOD_TYPE_LABELS.get(kind, (kind, kind))) for kind in sorted(types)]
    return Codelist(PERIOD_TYPE_LIST, "时期类型", "Period type", tuple(codes))


INDICATOR_COLUMNS = ["code", "name_zh", "name_en", "definition_zh", "definition_en"]
REGION_COLUMNS = ["code", "name_zh", "name_en", "parent_code"]


def indicator_list(
    vocabulary: Vocabulary, copies: list[list[str]], packages: list[Package]
) -> Codelist:
    """Indicators of the published list (the catalogue's vocabulary), of the embedded copies
    (`copies`: rows of `INDICATOR_COLUMNS`), then of the printed tables' layouts; the first
    name found for a code wins."""
    found: dict[str, Code] = {}
    for code, named in vocabulary.indicators.items():
        definition = vocabulary.definitions.get(code, ("", ""))
        found[code] = Code(code, named.name_zh, named.name_en, *definition)
    for row in copies:
        found.setdefault(row[0], Code(*row))
    for package in packages:
        for item in _layout_indicators(package):
            found.setdefault(item.id, item)
    codes = tuple(found[code] for code in sorted(found) if code)
    return Codelist("CL_INDICATOR", "指标", "Indicator", codes)


def _layout_indicators(package: Package) -> list[Code]:
    codes = []
    for resource in package.resources:
        layout = resource.layout or (resource.source_file.layout if resource.source_file else None)
        for item in layout.indicators if layout else []:
            codes.append(Code(item.code, item.name_zh, item.name_en))
    return codes


def region_list(vocabulary: Vocabulary, copies: list[list[str]]) -> Codelist:
    """Regions of the published list, then of the copies (rows of `REGION_COLUMNS`), with
    their parents (a parent outside the list is left out: SDMX wants it among the codes)."""
    found: dict[str, tuple[str, str, str]] = {
        code: (named.name_zh, named.name_en, vocabulary.parents.get(code, ""))
        for code, named in vocabulary.regions.items()
    }
    for code, name_zh, name_en, parent in copies:
        found.setdefault(code, (name_zh, name_en, parent))
    codes = tuple(
        Code(code, zh, en, parent=parent if parent in found else "")
        for code, (zh, en, parent) in sorted(found.items())
        if code
    )
    return Codelist("CL_REGION", "行政区划", "Region", codes)
