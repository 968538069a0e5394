"""The indicator columns of a table: header, printed unit, indicator code and period.

Units: a unit in the column's header wins; else the unit line. When the unit line names
several units (`单位：万人、亿元`), each column gets the unit of its quantity: persons (人,
人次 after normalisation) for a header about people (人数, 人员, 职工, 参保, persons …),
money (元) for a header about money (收入, 支出, 结余, 基金, 工资, revenue …). A column that
is about both or neither gets the first unit and is listed for review.

Period type: a stock is counted at the year end (`year_end`): an indicator of
`indicator-codes` whose measure is stock, count or level, or a new one whose header says
人数/人员/职工/结余/结存/余额/年末/balance; everything else (收入, 支出, averages, rates) is a
flow over the year (`annual`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from drafting.grid import Grid
from drafting.header import english_label, joined_label, unit_in_label, without_unit, wrapped
from drafting.lines import is_number
from drafting.naming import (
    column_name,
    forms,
    named_indicators,
    nearest_indicator,
    new_indicator_name,
    subject,
)
from drafting.reference import Indicator, Unit, normalised_unit

PERSONS = re.compile(r"人数|人员|職員|人員|职工|従業員|人次|人口|参保|就业|persons|beneficiar|"
                     r"employ|participant|worker|contributor", re.IGNORECASE)  # fmt: skip
MONEY = re.compile(r"收入|支出|结余|结存|余额|基金|工资|賃金|金额|报酬|報酬|费|revenue|expense|"
                   r"balance|income|wage|fund", re.IGNORECASE)  # fmt: skip
STOCK = re.compile(r"人数|人员|人員|职工|従業員|结余|结存|余额|年末|balance|year-end",
                   re.IGNORECASE)  # fmt: skip
# A balance is a stock of money; other money is a flow over the year. People counted as they
# receive something (享受待遇人数, beneficiaries) are counted over the year, not at its end.
BALANCE = re.compile(r"结余|结存|余额|年末|balance|year-end", re.IGNORECASE)
OVER_THE_YEAR = re.compile(r"享受|待遇|领取|新增|发放|受益|beneficiar|recipient", re.IGNORECASE)
NOT_ADDITIVE = re.compile(r"平均|人均|average|per capita|率|增长|growth|指数|index|比",
                          re.IGNORECASE)  # fmt: skip
YEAR = re.compile(r"^(19|20)\d{2}$")


@dataclass
class Column:
    column: int
    header: str
    name_zh: str
    name_en: str
    unit: Unit
    indicator: str
    minted: bool
    year: int | None  # a year printed as the column's header
    period_type: str
    decimals: int
    additive: bool
    review: list[str]


def value_columns(rows: list[list[str]], data: list[int], region_column: int) -> list[int]:
    width = max((len(rows[line - 1]) for line in data), default=0)
    return [
        c for c in range(1, width + 1)
        if c != region_column and any(_number_at(rows[line - 1], c) for line in data)
    ]  # fmt: skip


def _number_at(row: list[str], column: int) -> bool:
    return column <= len(row) and is_number(row[column - 1])


def decimals_of(rows: list[list[str]], data: list[int], column: int) -> int:
    cells = [rows[n - 1][column - 1].strip() for n in data if _number_at(rows[n - 1], column)]
    return max((len(c.partition(".")[2]) for c in cells), default=0)


def pick_unit(label: str, line_units: list[str], units: dict[str, Unit]) -> tuple[str, str]:
    """The printed unit of a column and, when it is a guess, why."""
    in_label = unit_in_label(label)
    if in_label:
        return in_label, ""
    if not line_units:
        return "", "no unit in the header and no unit line: declare the unit"
    if len(line_units) == 1:
        return line_units[0], ""
    wanted = _quantities(label)
    fitting = [u for u in line_units if _quantity(normalised_unit(u, units).unit) in wanted]
    if len(wanted) == 1 and len(fitting) == 1:
        return fitting[0], ""
    return line_units[0], f"unit line names {'、'.join(line_units)}: the unit is a guess"


def _quantities(label: str) -> set[str]:
    found = {"persons"} if PERSONS.search(label) else set()
    return found | ({"money"} if MONEY.search(label) else set())


def _quantity(unit: str) -> str:
    # A rate of money (元/月, 元/小时) is money too: paid over the period, no stock.
    return {"人": "persons", "人次": "persons", "元": "money"}.get(unit.split("/")[0], "")


def match_indicator(labels: tuple[str, str], name_en: str, unit: Unit, ctx: Context
                    ) -> tuple[Indicator | None, str]:  # fmt: skip
    """The indicator named by the header (or the title's subject + header), in zh or en, and
    the line the steward reviews about it. Taken only when exactly one indicator in the
    column's unit is named: two named, or one in another unit, stay a new code. `labels`
    are the column's name and its header's lines as printed: without merged cells a group
    over one column reads like one wrapped label (`城镇职工` over `参保人数`)."""
    candidates, named = _named(labels, name_en, ctx)
    fitting = [i for i in named if not (i.unit and unit.unit) or i.unit == unit.unit]
    if len(fitting) == 1:
        found = fitting[0]
        return found, f"matched indicator {found.code} ({found.name_zh}): check it"
    if fitting:
        listed = ", ".join(f"{i.code} ({i.name_zh})" for i in fitting)
        return None, f"names several indicators, none taken: {listed}"
    if named:
        other = named[0]
        return None, (f"indicator {other.code} ({other.name_zh}) is in {other.unit}, the column"
                      f" in {unit.unit}: not taken")  # fmt: skip
    near = nearest_indicator(candidates, ctx.indicators)
    return None, f"nearest indicator {near.code} ({near.name_zh}), not taken" if near else ""


def _named(labels: tuple[str, str], name_en: str, ctx: Context
           ) -> tuple[list[str], list[Indicator]]:  # fmt: skip
    """The names the labels may stand for, and every indicator named by one (or by name_en)."""
    topic = subject(ctx.title)
    candidates = list(
        dict.fromkeys(f for label in labels for f in forms(label, topic, ctx.phrases))
    )
    english = [i for i in ctx.indicators if name_en and i.name_en.lower() == name_en.lower()]
    named = {i.code: i for i in named_indicators(candidates, ctx.indicators) + english}
    return candidates, list(named.values())


def mint_code(slug: str, name_en: str, column: int, taken: set[str]) -> str:
    words = re.sub(r"[^a-z0-9]+", "_", name_en.lower()).strip("_")[:40].strip("_")
    base = f"{slug.replace('-', '_')}_{words or f'column_{column}'}"
    code, n = base, 2
    while code in taken:
        code, n = f"{base}_{n}", n + 1
    taken.add(code)
    return code


def period_type(indicator: Indicator | None, label: str, unit: Unit) -> str:
    if indicator is not None:
        return "year_end" if indicator.measure in {"stock", "count", "level"} else "annual"
    if BALANCE.search(label):
        return "year_end"
    if _quantity(unit.unit) == "money" or OVER_THE_YEAR.search(label):
        return "annual"
    return "year_end" if STOCK.search(label) and not NOT_ADDITIVE.search(label) else "annual"


@dataclass(frozen=True)
class Context:
    slug: str
    header: list[int]
    english: list[int]
    line_units: list[str]
    units: dict[str, Unit]
    indicators: list[Indicator]
    data: list[int]
    title: str  # the title lines, whitespace removed: `职 工 平 均 工 资` says averages
    phrases: dict[str, str] = field(default_factory=dict)  # indicator-codes/phrases


def draft_column(grid: Grid, column: int, ctx: Context, taken: set[str]) -> Column:
    header = joined_label(grid, ctx.header, column)
    last = without_unit(header).split(" / ")[-1]
    name_zh = column_name(without_unit(header), subject(ctx.title),
                          wrapped=wrapped(grid, ctx.header, column))  # fmt: skip
    name_en = english_label(grid, ctx.english, column)
    printed, unit_review = pick_unit(f"{header} {name_en}", ctx.line_units, ctx.units)
    unit = normalised_unit(printed, ctx.units)
    if printed and printed not in ctx.units:
        unit_review = (f"unit {printed} is not in indicator-codes/units: add its line"
                       " (unit_as_printed, unit, factor) before build")  # fmt: skip
    found, match_review = match_indicator((name_zh, without_unit(header)), name_en, unit, ctx)
    if found is None:
        name_zh = new_indicator_name(name_zh, subject(ctx.title))
    code = found.code if found else mint_code(ctx.slug, name_en, column, taken)
    context = f"{ctx.title} {header} {printed}"
    additive = found.additive if found else not NOT_ADDITIVE.search(context)
    return Column(
        column=column, header=header, name_zh=name_zh or f"第{column}列", name_en=name_en,
        unit=unit, indicator=code, minted=found is None,
        year=int(last) if YEAR.match(last) else None,
        period_type=period_type(found, header, unit),
        decimals=decimals_of(grid.rows, ctx.data, column), additive=additive,
        review=[r for r in (unit_review, match_review) if r],
    )  # fmt: skip


def tolerance(parts: int, decimals: int, factor: Decimal) -> int | float:
    """Parts × half a unit of the last printed digit, in the normalised unit."""
    value = Decimal(parts) * Decimal("0.5") * Decimal(1).scaleb(-decimals) * factor
    return int(value) if value == value.to_integral_value() else float(value)
