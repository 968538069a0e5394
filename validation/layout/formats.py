"""A sheet cell as its number format prints it: the figure a reader of the table sees.

`0.0` shows `211.0`, `#,##0.00` shows `1234.50` (thousands separators are left out), `0.0%`
shows `12.5` for 0.125 (the sign is the unit's to state). General (`General`, `G/通用格式` as
Chinese Excel and WPS write it, and `@` over a number) shows the value with at most 15
significant digits, as Excel does: `757.1000000000001` is `757.1`.

A format that shows something else than the figure is refused at its cell rather than
guessed: conditions (`[>=1000]…`), Chinese numerals (`[DBNum1]`), fractions (`# ?/?`),
scientific notation, scaling commas (`#,##0,` shows thousands), and an empty section (`;;;`
hides the value). A table printed so is exported as its figures, not read from its display.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from validation.reading import CellRefused

# Excel shows at most 30 decimals, whatever zeros a format string holds; a float has at
# most 309 digits before the point (1e308). Printing within these bounds never raises, and
# the value checks refuse what is too long to publish at its line and column.
FORMAT_DECIMALS = 30
GENERAL_DIGITS = 15  # significant digits Excel shows of a number under General
_PRECISION = 309 + FORMAT_DECIMALS + 10

_DECIMALS = re.compile(r"\.([0#?]+)")
_LITERALS = re.compile(r'"[^"]*"|\\.|\[\$[^]]*\]|\[(?:black|blue|cyan|green|magenta|red|white|'
                       r"yellow|color\s*\d+)\]|_.|\*.", re.IGNORECASE)  # fmt: skip
_GENERAL = re.compile(r"(general|g/.*|@)", re.IGNORECASE)
_REFUSED = (
    (re.compile(r"\[[<>=]"), "shows a condition's section"),
    (re.compile(r"\[dbnum", re.IGNORECASE), "shows Chinese numerals"),
    (re.compile(r"[0#?]\s*/\s*[0-9#?]"), "shows a fraction"),
    (re.compile(r"[eE][+-]"), "shows scientific notation"),
    (re.compile(r"[0#?],+(?![0#?])"), "scales the value (a comma after the digits)"),
)


def printed_text(value: Any, number_format: str) -> str:
    """A cell's value as its number format prints it, without thousands separators;
    `CellRefused` for a format that shows something else than the figure."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value.isoformat() if isinstance(value, dt.date | dt.time) else str(value)
    with localcontext(prec=_PRECISION):
        exact = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        return _formatted(exact, _section(number_format, exact), number_format)


def _section(number_format: str, value: Decimal) -> str:
    """The section that prints `value` (positive; negative; zero), literals left out."""
    sections = number_format.split(";")
    index = 1 if value < 0 and len(sections) > 1 else 2 if value == 0 and len(sections) > 2 else 0
    return _LITERALS.sub("", sections[index]).strip()


def _formatted(exact: Decimal, section: str, number_format: str) -> str:
    if not section:
        if number_format.strip():
            raise CellRefused(f"its number format {number_format!r} hides the value")
        return _general(exact)
    if _GENERAL.fullmatch(section):
        return _general(exact)
    for pattern, why in _REFUSED:
        if pattern.search(section):
            raise CellRefused(f"its number format {number_format!r} {why}, not the figure")
    if not re.search(r"[0#?]", section):
        raise CellRefused(f"its number format {number_format!r} shows no digits")
    if "%" in section:
        exact *= 100  # the sign is the unit's to state; the figure is the one printed
    found = _DECIMALS.search(section)
    decimals = min(len(found.group(1)), FORMAT_DECIMALS) if found else 0
    return format(exact.quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP), "f")


def _general(value: Decimal) -> str:
    """Excel's General format: at most 15 significant digits, a whole number without a
    point, else the shortest decimal."""
    with localcontext(prec=GENERAL_DIGITS, rounding=ROUND_HALF_UP):
        shown = +value  # unary plus rounds to the context's precision
    if shown == shown.to_integral_value():
        return format(shown.quantize(Decimal(1)), "f")
    return format(shown.normalize(), "f")
