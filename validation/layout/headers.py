"""The header of a printed table: labels spread over merged cells and joined per column."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from validation.layout.lines import Line
from validation.layout.model import Layout

JOIN = " / "


def clean_label(text: str) -> str:
    """Whitespace (U+3000 and newlines included) removed at the ends, inner runs made one."""
    return " ".join(text.split())


def joined_headers(lines: Sequence[Line], *, spread_left: bool) -> dict[int, str]:
    """Each 1-based column's labels, top to bottom, joined by " / "."""
    labels = column_labels(lines, spread_left=spread_left)
    return {column: JOIN.join(label for _, label in kept) for column, kept in labels.items()}


def column_labels(lines: Sequence[Line], *, spread_left: bool) -> dict[int, list[tuple[int, str]]]:
    """Each 1-based column's labels, top to bottom, each with the line it is printed on.

    `spread_left` is for CSV, where a merged cell was exported as its text and then empty
    cells: on every header line but the last, an empty cell takes the label to its left.
    A label repeated on consecutive lines of a column (a vertical merge) appears once, at
    its first line.
    """
    rows = [[clean_label(cell) for cell in line.cells] for line in lines]
    if spread_left:
        rows = [_spread(row) for row in rows[:-1]] + rows[-1:]
    numbers = [line.number for line in lines]
    width = max((len(row) for row in rows), default=0)
    return {column + 1: _kept((n, row[column]) for n, row in zip(numbers, rows, strict=True)
                              if column < len(row))
            for column in range(width)}  # fmt: skip


def _spread(row: list[str]) -> list[str]:
    spread: list[str] = []
    for label in row:
        spread.append(label or (spread[-1] if spread else ""))
    return spread


def _kept(labels: Iterable[tuple[int, str]]) -> list[tuple[int, str]]:
    kept: list[tuple[int, str]] = []
    for number, label in labels:
        if label and (not kept or kept[-1][1] != label):
            kept.append((number, label))
    return kept


def differing_line(kept: Sequence[tuple[int, str]], declared: str) -> int | None:
    """The header line of the first label that differs from the declared header's (the
    last label's line when the declared header has more; None when nothing is printed)."""
    parts = clean_label(declared).split(JOIN)
    for index, part in enumerate(parts):
        if index >= len(kept):
            return kept[-1][0] if kept else None
        if kept[index][1] != part:
            return kept[index][0]
    return kept[len(parts)][0] if len(kept) > len(parts) else None


@dataclass(frozen=True)
class Width:
    """How many columns the table has, and what in the file says so (for messages)."""

    columns: int
    source: str


def table_width(lines: Sequence[Line], layout: Layout) -> Width:
    """The last column holding text on the header and English header lines; without them,
    on the widest line (trailing empty cells, as spreadsheets export them, do not count)."""
    heads = sorted(set(layout.header_rows) | set(layout.english_header_rows))
    printed = [line for line in lines if line.number in heads]
    if printed:
        named = ", ".join(str(n) for n in heads)
        return Width(max(last_text(line) for line in printed), f"its header, lines {named}")
    return Width(max((last_text(line) for line in lines), default=0), "its widest line")


def last_text(line: Line) -> int:
    """The 1-based column of the line's last non-empty cell (0 for a blank line)."""
    return next((n for n in range(len(line.cells), 0, -1) if line.cells[n - 1].strip()), 0)
