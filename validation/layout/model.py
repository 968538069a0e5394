"""The `layout` of a resource whose file is a table printed for reading (`LAYOUT.md`).

A yearbook page, a bulletin table or an office spreadsheet is published from the file as it
arrived: the layout says which lines are title, units, header, notes and footer, which
column holds the region and what every value column is. The models are strict like the
rest of the descriptor: an unknown key is an error naming it and the nearest known key
(`catalog.store.model.parsing` reports it, walking into these models through `Resource.layout`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PositiveInt

# The footer of Chinese statistical tables: a source or a note closes the table.
DEFAULT_FOOTER = "^(数据来源|资料来源|注|说明|Source|Note)"
DEFAULT_MISSING = ["", "…", "...", "—", "-", "–"]


class _Strict(BaseModel):
    """Only the keys declared (the descriptor's own rule, `catalog.store.model.tables.Strict`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Period(_Strict):
    """The period of a value: `{year: 2011, type: year_end}` (the `period_type` vocabulary)."""

    year: int
    type: str = "year"

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
    """Every line of the file is one of these kinds, or data; see `LAYOUT.md`."""

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
