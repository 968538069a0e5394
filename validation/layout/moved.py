"""A table whose lines moved against its layout: one error for the cause, not one per column.

When the unit line is missing (or a line was added above the header), every declared line
number after it points one line off: the header no longer matches in any column, the units
are "printed nowhere", and the English header is read as a header label. What the steward
needs is the one fact behind all of these: the header declared at lines 3–4 is printed at
lines 2–3.
"""

from __future__ import annotations

from collections.abc import Sequence

from validation.layout.headers import clean_label, joined_headers
from validation.layout.lines import Line
from validation.layout.model import Layout
from validation.layout.problems import LayoutProblem

SHIFTS = (-1, 1, -2, 2, -3, 3)  # the nearest first: a missing unit line moves by one


def moved_lines(
    lines: Sequence[Line], layout: Layout, *, spread_left: bool
) -> LayoutProblem | None:
    """The problem saying how the lines moved, when the declared headers match nowhere but
    one shift away; None when they match where declared (or match nowhere)."""
    if not any(column.header is not None for column in layout.columns) or not layout.header_rows:
        return None
    by_number = {line.number: line for line in lines}
    if _matches(by_number, layout, 0, spread_left=spread_left):
        return None
    shift = next((d for d in SHIFTS if _matches(by_number, layout, d, spread_left=spread_left)),
                 None)  # fmt: skip
    return None if shift is None else _moved(by_number, layout, shift)


def _matches(by_number: dict[int, Line], layout: Layout, shift: int, *, spread_left: bool) -> bool:
    numbers = [n + shift for n in layout.header_rows]
    if any(n not in by_number for n in numbers):
        return False
    printed = joined_headers([by_number[n] for n in numbers], spread_left=spread_left)
    return all(clean_label(c.header) == printed.get(c.column, "")
               for c in layout.columns if c.header is not None)  # fmt: skip


def _moved(by_number: dict[int, Line], layout: Layout, shift: int) -> LayoutProblem:
    declared = layout.header_rows
    printed = [n + shift for n in declared]
    line = min(declared[0], printed[0])
    kind = layout.declared_lines().get(line, "data")
    holds = _cells(by_number[line])
    what = "the header " if line == printed[0] else ""
    cause = f"a {kind} line missing?" if shift < 0 else "a line added above the header?"
    direction = "up" if shift < 0 else "down"
    message = (
        f"line {line} should be the {kind} line but holds {what}`{holds}`; the table's lines"
        f" moved {direction} by {abs(shift)} ({cause}): the header declared at lines"
        f" {_span(declared)} is printed at lines {_span(printed)}. Correct the file, or every"
        " line number of the layout"
    )
    return LayoutProblem(message, line, None, f"the {kind} line", holds)


def _cells(line: Line, shown: int = 3) -> str:
    texts = [clean_label(cell) for cell in line.cells if cell.strip()]
    return ",".join(texts[:shown]) + (",…" if len(texts) > shown else "")


def _span(numbers: Sequence[int]) -> str:
    return f"{numbers[0]}–{numbers[-1]}" if len(numbers) > 1 else str(numbers[0])
