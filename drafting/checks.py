"""Draft warning checks where the table shows its own arithmetic.

`components`: under a group header, one column is the sum of its siblings: the one labelled
`小计`/`合计`/`总计`, else the one the printed figures show to be (`参保人数` over `在职职工 |
离退休人员`): it equals their sum within the rounding on most lines (`ADDS_UP_SHARE`), so one
contradicting line is flagged rather than taken as proof that the column is no total.
`sum_of_parts`: a national line (or a province line above its prefectures) is the sum of the
other lines, for additive columns; `within_parts`: for averages, rates and growth, it lies
between the other lines' lowest and highest (a mean of them, whatever the weights). The
tolerance is the rounding the printing allows (`_total_check`), in the normalised unit.
`complete` is the number of parts the total is made of in `region-codes` (31 provinces; the
prefectures of a province), not the number printed: a page that stops after 陕西 is not
checked rather than flagged. Every drafted check is
`severity: warning`: a source contradiction is published as printed and flagged.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from drafting.columns import Column, tolerance
from drafting.grid import Grid
from drafting.lines import is_number
from drafting.regions import NATIONAL_CODE, RegionMatcher

SUBTOTALS = ("小计", "合计", "总计", "计")
# A column is taken as the sum of its siblings when it is on at least this share of the lines
# printing all of them, and on at least `ADDS_UP_LINES` lines: fewer prove nothing.
ADDS_UP_SHARE = Decimal("0.8")
ADDS_UP_LINES = 3
# The Xinjiang Production and Construction Corps (660000, region-codes' note) is inside
# Xinjiang unless a table prints it on its own line: a part only where printed.
OWN_LINE_ONLY = frozenset({"660000"})
Check = dict[str, object]  # one entry of the descriptor's `checks:`, written as YAML


def component_checks(columns: list[Column], grid: Grid, data: list[int]) -> list[Check]:
    groups: dict[str, list[Column]] = defaultdict(list)
    for column in columns:
        segments = column.name_zh.split(" / ")
        if len(segments) > 1:
            groups[segments[0]].append(column)
    found = (_components(members, grid, data) for members in groups.values())
    return [check for check in found if check]


def _components(members: list[Column], grid: Grid, data: list[int]) -> Check | None:
    if len(members) < 3 or len({c.unit for c in members}) != 1:
        return None
    labelled = [c for c in members if c.name_zh.split(" / ")[-1] in SUBTOTALS]
    if len(labelled) > 1:
        return None
    total = labelled[0] if labelled else _total_by_figures(members, grid, data)
    if total is None:
        return None
    parts = [c for c in members if c is not total]
    return _components_check(total, parts)


def _total_by_figures(members: list[Column], grid: Grid, data: list[int]) -> Column | None:
    """The one additive member that is the sum of the others on most lines, if there is one."""
    if not all(c.additive for c in members):
        return None
    fits = [c for c in members if _adds_up(c, [m for m in members if m is not c], grid, data)]
    return fits[0] if len(fits) == 1 else None


def _adds_up(total: Column, parts: list[Column], grid: Grid, data: list[int]) -> bool:
    decimals = max(c.decimals for c in parts)
    allowed = Decimal(len(parts)) * Decimal("0.5") * Decimal(1).scaleb(-decimals)
    checked = fitting = 0
    for line in data:
        cells = [grid.cell(line, c.column).strip() for c in (total, *parts)]
        if not all(is_number(cell) for cell in cells):
            continue
        figures = [Decimal(cell.replace(",", "")) for cell in cells]
        checked += 1
        fitting += abs(figures[0] - sum(figures[1:])) <= allowed
    return checked >= ADDS_UP_LINES and fitting >= ADDS_UP_SHARE * checked


def _components_check(total: Column, parts: list[Column]) -> Check:
    decimals = max(c.decimals for c in parts)
    return {
        "resource": "observations", "type": "components", "severity": "warning",
        "value": "value", "key": "indicator_code", "total": total.indicator,
        "parts": [c.indicator for c in parts], "match_on": ["region_code", "period"],
        "tolerance": tolerance(len(parts), decimals, parts[0].unit.factor),
    }  # fmt: skip


def total_code(codes: list[str], matcher: RegionMatcher) -> str | None:
    """The line that is the sum of the others: national, or a province over its prefectures."""
    if NATIONAL_CODE in codes and len(codes) > 2:
        return NATIONAL_CODE
    for code in codes:
        others = [c for c in codes if c != code]
        if len(others) > 1 and all(matcher.parent(o) == code for o in others):
            return code
    return None


def sum_checks(columns: list[Column], codes: list[str], matcher: RegionMatcher) -> list[Check]:
    total = total_code(codes, matcher)
    if total is None:
        return []
    parts = expected_parts(total, codes, matcher)
    groups: dict[tuple[bool, str, int, object], list[Column]] = defaultdict(list)
    for column in columns:
        key = (column.additive, column.unit.unit, column.decimals, column.unit.factor)
        groups[key].append(column)
    return [
        _total_check(members, total, parts, "sum_of_parts" if additive else "within_parts")
        for (additive, *_), members in groups.items()
    ]


def expected_parts(total: str, codes: list[str], matcher: RegionMatcher) -> int:
    """How many lines the total sums when the table is complete: its children in
    `region-codes` (or the lines printed, if the reference knows fewer)."""
    printed = set(codes) - {total}
    children = {c for c in matcher.children(total) if c not in OWN_LINE_ONLY or c in printed}
    return max(len(children | printed), 1)


def _total_check(members: list[Column], total: str, parts: int, kind: str) -> Check:
    """A sum's rounding is half a printed unit per part; an average (`within_parts`) and its
    highest or lowest part are each rounded once: one printed unit between them."""
    codes = ", ".join(f"'{c.indicator}'" for c in members)
    rounded = parts if kind == "sum_of_parts" else 2
    return {
        "resource": "observations", "type": kind, "severity": "warning",
        "value": "value", "group_by": ["indicator_code", "period"],
        "parts": f"region_code <> '{total}'", "total": f"region_code = '{total}'",
        "complete": parts,
        "tolerance": tolerance(rounded, members[0].decimals, members[0].unit.factor),
        "where": f"indicator_code IN ({codes})",
    }  # fmt: skip
