"""A printed table to the long table: one row per region × value column, in file order.

Every line is classified first (declared title, unit, header, English header, note or
skipped line; blank spacer; footer; data), and a line that is none of these is a problem at
its number: nothing becomes data by accident. Then the header as printed is compared with
the layout's, the units are looked up, and each value cell becomes a row.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from validation.layout.footer import data_after_footer, footer_start, heading_end
from validation.layout.headers import (
    JOIN,
    Width,
    clean_label,
    column_labels,
    differing_line,
    joined_headers,
    last_text,
    table_width,
)
from validation.layout.lines import Line
from validation.layout.model import Layout, LayoutColumn
from validation.layout.problems import LayoutProblem
from validation.layout.regions import RegionIndex
from validation.layout.units import (
    NotANumber,
    UnitRule,
    decimals_of,
    normalised_text,
    read_number,
)

# The long table's columns (docs/steward.md), in the order `opendata init` writes them.
LONG_FIELDS = (
    "indicator_code", "region_code", "region_as_printed", "year", "period_type", "period",
    "value", "unit", "value_as_printed", "unit_as_printed", "source_id", "source_line",
    "source_column", "flags", "value_decimals",
)  # fmt: skip
HEAD_KINDS = "title, unit, header, English header, note or skip_rows"


@dataclass(frozen=True)
class References:
    """The code lists a layout is read with: region names, unit rules, indicator codes."""

    regions: RegionIndex
    units: dict[str, UnitRule]
    indicators: dict[str, str]  # indicator code: its (normalised) unit


@dataclass(frozen=True)
class DataLine:
    line: Line
    region_code: str


def classify(
    lines: Sequence[Line], layout: Layout, regions: RegionIndex
) -> tuple[list[DataLine], list[LayoutProblem]]:
    """The data lines, and a problem for every line that is no kind the layout allows."""
    declared = layout.declared_lines()
    head_end = heading_end(lines, layout)
    footer_at, problems = footer_start(lines, layout, head_end)
    if footer_at is not None:
        problems += data_after_footer(lines, layout, regions, footer_at)
    data: list[DataLine] = []
    width = table_width(lines, layout)
    for line in lines:
        if line.number in declared or (footer_at is not None and line.number >= footer_at):
            continue
        if line.blank:
            if layout.blank_rows == "error":
                problems.append(
                    LayoutProblem("a blank line, and `blank_rows` is `error`", line.number)
                )
            continue
        if line.number <= head_end:
            problems.append(_stray_head_line(line))
            continue
        code = regions.code(line.cell(layout.region.column), layout.region.remap)
        if code is None:
            problems.append(_not_a_region(line, layout, regions))
        elif last_text(line) > width.columns:
            problems.append(_past_the_table(line, width))
        elif len(line.cells) < width.columns and (layout.header_rows or layout.english_header_rows):
            problems.append(_short_of_the_table(line, width))
        else:
            data.append(DataLine(line, code))
    return data, problems


def _past_the_table(line: Line, width: Width) -> LayoutProblem:
    """A data line with text right of the table: a cell was split or added, and every cell
    after it moved (`1,234.5` unquoted in a CSV is the two cells `1` and `234.5`)."""
    column = next(n for n in range(width.columns + 1, len(line.cells) + 1)
                  if line.cells[n - 1].strip())  # fmt: skip
    found = clipped(line.cells[column - 1])
    message = (
        f"expected no text right of column {width.columns}, the last column of the table"
        f' ({width.source}), found "{found}": a cell split or added on this line moves every'
        ' cell after it (an unquoted "1,234.5" in a CSV is the two cells "1" and "234.5")'
    )
    return LayoutProblem(message, line.number, column, f"at most {width.columns} columns", found)


def _short_of_the_table(line: Line, width: Width) -> LayoutProblem:
    """A data line with fewer cells than the table: a cell was dropped, and every cell after
    it moved left under another column (a spreadsheet's export writes every cell, `,,`)."""
    cells = len(line.cells)
    message = (
        f"expected {width.columns} cells, as the table has ({width.source}), found {cells}: a"
        " cell missing on this line moves every cell after it under another column"
    )
    return LayoutProblem(message, line.number, cells, f"{width.columns} cells", f"{cells} cells")


def _stray_head_line(line: Line) -> LayoutProblem:
    found = line.first_text()
    return LayoutProblem(
        f'expected one of the declared {HEAD_KINDS} lines above the data, found "{found}"'
        " on a line the layout does not declare",
        line.number, expected=f"a declared {HEAD_KINDS} line", found=found,
    )  # fmt: skip


def _not_a_region(line: Line, layout: Layout, regions: RegionIndex) -> LayoutProblem:
    column = layout.region.column
    printed = line.cell(column)
    nearest = regions.nearest(printed) if printed.strip() else None
    hint = f' (nearest known name: "{nearest}")' if nearest else ""
    footer = f", nor the footer (`{layout.footer}`)" if layout.footer else ""
    message = (
        f'expected a data line with a region name in column {column}, found "{printed}"'
        f"{hint}; the line is not a region, a blank spacer{footer}, nor a declared line"
    )
    return LayoutProblem(message, line.number, column, "a region name", printed)


def header_problems(
    lines: Sequence[Line], layout: Layout, *, spread_left: bool
) -> list[LayoutProblem]:
    """Each column whose declared `header` is not the header printed above it."""
    by_number = {line.number: line for line in lines}
    missing = [n for n in layout.declared_lines() if n not in by_number]
    problems = [LayoutProblem("the layout declares this line, but the file ends before it", n)
                for n in sorted(missing)]  # fmt: skip
    header_lines = [by_number[n] for n in layout.header_rows if n in by_number]
    labels = column_labels(header_lines, spread_left=spread_left)
    problems += outside_the_table(layout, table_width(lines, layout))
    first = layout.header_rows[0] if layout.header_rows else None
    for column in layout.columns:
        if column.header is None:
            continue
        kept = labels.get(column.column, [])
        declared, found = clean_label(column.header), JOIN.join(label for _, label in kept)
        if declared != found:
            message = (f'column {column.column} ({column.indicator}): the header is printed'
                       f' "{found}" but the layout declares "{declared}"')  # fmt: skip
            line = differing_line(kept, declared) or first
            problems.append(LayoutProblem(message, line, column.column, declared, found))
    return problems


def outside_the_table(layout: Layout, width: Width) -> list[LayoutProblem]:
    """Declared columns the table does not have: they would publish nothing, silently."""
    declared = [("layout.region.column", layout.region.column, "the region")]
    declared += [(f"layout.columns[{i}].column", c.column, c.indicator)
                 for i, c in enumerate(layout.columns)]  # fmt: skip
    return [_outside(key, column, what, width) for key, column, what in declared
            if column > width.columns]  # fmt: skip


def _outside(key: str, column: int, what: str, width: Width) -> LayoutProblem:
    message = (f"{key} is {column} ({what}), but the table is {width.columns} columns wide"
               f" ({width.source})")  # fmt: skip
    return LayoutProblem(message, None, column, f"a column from 1 to {width.columns}", str(column))


_UNIT_SPLIT = re.compile(r"[\s、,，;；:：/()（）\[\]【】]+")
_UNIT_EDGE = r"[\s、,，;；:：()（）\[\]【】]"


def unit_problems(lines: Sequence[Line], layout: Layout, units: dict[str, UnitRule],
                  *, spread_left: bool) -> list[LayoutProblem]:  # fmt: skip
    """Units the reference does not know, and units printed neither in a unit line nor in
    their column's header (a unit line missing, or a column's unit mistaken)."""
    by_number = {line.number: line for line in lines}
    unit_text = " ".join(" ".join(by_number[n].cells) for n in layout.unit_rows if n in by_number)
    header_lines = [by_number[n] for n in layout.header_rows if n in by_number]
    headers = joined_headers(header_lines, spread_left=spread_left)
    problems = [_unknown_unit(column, units) for column in layout.columns
                if column.unit not in units]  # fmt: skip
    unprinted = [
        c
        for c in layout.columns
        if not _printed(c.unit, unit_text) and not _printed(c.unit, headers.get(c.column, ""))
    ]
    if unprinted:
        problems.append(_unprinted(unprinted, layout))
    return problems


def indicator_problems(
    layout: Layout, known: dict[str, str], units: dict[str, UnitRule]
) -> list[LayoutProblem]:
    """Columns whose indicator is neither in indicator-codes nor declared by the layout (a
    misspelt code would publish figures under no indicator, and checks naming the right
    code would find no parts and pass), or is in another unit than the column's."""
    declared = {**known, **{indicator.code: indicator.unit for indicator in layout.indicators}}
    problems = []
    for column in layout.columns:
        if column.indicator not in declared:
            problems.append(_unknown_indicator(column, sorted(declared)))
        elif column.unit in units and units[column.unit].unit != declared[column.indicator]:
            problems.append(_other_unit(column, units[column.unit].unit, declared))
    return problems


def _unknown_indicator(column: LayoutColumn, declared: list[str]) -> LayoutProblem:
    nearest = difflib.get_close_matches(column.indicator, declared, n=1)
    hint = f' (did you mean "{nearest[0]}"?)' if nearest else ""
    message = (f'column {column.column}: indicator "{column.indicator}" is neither in'
               f" indicator-codes nor declared in layout.indicators{hint}")  # fmt: skip
    expected = "a code of indicator-codes or layout.indicators"
    return LayoutProblem(message, None, column.column, expected, column.indicator)


def _other_unit(column: LayoutColumn, unit: str, declared: dict[str, str]) -> LayoutProblem:
    wanted = declared[column.indicator]
    message = (f'column {column.column}: unit "{column.unit}" gives figures in {unit}, but'
               f' indicator "{column.indicator}" is in {wanted}: a unit or an indicator'
               " is mistaken")  # fmt: skip
    return LayoutProblem(message, None, column.column, f"a unit giving {wanted}", column.unit)


def _printed(unit: str, text: str) -> bool:
    tokens = {token.removeprefix("单位") for token in _UNIT_SPLIT.split(text)}
    if "/" in unit:  # 元/月 is one unit, not 元 and 月: it must stand whole between edges
        edged = re.compile(rf"(?:^|{_UNIT_EDGE}|单位){re.escape(unit)}(?:$|{_UNIT_EDGE})")
        return edged.search(text) is not None
    return unit in tokens or (" " in unit and unit in " ".join(text.split()))


def _unknown_unit(column: LayoutColumn, units: dict[str, UnitRule]) -> LayoutProblem:
    message = (f'column {column.column} ({column.indicator}): unit "{column.unit}" is not in'
               f" indicator-codes/units (known: {', '.join(sorted(units))})")  # fmt: skip
    return LayoutProblem(
        message, None, column.column, "a unit of indicator-codes/units", column.unit
    )


def _unprinted(columns: list[LayoutColumn], layout: Layout) -> LayoutProblem:
    listed = ", ".join(f'column {c.column} "{c.unit}"' for c in columns)
    where = "the unit line" if layout.unit_rows else "a unit line (`unit_rows` declares none)"
    message = f"units printed neither in {where} nor in their column's header: {listed}"
    declared = layout.unit_rows or layout.header_rows
    line = declared[0] if declared else None
    return LayoutProblem(message, line, columns[0].column, "a printed unit", "")


def values(
    data: Sequence[DataLine], layout: Layout, units: dict[str, UnitRule]
) -> tuple[list[dict[str, str]], list[LayoutProblem]]:
    """The long rows, in file order, and a problem for every cell that is not a number."""
    rows: list[dict[str, str]] = []
    problems: list[LayoutProblem] = []
    missing = {text.strip() for text in layout.missing}
    for item in data:
        for column in layout.columns:
            printed = item.line.cell(column.column)
            if printed.strip() in missing or column.unit not in units:
                continue
            try:
                rows.append(_row(item, column, printed, layout, units[column.unit]))
            except NotANumber as fault:
                problems.append(_not_a_number(item.line, column, printed, fault))
    return rows, problems


def _row(item: DataLine, column: LayoutColumn, printed: str, layout: Layout,
         rule: UnitRule) -> dict[str, str]:  # fmt: skip
    value = normalised_text(read_number(printed), rule.factor)
    period = column.period or layout.period
    return {
        "indicator_code": column.indicator, "region_code": item.region_code,
        "region_as_printed": item.line.cell(layout.region.column), "year": str(period.year),
        "period_type": period.type, "period": period.label,
        "value": value, "unit": rule.unit,
        "value_as_printed": printed, "unit_as_printed": column.unit, "source_id": layout.source,
        "source_line": str(item.line.number), "source_column": str(column.column), "flags": "",
        "value_decimals": str(decimals_of(value)),
    }  # fmt: skip


def _not_a_number(line: Line, column: LayoutColumn, printed: str,
                  fault: NotANumber) -> LayoutProblem:  # fmt: skip
    shown = clipped(printed)
    detail = f"; {fault.detail}" if fault.detail else ""
    message = (f"column {column.column} ({column.indicator}): expected {fault.expected},"
               f' found "{shown}"{detail}')  # fmt: skip
    return LayoutProblem(message, line.number, column.column, fault.expected, shown)


def clipped(text: str, shown: int = 40) -> str:
    """`text`, cut to its first `shown` characters when longer (a 1 MB cell in a message
    helps nobody)."""
    return text if len(text) <= shown else f"{text[:shown]}… ({len(text)} characters)"


def unknown_fields(names: Sequence[str]) -> Iterator[LayoutProblem]:
    """Schema fields the long table does not have."""
    for name in names:
        if name not in LONG_FIELDS:
            yield LayoutProblem(f'schema field "{name}" is not a column of the long table a layout'
                          f" produces ({', '.join(LONG_FIELDS)})")  # fmt: skip
