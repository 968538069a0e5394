"""Printed figures as exact decimals and the unit rule."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from curation.units import (
    fmt_decimal,
    is_rounding_of,
    normalise,
    parse_decimal,
    printed_decimals,
    quantum,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("9.4", Decimal("9.4")), (" -3 ", Decimal(-3)), ("57089", Decimal(57089)), ("", None),
     ("约9.4", None), ("1,000", None), ("1e5", None), ("150()", None), (".5", None)],
)  # fmt: skip
def test_parse_decimal_accepts_only_plain_numbers(text: str, expected: Decimal | None) -> None:
    assert parse_decimal(text) == expected


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [("9.4", "亿人", ("940000000", "人")), ("5.7", "万亿元", ("5700000000000", "元")),
     ("440.47", "million persons", ("440470000", "人")), ("94293", "万人", ("942930000", "人")),
     ("57089", "억원", ("5708900000000", "元")), ("3.5", "万人次", ("35000", "人次")),
     ("12.5", "%", ("12.5", "%")), ("1790", "元/月", ("1790", "元/月"))],
)  # fmt: skip
def test_normalise_scales_by_exact_decimal_factors(
    value: str, unit: str, expected: tuple[str, str]
) -> None:
    normalised, target = normalise(Decimal(value), unit)
    assert (fmt_decimal(normalised), target) == expected


def test_normalise_keeps_an_unreadable_value_empty_in_the_target_unit() -> None:
    assert normalise(None, "万人") == (None, "人")


def test_normalise_refuses_a_unit_without_a_rule() -> None:
    with pytest.raises(ValueError, match="'斤' has no normalisation rule"):
        normalise(Decimal(1), "斤")


@pytest.mark.parametrize(
    ("printed", "unit", "step"),
    [("9.4", "亿人", Decimal(10) ** 7), ("9.67", "亿人", Decimal(10) ** 6), ("12", "%", 1),
     ("3.25", "万人", 100), ("1.27", "ratio", Decimal("0.01"))],
)  # fmt: skip
def test_quantum_is_the_step_the_printed_precision_implies(
    printed: str, unit: str, step: Decimal | int
) -> None:
    assert quantum(printed, unit) == step


@pytest.mark.parametrize(
    ("printed", "unit", "decimals"),
    [("802.1", "万人", 0), ("40147.0", "元", 1), ("211", "元", 0), ("9.4", "亿人", 0),
     ("3.25", "万人", 0), ("11.0", "%", 1), ("1.27", "ratio", 2), ("-3.0", "%", 1)],
)  # fmt: skip
def test_printed_decimals_are_the_printed_digits_less_the_factor(
    printed: str, unit: str, decimals: int
) -> None:
    assert printed_decimals(printed, unit) == decimals


def test_is_rounding_of_rounds_half_up_to_the_step() -> None:
    step = Decimal(10) ** 7
    assert is_rounding_of(Decimal(940_000_000), step, Decimal(938_560_000))
    assert is_rounding_of(Decimal(940_000_000), step, Decimal(935_000_000))
    assert not is_rounding_of(Decimal(940_000_000), step, Decimal(934_999_999))
    assert not is_rounding_of(Decimal(930_000_000), step, Decimal(938_560_000))


@pytest.mark.parametrize(
    ("value", "text"),
    [(Decimal("9.40E+8"), "940000000"), (Decimal("1.50"), "1.5"), (Decimal("-0.3"), "-0.3"),
     (Decimal("10.0"), "10"), (None, "")],
)  # fmt: skip
def test_fmt_decimal_prints_without_exponent_or_trailing_zeros(
    value: Decimal | None, text: str
) -> None:
    assert fmt_decimal(value) == text


def test_fmt_decimal_refuses_more_than_four_decimals() -> None:
    with pytest.raises(ValueError, match="more than the 4 published decimals"):
        fmt_decimal(Decimal("0.00001"))


@given(st.decimals(min_value=-(10**12), max_value=10**12, places=4))
def test_fmt_decimal_round_trips_through_parse_decimal(value: Decimal) -> None:
    assert parse_decimal(fmt_decimal(value)) == value
