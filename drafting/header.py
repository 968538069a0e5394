"""Header labels per column, as the reader joins them, and the printed unit of each column.

Spreading follows docs/steward.md (`header_rows`): an XLSX merged range gives its label to
every cell it covers; in CSV an empty cell on a header line that is not the last one takes
the nearest label to its left. Labels are cleaned (ends stripped, inner whitespace
collapsed), a label repeated on consecutive lines appears once, and the lines are joined
with " / ".
"""

from __future__ import annotations

import re

from drafting.grid import Grid

UNIT_IN_LABEL = re.compile(r"[(（]([^()（）]+)[)）]\s*$")
UNIT_WORD = re.compile(r"^(万亿|亿|億|千|百万|万)?"
                       r"(人次|人|元|户|个|次|项|件|家|所|条|月)(/月|/年)?$|^[%‰]$")  # fmt: skip


def clean(text: str) -> str:
    return " ".join(text.split())


def spread(grid: Grid, line: int, column: int, last: bool) -> str:
    """The label of a header cell once merged cells have given theirs."""
    for merge in grid.merges:
        inside = merge.first_row <= line <= merge.last_row
        if inside and merge.first_column <= column <= merge.last_column:
            return clean(grid.cell(merge.first_row, merge.first_column))
    text = clean(grid.cell(line, column))
    if text or last or grid.format != "csv":
        return text
    left = next((clean(grid.cell(line, c)) for c in range(column - 1, 0, -1)
                 if clean(grid.cell(line, c))), "")  # fmt: skip
    return left


def joined_label(grid: Grid, header: list[int], column: int) -> str:
    labels: list[str] = []
    for line in header:
        label = spread(grid, line, column, last=line == header[-1])
        if label and (not labels or labels[-1] != label):
            labels.append(label)
    return " / ".join(labels)


def english_label(grid: Grid, english: list[int], column: int) -> str:
    """English header lines wrap one label over lines: they are joined with a space."""
    return clean(" ".join(clean(grid.cell(line, column)) for line in english))


def unit_in_label(label: str) -> str | None:
    """The unit in the label's last parentheses, `(万人)` or `（亿元）`, when it is one."""
    for segment in reversed(label.split(" / ")):
        found = UNIT_IN_LABEL.search(segment)
        if found and UNIT_WORD.match(found.group(1).strip()):
            return found.group(1).strip()
    return None


def without_unit(label: str) -> str:
    """The label's segments without their unit parentheses: `基金收入（亿元）` → `基金收入`;
    parentheses that are no unit stay part of the name (`累计结余(含储备金)`)."""
    return " / ".join(UNIT_IN_LABEL.sub(_unit_or_kept, s).strip() for s in label.split(" / "))


def _unit_or_kept(found: re.Match[str]) -> str:
    return "" if UNIT_WORD.match(found.group(1).strip()) else found.group(0)


def units_of_line(text: str) -> list[str]:
    """The units a unit line states: `单位：万人、亿元 (10000 persons, …)` → [万人, 亿元]."""
    body = re.sub(r"^\s*单\s*位\s*[:：]", "", text)
    body = re.sub(r"\([ -~]*\)", "", body)  # the English gloss in ASCII parentheses
    return [u.strip() for u in re.split(r"[、，,/;；]", body) if u.strip()]


def wrapped(grid: Grid, header: list[int], column: int) -> bool:
    """One label wrapped over header lines (`#国 有` over `单 位`), not a group label over
    several columns: the column has text of its own on two lines or more, and no such text
    but the last is merged with, or spread to, the next column."""
    own = [line for line in header if clean(grid.cell(line, column))]
    return len(own) > 1 and all(_alone(grid, line, column) for line in own[:-1])


def _alone(grid: Grid, line: int, column: int) -> bool:
    for merge in grid.merges:
        if merge.first_row <= line <= merge.last_row and (
            merge.first_column <= column <= merge.last_column
        ):
            return merge.first_column == merge.last_column
    if grid.format != "csv":
        return True
    return column >= grid.width or bool(clean(grid.cell(line, column + 1)))
