"""Printed figures in printed units to exact values in normalised units.

The rules are `indicator-codes/units` (`unit_as_printed`, `unit`, `factor`): 802.1 万人 is
8021000 人, computed in `Decimal`. The value keeps the precision it was printed with: the
last printed digit of 802.1 万人 is 1000 人, so no decimals; 40147.0 元 keeps one.

A printed number is ASCII digits (full-width ones, as a Chinese input method types them,
are read as ASCII), one "." and a leading "-"; "," only between groups of three digits
before the point. Anything else is refused, never guessed: `12,3` may be 12.3 or 123, and
digits of another script are no figure of a Chinese table. A value must fit the exact
decimal it is published as (`validation.schema`: 24 digits before the point, 14 after).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Context, Decimal, InvalidOperation, localcontext

import pyarrow as pa

from validation.schema import EXACT_DECIMALS, EXACT_INTEGER_DIGITS

NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?", re.ASCII)
GROUPED = re.compile(r"-?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?", re.ASCII)
# Full-width digits, point, minus and comma: what a Chinese input method in full-width
# mode types for the same figure. Read as their ASCII forms, deliberately; nothing else.
FULL_WIDTH = str.maketrans("０１２３４５６７８９．－，", "0123456789.-,")
# A cell longer than this cannot hold a value that fits (38 digits, a sign, a point, and
# separators); refusing it first bounds the arithmetic.
LONGEST = 64
# Exact for any number that short times any factor of the units reference.
EXACT = Context(prec=200, Emax=999, Emin=-999, traps=[InvalidOperation])
PLAIN = 'ASCII digits, one ".", a leading "-"'


class NotANumber(ValueError):
    """A cell that is not a number the long table can hold: what was expected, and why not."""

    def __init__(self, expected: str, detail: str = "") -> None:
        super().__init__(expected)
        self.expected = expected
        self.detail = detail


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
    try:
        return read_number(text)
    except NotANumber:
        return None


def read_number(text: str) -> Decimal:
    """A cell as a plain printed number (thousands separators dropped); NotANumber else."""
    bare = text.strip().translate(FULL_WIDTH)
    if len(bare) > LONGEST:
        digits = EXACT_INTEGER_DIGITS + EXACT_DECIMALS
        raise NotANumber(f"a number of at most {digits} digits")
    if NUMBER.fullmatch(bare):
        return Decimal(bare)
    if GROUPED.fullmatch(bare):
        return Decimal(bare.replace(",", ""))
    raise NotANumber(_why_not(bare))


def _why_not(bare: str) -> str:
    other = next((c for c in bare if c.isdigit() and not c.isascii()), None)
    if other is not None:
        name = unicodedata.name(other, "a digit")
        return f"a number in {PLAIN} (not {name}, U+{ord(other):04X})"
    if "," in bare and NUMBER.fullmatch(bare.replace(",", "")):
        return (f'a number in {PLAIN}, and "," only between groups of three digits before'
                " the point (1,234,567.8)")  # fmt: skip
    return f"a number as printed ({PLAIN}) or a missing-value mark"


def decimals_of(text: str) -> int:
    """The digits after the point of a number's text (`value_decimals`): 0 for `8021000`."""
    _, point, digits = text.partition(".")
    return len(digits) if point else 0


def normalised_text(value: Decimal, factor: Decimal) -> str:
    """`value × factor` with as many decimals as the last printed digit is worth; NotANumber
    when it does not fit the exact decimal it is published as."""
    with localcontext(EXACT):
        text = _normalised(value, factor)
    whole = len(text.lstrip("-").partition(".")[0])
    if whole > EXACT_INTEGER_DIGITS or decimals_of(text) > EXACT_DECIMALS:
        raise NotANumber(
            f"a value of at most {EXACT_INTEGER_DIGITS} digits before the point and"
            f" {EXACT_DECIMALS} after once normalised (× {format(factor.normalize(), 'f')})",
            f"it has {_shown(text)}",
        )
    return text


def _normalised(value: Decimal, factor: Decimal) -> str:
    step = value.as_tuple().exponent
    assert isinstance(step, int)  # a finite printed number
    worth = (Decimal(1).scaleb(step) * factor).adjusted()
    exact = value * factor
    shown = exact.quantize(Decimal(1).scaleb(min(worth, 0)))
    return format(shown if shown == exact else exact, "f")  # never round a factor's digits


def _shown(text: str) -> str:
    whole, _, digits = text.lstrip("-").partition(".")
    return f"{len(whole)} digits before the point and {len(digits)} after it"
