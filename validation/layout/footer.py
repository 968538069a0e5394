"""Where the table's head ends and its footer starts, and what may not follow the footer.

A note may be printed among the data (`注：吉林省数据不含长白山管委会。` between two
provinces) and match the footer pattern. Declared in `note_rows` or `skip_rows` it is only
that line; undeclared, it would start the footer and every province after it would be
dropped, so a line after the footer that still reads as a region's figures is an error.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from validation.layout.lines import Line
from validation.layout.model import FOOTER_TEXT_LIMIT, Layout
from validation.layout.problems import LayoutProblem
from validation.layout.regions import RegionIndex
from validation.layout.units import printed_number


def heading_end(lines: Sequence[Line], layout: Layout) -> int:
    """The last line of the table's head (0 when none): title, unit and header lines, and
    the note lines that follow them with only blank or declared lines between. A note
    declared further down, among the data, does not move the head's end."""
    head = (layout.title_rows, layout.unit_rows, layout.header_rows, layout.english_header_rows)
    end = max((number for numbers in head for number in numbers), default=0)
    notes, declared = set(layout.note_rows), layout.declared_lines()
    for line in lines:
        if line.number <= end:
            continue
        if not (line.blank or line.number in declared):
            break
        if line.number in notes:
            end = line.number
    return end


def footer_start(
    lines: Sequence[Line], layout: Layout, head_end: int
) -> tuple[int | None, list[LayoutProblem]]:
    """The first undeclared line after the head that matches `footer` (None when none).

    The pattern is tried on the first `FOOTER_TEXT_LIMIT` characters of a line's first
    cell: with the pattern language of `footer_fault`, that bounds the time per line."""
    if layout.footer is None:
        return None, []
    try:
        pattern = re.compile(layout.footer)
    except re.error as exc:
        return None, [LayoutProblem(f"`footer` is not a valid regular expression: {exc}")]
    declared = layout.declared_lines()
    for line in lines:
        after = line.number > head_end and line.number not in declared
        if after and pattern.search(line.first_text()[:FOOTER_TEXT_LIMIT]):
            return line.number, []
    return None, []


def data_after_footer(
    lines: Sequence[Line], layout: Layout, regions: RegionIndex, footer_at: int
) -> list[LayoutProblem]:
    """One problem at the first line after the footer that reads as a region's figures."""
    declared = layout.declared_lines()
    after = [line for line in lines if line.number > footer_at and line.number not in declared]
    looking = [line for line in after if _reads_as_data(line, layout, regions)]
    if not looking:
        return []
    first, more = looking[0], len(looking) - 1
    others = f" ({more} more such line{'s' if more > 1 else ''} after it)" if more else ""
    message = (
        f"line {first.number} looks like data but follows the footer that starts at line"
        f" {footer_at}: declare the note in note_rows or skip_rows{others}"
    )
    column = layout.region.column
    return [LayoutProblem(message, first.number, column, "a footer line", first.cell(column))]


def _reads_as_data(line: Line, layout: Layout, regions: RegionIndex) -> bool:
    if regions.code(line.cell(layout.region.column), layout.region.remap) is None:
        return False
    return any(printed_number(line.cell(c.column)) is not None for c in layout.columns)
