"""Printed figures in printed units to exact values in normalised units.

The rules are `indicator-codes/units` (`unit_as_printed`, `unit`, `factor`): 802.1 万人 is
8021000 人, computed in `Decimal`. The value keeps the precision it was printed with: the
last printed digit of 802.1 万人 is 1000 人, so no decimals; 40147.0 元 keeps one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

import pyarrow as pa

NUMBER = re.compile(r"-?\d+(\.\d+)?")


@dataclass(frozen=True)
class UnitRule:
    unit: str
    factor: Decimal


def unit_rules(units: pa.Table) -> dict[str, UnitRule]:
    """Each printed unit's rule.

    The factor may arrive typed as a float (the resource's schema says `number`); its
    shortest repr is the decimal written in the file (10000, 0.01), so nothing is lost.
    """
    printed = units.column("unit_as_printed").to_pylist()
    targets = units.column("unit").to_pylist()
    factors = units.column("factor").to_pylist()
    return {
        str(name): UnitRule(str(target), Decimal(repr(factor) if isinstance(factor, float)
                                                 else str(factor)))
        for name, target, factor in zip(printed, targets, factors, strict=True)
        if name is not None
    }  # fmt: skip


def printed_number(text: str) -> Decimal | None:
    """A cell as a plain printed number (thousands separators dropped), or None."""
    bare = text.strip().replace(",", "")
    return Decimal(bare) if NUMBER.fullmatch(bare) else None


def decimals_of(text: str) -> int:
    """The digits after the point of a number's text (`value_decimals`): 0 for `8021000`."""
    _, point, digits = text.partition(".")
    return len(digits) if point else 0


def normalised_text(value: Decimal, factor: Decimal) -> str:
    """`value × factor` with as many decimals as the last printed digit is worth."""
    step = value.as_tuple().exponent
    assert isinstance(step, int)  # a finite printed number
    worth = (Decimal(1).scaleb(step) * factor).adjusted()
    exact = value * factor
    shown = exact.quantize(Decimal(1).scaleb(min(worth, 0)))
    return format(shown if shown == exact else exact, "f")  # never round a factor's digits
