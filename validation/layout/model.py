"""The `layout` of a resource whose file is a table printed for reading.

Every key is explained in `docs/steward.md`, "Every layout key".

A yearbook page, a bulletin table or an office spreadsheet is published from the file as it
arrived: the layout says which lines are title, units, header, notes and footer, which
column holds the region and what every value column is. The models are strict like the
rest of the descriptor: an unknown key is an error naming it and the nearest known key
(`catalog.store.model.parsing` reports it, walking into these models through `Resource.layout`).
"""

from __future__ import annotations

import re
import warnings
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, PositiveInt, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

# The footer of Chinese statistical tables: a source or a note closes the table.
DEFAULT_FOOTER = "^(数据来源|资料来源|注|说明|Source|Note)"
# The footer is a steward's regular expression run on every line of a file from anywhere:
# Python's backtracking `re` can take exponential time (`^(a+)+$`), so the pattern language
# is one whose work per line is bounded (`footer_fault`, docs/descriptor.md).
FOOTER_PATTERN_LIMIT = 100  # characters of the pattern
FOOTER_TEXT_LIMIT = 200  # characters of a line's first cell the pattern is tried on
FOOTER_WAYS_LIMIT = 1000  # ways the pattern may try to match one line (see `footer_fault`)
DEFAULT_MISSING = ["", "…", "...", "—", "-", "–"]
# The years a printed table's figures can plausibly refer to.
FIRST_YEAR, LAST_YEAR = 1900, 2100
# The `period_type` codes of the indicator datasets whose label is the year alone, as a
# layout's period is: a stock at the year end, a flow over the year, a total since a
# programme began, a plan. The others (quarter, month_end, ...) need a label a layout
# cannot state yet.
PeriodType = Literal["year_end", "annual", "cumulative", "target"]
PERIOD_TYPES: tuple[str, ...] = get_args(PeriodType)


class _Strict(BaseModel):
    """Only the keys declared (the descriptor's own rule, `catalog.store.model.tables.Strict`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Period(_Strict):
    """The period of a value: `{year: 2011, type: year_end}` (the `period_type` vocabulary)."""

    year: int = Field(ge=FIRST_YEAR, le=LAST_YEAR)
    type: PeriodType

    @property
    def label(self) -> str:
        return str(self.year)


class RegionColumn(_Strict):
    """The column naming the region, and names (after clean-up) mapped to codes first."""

    column: int = Field(gt=0)
    remap: dict[str, str] = {}


class LayoutColumn(_Strict):
    """One value column: where it is, its header as printed, what it measures, in what unit."""

    column: int = Field(gt=0)
    header: str | None = None
    indicator: str
    unit: str
    period: Period | None = None


class LayoutIndicator(_Strict):
    """An indicator the dataset defines itself (its code is not in `indicator-codes`)."""

    code: str
    name_zh: str
    name_en: str
    unit: str


class Layout(_Strict):
    """Every line of the file is one of these kinds, or data (docs/steward.md)."""

    title_rows: list[PositiveInt] = []
    unit_rows: list[PositiveInt] = []
    header_rows: list[PositiveInt] = []
    english_header_rows: list[PositiveInt] = []
    note_rows: list[PositiveInt] = []
    skip_rows: list[PositiveInt] = []
    footer: str | None = DEFAULT_FOOTER
    blank_rows: Literal["spacer", "error"] = "spacer"
    missing: list[str] = DEFAULT_MISSING
    region: RegionColumn
    period: Period
    source: str
    columns: list[LayoutColumn] = Field(min_length=1)
    indicators: list[LayoutIndicator] = []

    @field_validator("columns")
    @classmethod
    def _one_value_per_cell(
        cls, columns: list[LayoutColumn], info: ValidationInfo
    ) -> list[LayoutColumn]:
        """A column is read once: declared twice, its cells would publish under two
        indicators (or the region's names as figures)."""
        region = info.data.get("region")
        seen: dict[int, str] = {region.column: "the region column"} if region else {}
        for index, column in enumerate(columns):
            this = f"columns[{index}] ({column.indicator})"
            if column.column in seen:
                raise PydanticCustomError(
                    "column_declared_twice",
                    "column {column} is declared twice: as {first} and as {second}",
                    {"column": column.column, "first": seen[column.column], "second": this},
                )
            seen[column.column] = this
        return columns

    @field_validator("footer")
    @classmethod
    def _bounded_footer(cls, footer: str | None) -> str | None:
        fault = footer_fault(footer) if footer is not None else None
        if fault is not None:
            raise PydanticCustomError("footer_pattern", fault)
        return footer

    def declared_lines(self) -> dict[int, str]:
        """Each declared non-data line and its kind (the first kind wins when repeated)."""
        kinds: dict[int, str] = {}
        for kind, numbers in (
            ("title", self.title_rows),
            ("unit", self.unit_rows),
            ("header", self.header_rows),
            ("English header", self.english_header_rows),
            ("note", self.note_rows),
            ("skipped", self.skip_rows),
        ):
            for number in numbers:
                kinds.setdefault(number, kind)
        return kinds


def footer_fault(pattern: str) -> str | None:
    """Why `pattern` is not a footer pattern, or None when it is one.

    A footer pattern starts with `^` and has no `|` outside a group, so it is tried at one
    place of a line only; it has no backreference, lookaround, flag or named group; a
    quantifier follows a single character, `.`, escape or class, never a group. What is
    left can still try several ways to match: each quantifier as many as it can repeat
    (`*` and `+` up to `FOOTER_TEXT_LIMIT`), each group as many as its alternatives. Their
    product is bounded by `FOOTER_WAYS_LIMIT`, and so is the work per line.
    """
    if len(pattern) > FOOTER_PATTERN_LIMIT:
        return f"a footer pattern has at most {FOOTER_PATTERN_LIMIT} characters"
    if not pattern.startswith("^"):
        return "a footer pattern starts with `^` (the start of the line's first cell)"
    try:
        with warnings.catch_warnings():  # a FutureWarning (`[[:alpha:]]`) is a fault here
            warnings.simplefilter("error")
            re.compile(pattern)
    except (re.error, FutureWarning) as exc:
        return f"not a valid regular expression: {exc}"
    return _PatternScan(pattern).fault()


_REPEAT = re.compile(r"\{(\d*)(,?)(\d*)\}")
_REFUSED_ESCAPES = "0123456789gk"  # backreferences by number or name


class _PatternScan:
    """One pass over a pattern that `re` compiles, counting the ways it can match."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.ways = 1
        self.branches: list[int] = []  # alternatives of each open group
        self.last = "none"  # what a quantifier would follow: atom, group, quantifier, none

    def fault(self) -> str | None:
        at = 0
        while at < len(self.pattern):
            at, fault = self._step(at)
            if fault is not None:
                return f"position {at + 1}: {fault}"
            if self.ways > FOOTER_WAYS_LIMIT:
                return (f"the pattern may try more than {FOOTER_WAYS_LIMIT} ways to match a"
                        " line: use fewer quantifiers (`*`, `+`, `?`) or alternatives")  # fmt: skip
        return None

    def _step(self, at: int) -> tuple[int, str | None]:
        char = self.pattern[at]
        if char == "\\":
            if self.pattern[at + 1] in _REFUSED_ESCAPES:
                return at, "backreferences are not allowed"
            return self._atom(at + 2)
        if char == "[":
            return self._atom(self._class_end(at))
        if char == "(":
            if self.pattern.startswith("(?", at) and not self.pattern.startswith("(?:", at):
                return at, "only `(` and `(?:` groups: no lookaround, flag or named group"
            self.branches.append(1)
            self.last = "none"
            return at + (3 if self.pattern.startswith("(?:", at) else 1), None
        if char == ")":
            self.ways *= self.branches.pop()
            self.last = "group"
            return at + 1, None
        if char == "|":
            if not self.branches:
                return at, "`|` only inside a group: `^(注|说明)`, not `^注|说明`"
            self.branches[-1] += 1
            self.last = "none"
            return at + 1, None
        if char in "*+?{":
            return self._quantifier(at)
        return self._atom(at + 1)

    def _atom(self, end: int) -> tuple[int, str | None]:
        self.last = "atom"
        return end, None

    def _class_end(self, at: int) -> int:
        """The position after the class that opens at `at` (`re` compiled it: it closes)."""
        at += 2 if self.pattern.startswith("[^", at) else 1
        at += 1  # a `]` first in a class is a character of it
        while self.pattern[at] != "]":
            at += 2 if self.pattern[at] == "\\" else 1
        return at + 1

    def _quantifier(self, at: int) -> tuple[int, str | None]:
        char = self.pattern[at]
        repeat = _REPEAT.match(self.pattern, at) if char == "{" else None
        if char == "{" and repeat is None:
            return self._atom(at + 1)  # `re` reads a `{` that opens no repeat as itself
        if char == "?" and self.last == "quantifier":
            return at + 1, None  # `*?`: the lazy form of the quantifier before it
        if self.last == "group":
            return at, "a quantifier follows a character or a class, never a group (`(a+)+`)"
        self.ways *= _repeats(char, repeat)
        self.last = "quantifier"
        return (repeat.end() if repeat else at + 1), None


def _repeats(char: str, repeat: re.Match[str] | None) -> int:
    """How many counts a quantifier can try on a line of `FOOTER_TEXT_LIMIT` characters."""
    if repeat is None:
        return 2 if char == "?" else FOOTER_TEXT_LIMIT
    low, comma, high = repeat.groups()
    if not comma:
        return 1
    if not high:
        return FOOTER_TEXT_LIMIT
    return max(1, min(int(high), FOOTER_TEXT_LIMIT) - int(low or 0) + 1)
