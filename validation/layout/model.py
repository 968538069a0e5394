"""The `layout` of a resource whose file is a table printed for reading.

Every key is explained in `docs/steward.md`, "Every layout key".

A yearbook page, a bulletin table or an office spreadsheet is published from the file as it
arrived: the layout says which lines are title, units, header, notes and footer, which
column holds the region and what every value column is. The models are strict like the
rest of the descriptor: an unknown key is an error naming it and the nearest known key
(`catalog.store.model.parsing` reports it, walking into these models through `Resource.layout`).
"""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, PositiveInt, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

# The footer of Chinese statistical tables: a source or a note closes the table.
DEFAULT_FOOTER = "^(数据来源|资料来源|注|说明|Source|Note)"
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
