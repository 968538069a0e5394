"""The code lists of the indicator datasets: indicators, regions, period types and units.

Indicator and region codes come from the code lists the store serves (`indicator-codes`,
resource `indicators`; `region-codes`, resource `regions`), then from the copies each
indicator dataset embeds and the indicators a printed table's layout declares, so every code
an observation uses is in its list even when a copy is all the store holds. Period types and
units have no published list with SDMX identifiers, so their names are kept here: a unit is
printed as `元` or `%`, which SDMX's `IDType` does not allow, and becomes `CNY` or `PCT`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from catalog.metadata import PERIOD_TYPE_LABELS
from catalog.sql import quote
from catalog.store import Package, Store, resource_file

INDICATOR_LIST, REGION_LIST = "indicator-codes", "region-codes"
PERIOD_TYPE_LIST, UNIT_LIST = "CL_PERIOD_TYPE", "CL_UNIT"
MAX_CODES = 100_000  # rows read from one code list

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


def read_rows(
    con: duckdb.DuckDBPyConnection, store: Store, slug: str, version: str, resource: str,
    columns: list[str],
) -> list[list[str]]:  # fmt: skip
    """`columns` of a published table as text ('' for null); none when it has no such file
    or columns (a code list that cannot answer names nothing, and stops nothing)."""
    if not store.has_file(slug, version, resource_file(resource)):
        return []
    path = str(store.local_path(slug, version, resource_file(resource)))
    cells = ", ".join(f"coalesce(CAST({quote(c)} AS VARCHAR), '')" for c in columns)
    try:
        rows = con.execute(
            f"SELECT {cells} FROM read_parquet(?) LIMIT ?", [path, MAX_CODES]
        ).fetchall()
    except duckdb.Error:
        return []
    return [list(row) for row in rows]


def indicator_list(
    con: duckdb.DuckDBPyConnection, store: Store, places: list[tuple[str, str, str]],
    packages: list[Package],
) -> Codelist:  # fmt: skip
    """Indicators of the published list, of each embedded copy (`places`: slug, version,
    resource), then of the printed tables' layouts; the first name found for a code wins."""
    found: dict[str, Code] = {}
    columns = ["code", "name_zh", "name_en", "definition_zh", "definition_en"]
    for slug, version, resource in places:
        for row in read_rows(con, store, slug, version, resource, columns):
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


def region_list(
    con: duckdb.DuckDBPyConnection, store: Store, places: list[tuple[str, str, str]]
) -> Codelist:
    """Regions with their parents (a parent outside the list is left out: SDMX wants it
    among the codes)."""
    found: dict[str, list[str]] = {}
    columns = ["code", "name_zh", "name_en", "parent_code"]
    for slug, version, resource in places:
        for row in read_rows(con, store, slug, version, resource, columns):
            found.setdefault(row[0], row)
    codes = tuple(
        Code(code, row[1], row[2], parent=row[3] if row[3] in found else "")
        for code, row in sorted(found.items())
        if code
    )
    return Codelist("CL_REGION", "行政区划", "Region", codes)
