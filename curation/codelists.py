"""The code-list datasets: `region-codes` and `indicator-codes`, built from the reference tables."""

from __future__ import annotations

from collections.abc import Mapping

from catalog.metadata import UNIT_LABELS, label
from curation import reference
from curation.reference import County, Indicator

REGION_COLUMNS = ["code", "name_zh", "name_en", "level", "parent_code", "note"]
ALIAS_COLUMNS = ["alias", "code", "kind", "note"]
PHRASE_COLUMNS = ["phrase", "means", "note"]
SYNONYM_COLUMNS = ["term", "means", "note"]
INDICATOR_COLUMNS = [
    "code", "name_zh", "name_en", "definition_zh", "definition_en", "unit", "measure",
    "additive", "theme",
]  # fmt: skip

MEASURES = {
    "S": "stock", "F": "flow", "R": "rate", "Q": "ratio", "A": "average", "L": "level",
    "Cs": "count", "Cf": "count",
}  # fmt: skip
THEMES = {
    "e": "employment", "s": "social-insurance", "w": "wages", "t": "talent",
    "g": "government-transparency",
}  # fmt: skip
# Measures whose values may be summed across regions.
ADDITIVE_MEASURES = frozenset({"S", "F", "Cs", "Cf"})


def region_records() -> list[dict[str, str]]:
    """Every region the datasets use, counties included, by code."""
    records = [
        {"code": r.code, "name_zh": r.name_zh, "name_en": r.name_en, "level": r.level,
         "parent_code": r.parent_code, "note": r.note}
        for r in reference.regions()
    ]  # fmt: skip
    records += [county_record(county) for county in reference.counties().values()]
    return sorted(records, key=lambda r: r["code"])


def alias_records() -> list[dict[str, str]]:
    """Every other printed name of a region: the reference aliases, then each county's name as
    the tier list prints it when that is not its official name (`道真县`)."""
    records = [
        {"alias": a.alias, "code": a.code, "kind": a.kind, "note": a.note}
        for a in reference.region_aliases()
    ]
    records += [
        {"alias": c.name_as_printed, "code": c.code, "kind": "short",
         "note": "as printed in the minimum-wage tier list"}
        for c in reference.counties().values() if c.name_as_printed != c.name_zh
    ]  # fmt: skip
    return records


def phrase_records() -> list[dict[str, str]]:
    """The header phrases `opendata init` rewrites before matching indicator names."""
    return [{"phrase": p.phrase, "means": p.means, "note": p.note}
            for p in reference.indicator_phrases()]  # fmt: skip


def synonym_records() -> list[dict[str, str]]:
    """The words the catalogue search expands a query word into (社保 → 社会保险)."""
    return [{"term": s.term, "means": s.means, "note": s.note}
            for s in reference.search_synonyms()]  # fmt: skip


def county_record(county: County) -> dict[str, str]:
    """A county under its prefecture (the code's first four digits), noting a printed alias."""
    printed = county.name_as_printed
    note = (
        f"printed as {printed} in the minimum-wage tier list" if printed != county.name_zh else ""
    )
    return {"code": county.code, "name_zh": county.name_zh, "name_en": county.name_en,
            "level": "county", "parent_code": county.code[:4] + "00", "note": note}  # fmt: skip


def definition(ind: Indicator, unit: str) -> tuple[str, str]:
    """One sentence each saying what is measured and whether it is a stock or a flow."""
    growth = ind.code.endswith(("_growth", "_increase")) or "growth" in ind.code
    phrases = {
        "S": ("统计时点（通常为年末）的存量", "a stock measured at the reference date (usually"
              " the year end)"),
        "F": ("报告期内累计发生的流量", "a flow accumulated over the reference period"),
        "R": ("报告期的比率，以百分数表示" + ("，为增长率，可为负值" if growth else ""),
              "a rate for the reference period in per cent" + (", a growth rate that can be"
              " negative" if growth else "")),
        "Q": ("两个数量之比（比重或倍数）", "a ratio of two quantities (a share or a multiple)"),
        "A": ("报告期内的平均水平", "an average over the reference period"),
        "L": ("计划目标或控制上限，不是实际完成值", "a planned target or ceiling, not an outcome"),
        "Cs": ("统计时点存在的事项个数（存量）", "a count of items existing at the reference date"
               " (stock)"),
        "Cf": ("报告期内办理或发布的事项个数（流量）", "a count of items handled or published in"
               " the reference period (flow)"),
    }  # fmt: skip
    zh, en = phrases[ind.measure]
    zh_unit = label(UNIT_LABELS, unit, "zh")  # a Chinese sentence says 比值, not `ratio`
    return f"{ind.name_zh}：{zh}，单位为{zh_unit}。", f"{ind.name_en}: {en}, in {unit}."


def indicator_records(
    units: Mapping[str, str], indicators: Mapping[str, Indicator]
) -> list[dict[str, str]]:
    """One record per indicator that occurs in the data, with its single normalised unit."""
    records = []
    for code in sorted(units):
        ind = indicators[code]
        def_zh, def_en = definition(ind, units[code])
        records.append({
            "code": code, "name_zh": ind.name_zh, "name_en": ind.name_en,
            "definition_zh": def_zh, "definition_en": def_en, "unit": units[code],
            "measure": MEASURES[ind.measure],
            "additive": "true" if ind.measure in ADDITIVE_MEASURES else "false",
            "theme": THEMES[ind.theme],
        })  # fmt: skip
    return records


UNIT_COLUMNS = list(reference.UNIT_COLUMNS)


def unit_records(units: Mapping[str, reference.Unit]) -> list[dict[str, str]]:
    """One record per printed unit, as `reference/units.csv` has it (factor as exact text)."""
    return [
        {"unit_as_printed": u.unit_as_printed, "unit": u.unit, "factor": str(u.factor),
         "quantity": u.quantity}
        for u in units.values()
    ]  # fmt: skip
