"""Typing a column of text per its Table Schema field, all at once.

Each type validates the text with an RE2 pattern first, then casts only what matched, so a
bad cell never aborts the cast: a type error is "text present, typed value null".
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias

import pyarrow as pa
import pyarrow.compute as pc

from validation.schema import EXACT_DECIMALS, EXACT_INTEGER_DIGITS, EXACT_PRECISION, arrow_type

TRUE_VALUES = ["true", "True", "TRUE", "1"]
FALSE_VALUES = ["false", "False", "FALSE", "0"]
_INTEGER = r"^-?\d{1,18}$"
_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?(?i:nan|inf|infinity)$"
_YEAR = r"^\d{4}$"
_YEARMONTH = r"^\d{4}-(0[1-9]|1[0-2])$"
# A `decimalsField` number: each value within decimal(38, S) on its own (`EXACT_*`).
_EXACT = (
    rf"^-?(\d{{1,{EXACT_INTEGER_DIGITS}}}(\.\d{{0,{EXACT_DECIMALS}}})?|\.\d{{1,{EXACT_DECIMALS}}})$"
)
EXACT_EXPECTED = (
    f"a number of at most {EXACT_INTEGER_DIGITS} digits before the point and {EXACT_DECIMALS} after"
)
_DATETIME = r"^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?)?Z?$"

# Strings, so that the generic ``pa.Array[...]`` (a stub-only spelling) is never evaluated.
# pyarrow-stubs types ``pc.if_else``'s result as Any (it has no overloads); every call here
# passes an array condition, which gives an array, so its results land in annotated names.
Caster: TypeAlias = "Callable[[pa.StringArray], pa.Array[Any]]"
Timestamps: TypeAlias = "pa.TimestampArray[Any, Any]"


@dataclass(frozen=True)
class Cast:
    """A typed column, which cells failed to type, and what they should have looked like."""

    values: pa.Array[Any]
    invalid: pa.BooleanArray
    expected: str


def without_missing(raw: pa.StringArray, missing_values: list[str]) -> pa.StringArray:
    """Cells holding a missing-value marker become null."""
    if not missing_values:
        return raw
    text: pa.StringArray = pc.if_else(
        pc.is_in(raw, pa.array(missing_values, pa.string())), None, raw
    )
    return text


def cast_field(text: pa.StringArray, field: Mapping[str, Any]) -> Cast:
    """Type ``text`` (nulls are missing values) as ``field`` says."""
    kind = field.get("type", "string")
    caster, expected = _CASTERS[kind](field)
    values = caster(text)
    # is_valid and is_null are never null, so neither is their and: no null to fill.
    invalid = pc.and_(pc.is_valid(text), pc.is_null(values))
    return Cast(values=values, invalid=invalid, expected=expected)


def cast_scalar(value: Any, field: Mapping[str, Any]) -> Any:
    """One constraint value (minimum, enum member…) typed like the field, or None."""
    text = pa.array([value if isinstance(value, str) else _scalar_text(value)], pa.string())
    return cast_field(text, field).values[0].as_py()


def as_text(values: pa.Array[Any]) -> pa.StringArray:
    """``values`` cast to text."""
    # Arrow returns a StringArray; pyarrow-stubs types any cast as the generic
    # ``Array[Scalar[StringType]]``, which the string functions' stubs do not accept.
    return typing.cast("pa.StringArray", pc.cast(values, pa.string()))


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _only(text: pa.StringArray, pattern: str) -> pa.StringArray:
    """``text`` where it matches ``pattern``, null elsewhere."""
    matched: pa.StringArray = pc.if_else(pc.match_substring_regex(text, pattern), text, None)
    return matched


def _string(field: Mapping[str, Any]) -> tuple[Caster, str]:
    return (lambda text: text), "a string"


def _integer(field: Mapping[str, Any]) -> tuple[Caster, str]:
    def cast(text: pa.StringArray) -> pa.Array[Any]:
        fast = _arrow_cast(text, pa.int64())
        if fast is not None and _plain_digits(text):
            return fast
        digits = pc.replace_substring_regex(pc.utf8_trim_whitespace(text), r"^\+", "")
        return pc.cast(_only(digits, _INTEGER), pa.int64())

    return cast, "an integer"


def _arrow_cast(text: pa.StringArray, target: pa.DataType) -> pa.Array[Any] | None:
    """``text`` cast by Arrow's own parser, or None when a cell does not parse.

    Arrow's grammar is stricter than the patterns (no spaces, no `+`) except where its
    caller checks (`_plain_digits`, `_after_year_zero`): text it parses types the same
    through the patterns, at a fraction of the cost; anything else takes the patterns.
    """
    try:
        return pc.cast(text, target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


def _plain_digits(text: pa.StringArray) -> bool:
    """No cell Arrow reads as an integer but `_INTEGER` refuses: hexadecimal (`0x1F`), or
    more than 18 digits (`-` included: a longer cell merely takes the patterns)."""
    longest = pc.max(pc.binary_length(text)).as_py()
    if longest is not None and longest > 18:
        return False
    return not pc.any(pc.match_substring(text, "x", ignore_case=True)).as_py()


def _number(field: Mapping[str, Any]) -> tuple[Caster, str]:
    decimals = field.get("decimals")
    group_char = field.get("groupChar")
    decimal_char = field.get("decimalChar", ".")
    bare = field.get("bareNumber", True)

    def normalise(text: pa.StringArray) -> pa.StringArray:
        text = pc.utf8_trim_whitespace(text)
        if group_char:
            text = pc.replace_substring(text, group_char, "")
        if decimal_char != ".":
            text = pc.replace_substring(text, decimal_char, ".")
        if not bare:
            text = pc.replace_substring_regex(text, r"^[^\d+\-.]+|[^\d.]+$", "")
        return text

    if field.get("decimalsField") is not None:
        return (lambda text: _exact(normalise(text))), EXACT_EXPECTED
    if decimals is None:
        return (lambda text: pc.cast(_only(normalise(text), _NUMBER), pa.float64())), "a number"
    places = int(decimals)
    exact = rf"^[+-]?\d{{1,{18 - places}}}(\.\d{{0,{places}}})?$"
    if places == 0:
        exact = r"^[+-]?\d{1,18}$"
    target = arrow_type(field)
    expected = f"a number with at most {places} decimal places"
    return (lambda text: pc.cast(_only(normalise(text), exact), target)), expected


def _exact(text: pa.StringArray) -> pa.Array[Any]:
    """Plain decimal numbers as decimal(38, S), S their largest scale: every value exact.

    Each row's own precision is its `decimalsField`; the column only needs room for all.
    A value past `_EXACT`'s bounds is a type error on its own row: it never sets the
    column's scale, so it cannot make the other rows overflow.
    """
    plain = _only(pc.replace_substring_regex(text, r"^\+", ""), _EXACT)
    points = pc.find_substring(plain, ".")
    after = pc.subtract(pc.subtract(pc.utf8_length(plain), points), pa.scalar(1, pa.int32()))
    scales: pa.Int32Array = pc.if_else(pc.less(points, pa.scalar(0, pa.int32())), 0, after)
    scale = int(pc.max(scales).as_py() or 0)
    return pc.cast(plain, pa.decimal128(EXACT_PRECISION, scale))


def _boolean(field: Mapping[str, Any]) -> tuple[Caster, str]:
    true_texts: list[str] = field.get("trueValues", TRUE_VALUES)
    false_texts: list[str] = field.get("falseValues", FALSE_VALUES)
    trues = pa.array(true_texts, pa.string())
    falses = pa.array(false_texts, pa.string())

    def cast(text: pa.StringArray) -> pa.Array[Any]:
        is_true = pc.is_in(text, trues)
        known = pc.or_(is_true, pc.is_in(text, falses))
        typed: pa.BooleanArray = pc.if_else(known, is_true, pa.scalar(None, pa.bool_()))
        return typed

    shown = "/".join([*true_texts, *false_texts])
    return cast, f"a boolean ({shown})"


def _date(field: Mapping[str, Any]) -> tuple[Caster, str]:
    fmt = field.get("format", "default")
    if fmt not in ("default", "any", None):
        return _custom_date(str(fmt)), f"a date ({fmt})"

    def cast(text: pa.StringArray) -> pa.Array[Any]:
        fast = _arrow_cast(text, pa.date32())  # exactly YYYY-MM-DD of a real day
        if fast is not None and _after_year_zero(fast):
            return fast
        text = _only(text, r"^\d{4}-\d{2}-\d{2}$")
        parsed = pc.strptime(text, format="%Y-%m-%d", unit="s", error_is_null=True)
        return pc.cast(_same_day(parsed, text), pa.date32())

    return cast, "a date (YYYY-MM-DD)"


def _after_year_zero(dates: pa.Array[Any]) -> bool:
    """No date in year 0 or before, which `_same_day` refuses."""
    days = pc.min(pc.cast(dates, pa.int32())).as_py()
    return days is None or days >= _FIRST_DAY


_FIRST_DAY = -719162  # 0001-01-01, in days since 1970-01-01


def _same_day(parsed: Timestamps, text: pa.StringArray) -> Timestamps:
    """``parsed`` where its day is the text's: Arrow rolls 2021-02-30 over to 2 March.

    Year 0 parses too, but Python (and so every client) has no such date.
    """
    day = pc.cast(pc.utf8_slice_codeunits(text, 8, 10), pa.int64())
    exact = pc.and_(pc.equal(pc.day(parsed), day), pc.greater_equal(pc.year(parsed), pa.scalar(1)))
    kept: Timestamps = pc.if_else(exact, parsed, pa.scalar(None, parsed.type))
    return kept


def _custom_date(pattern: str) -> Caster:
    def cast(text: pa.StringArray) -> pa.Array[Any]:
        parsed = pc.strptime(text, format=pattern, unit="s", error_is_null=True)
        exact = pc.equal(pc.strftime(parsed, format=pattern), text)
        kept: Timestamps = pc.if_else(exact, parsed, None)
        return pc.cast(kept, pa.date32())

    return cast


def _datetime(field: Mapping[str, Any]) -> tuple[Caster, str]:
    def cast(text: pa.StringArray) -> pa.Array[Any]:
        matched = _only(pc.utf8_trim_whitespace(text), _DATETIME)
        seconds = pc.replace_substring_regex(matched, _DATETIME, r"\1 \2")
        seconds = pc.replace_substring_regex(seconds, r" $", " 00:00:00")
        parsed = pc.strptime(seconds, format="%Y-%m-%d %H:%M:%S", unit="s", error_is_null=True)
        parsed = _same_day(parsed, seconds)
        fraction = pc.replace_substring_regex(matched, _DATETIME, r"\3")
        micros = pc.cast(pc.cast(pc.utf8_rpad(fraction, 6, "0"), pa.int64()), pa.duration("us"))
        return pc.add(pc.cast(parsed, pa.timestamp("us")), micros)

    return cast, "a datetime (YYYY-MM-DDTHH:MM:SS)"


def _year(field: Mapping[str, Any]) -> tuple[Caster, str]:
    return (
        lambda text: pc.cast(_only(pc.utf8_trim_whitespace(text), _YEAR), pa.int32())
    ), "a year (YYYY)"


def _yearmonth(field: Mapping[str, Any]) -> tuple[Caster, str]:
    return (lambda text: _only(text, _YEARMONTH)), "a year and month (YYYY-MM)"


_CASTERS: dict[str, Callable[[Mapping[str, Any]], tuple[Caster, str]]] = {
    "string": _string,
    "integer": _integer,
    "number": _number,
    "boolean": _boolean,
    "date": _date,
    "datetime": _datetime,
    "year": _year,
    "yearmonth": _yearmonth,
}
