"""Printed figures as exact decimals, and the unit rule that removes scale prefixes.

Scale prefixes are removed by exact decimal factors (万 10^4, 亿 10^8, 万亿 10^12, million
10^6), computed with `Decimal`, never floats: a float would turn 9.4亿 into 939999999.9999999.
The rules are data, `reference/units.csv` (published as `indicator-codes/units`): adding a
unit never needs an edit here.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from curation import reference

# The published files carry at most this many decimals; more would mean a wrong factor.
MAX_DECIMALS = 4


def parse_decimal(text: str) -> Decimal | None:
    """The printed number, or None when the cell is not a plain number (garbled, empty)."""
    text = text.strip()
    return Decimal(text) if re.fullmatch(r"-?\d+(\.\d+)?", text) else None


def normalise(value: Decimal | None, unit: str) -> tuple[Decimal | None, str]:
    """The value in the normalised unit, scaled by an exact decimal factor."""
    rule = reference.units().get(unit)
    if rule is None:
        raise ValueError(f"unit {unit!r} has no normalisation rule")
    if rule.factor == 1:
        return value, rule.unit
    return (None if value is None else value * rule.factor), rule.unit


def quantum(printed: str, unit: str) -> Decimal:
    """The rounding step a printed figure implies, in the normalised unit (9.4亿 -> 10^7)."""
    digits = printed.split(".")[1] if "." in printed else ""
    rule = reference.units().get(unit)
    factor = rule.factor if rule is not None else Decimal(1)
    return Decimal(1).scaleb(-len(digits)) * factor


def printed_decimals(printed: str, unit: str) -> int:
    """Digits after the point of the normalised value as printed: the printed digits less the
    unit factor's zeros (802.1 万人 -> 0, 40147.0 元 -> 1), as `value_decimals` publishes them."""
    digits = printed.split(".")[1] if "." in printed else ""
    rule = reference.units().get(unit)
    shift = rule.factor.adjusted() if rule is not None else 0
    return max(0, len(digits) - shift)


def is_rounding_of(candidate: Decimal, step: Decimal, exact: Decimal) -> bool:
    """Whether `candidate` is `exact` rounded half-up to a multiple of `step`."""
    return (exact / step).to_integral_value(ROUND_HALF_UP) * step == candidate


def fmt_decimal(value: Decimal | None) -> str:
    """The published text of a value: no exponent, no trailing zeros, empty for None."""
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    if "." in text and len(text.split(".")[1]) > MAX_DECIMALS:
        raise ValueError(f"{value} needs more than the {MAX_DECIMALS} published decimals")
    return text
