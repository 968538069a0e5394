"""The header of a printed table: labels spread over merged cells and joined per column."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from validation.layout.lines import Line

JOIN = " / "


def clean_label(text: str) -> str:
    """Whitespace (U+3000 and newlines included) removed at the ends, inner runs made one."""
    return " ".join(text.split())


def joined_headers(lines: Sequence[Line], *, spread_left: bool) -> dict[int, str]:
    """Each 1-based column's labels, top to bottom, joined by " / ".

    `spread_left` is for CSV, where a merged cell was exported as its text and then empty
    cells: on every header line but the last, an empty cell takes the label to its left.
    A label repeated on consecutive lines of a column (a vertical merge) appears once.
    """
    rows = [[clean_label(cell) for cell in line.cells] for line in lines]
    if spread_left:
        rows = [_spread(row) for row in rows[:-1]] + rows[-1:]
    width = max((len(row) for row in rows), default=0)
    return {column + 1: _join(row[column] for row in rows if column < len(row))
            for column in range(width)}  # fmt: skip


def _spread(row: list[str]) -> list[str]:
    spread: list[str] = []
    for label in row:
        spread.append(label or (spread[-1] if spread else ""))
    return spread


def _join(labels: Iterable[str]) -> str:
    kept: list[str] = []
    for label in labels:
        if label and (not kept or kept[-1] != label):
            kept.append(label)
    return JOIN.join(kept)
