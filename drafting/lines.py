"""Sorting a printed table's lines into the classes of the layout (docs/steward.md).

Data lines are found first (a region in the region column and a number beside it); the
lines above the first of them are read upwards: blank spacers, then the header block (lines
with labels beyond the first column, at most four), then title, unit and note lines. Below
the first data line: data, blank spacers, note lines among the data (`note_rows`), the
footer from its first matching line after the last data line, and anything else, which
the draft declares as `skip_rows` and lists for review.

A line that looks like data (a name in the region column, figures beside it) but whose name
is no known region never goes to `skip_rows` silently: the build would drop its figures.
`init` stops and names every such line; the steward adds the name (`--remap NAME=CODE`, or a
line of `curation/reference/region_aliases.csv`) or declares the line (`--skip-row N`).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field

from drafting.grid import DraftError, Grid
from drafting.regions import RegionMatcher

FOOTER = "^(数据来源|资料来源|注|说明|Source|Note)"
NUMBER = re.compile(r"-?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?")
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
UNIT_LINE = re.compile(r"^\s*单\s*位\s*[:：]")
NOTE_LINE = re.compile(r"^\s*(注|说明|#|Note)", re.IGNORECASE)
MAX_HEADER_LINES = 4
YEAR = re.compile(r"(19|20)\d{2}")


@dataclass
class Lines:
    title: list[int] = field(default_factory=list)
    unit: list[int] = field(default_factory=list)
    header: list[int] = field(default_factory=list)
    english_header: list[int] = field(default_factory=list)
    note: list[int] = field(default_factory=list)
    data: list[int] = field(default_factory=list)
    skip: list[int] = field(default_factory=list)
    footer_line: int | None = None


def is_number(text: str) -> bool:
    return NUMBER.fullmatch(text.strip()) is not None


def non_empty(row: list[str]) -> list[int]:
    """The 1-based columns of a row that hold text."""
    return [i + 1 for i, cell in enumerate(row) if cell.strip()]


def is_unit_line(row: list[str]) -> bool:
    return any(UNIT_LINE.match(cell) for cell in row)


def is_data(row: list[str], region_column: int, matcher: RegionMatcher) -> bool:
    region = row[region_column - 1] if region_column <= len(row) else ""
    others = [c for i, c in enumerate(row) if i != region_column - 1]
    return matcher.match(region) is not None and any(is_number(c) for c in others)


def looks_like_data(row: list[str], region_column: int, *, years: bool) -> bool:
    """A name in the region column and a figure beside it (`years`: a year counts as one;
    above the data, a header such as `地区 | 2015 | 2016` prints years, not figures)."""
    region = row[region_column - 1].strip() if region_column <= len(row) else ""
    if not region or is_number(region):
        return False
    cells = [c.strip() for i, c in enumerate(row) if i != region_column - 1]
    return any(is_number(c) and (years or not YEAR.fullmatch(c)) for c in cells)


def classify(grid: Grid, region_column: int, matcher: RegionMatcher,
             skip_rows: Collection[int] = ()) -> Lines:  # fmt: skip
    lines = Lines()
    rows = grid.rows
    first = next(
        (i + 1 for i, row in enumerate(rows) if is_data(row, region_column, matcher)), None
    )
    if first is None:
        return lines
    _above(rows, first, region_column, lines)
    _below(rows, first, region_column, matcher, lines)
    declared = [n for n in lines.data if n in skip_rows]
    lines.data = [n for n in lines.data if n not in skip_rows]
    lines.skip = sorted(lines.skip + declared)
    unknown = [n for n in lines.skip if n not in skip_rows
               and looks_like_data(rows[n - 1], region_column, years=n > first)]  # fmt: skip
    if unknown:
        raise DraftError(_unknown_regions(rows, unknown, region_column, matcher))
    return lines


def _unknown_regions(rows: list[list[str]], unknown: list[int], column: int,
                     matcher: RegionMatcher) -> str:  # fmt: skip
    named = [
        f"line {n}: {rows[n - 1][column - 1].strip()!r}"
        + (f" (nearest known: {near!r})" if (near := matcher.nearest(rows[n - 1][column - 1]))
           else "")
        for n in unknown
    ]  # fmt: skip
    return (
        f"{len(unknown)} line(s) hold figures but name no known region in column {column}: "
        + "; ".join(named)
        + ". Nothing was written. For a region, run init again with "
        "--remap 'NAME=CODE' (it goes into layout.region.remap), or add NAME to "
        "curation/reference/region_aliases.csv and run `python -m curation`; for a line that "
        "is not a region's figures (e.g. a subtotal), run init again with --skip-row LINE."
    )


def _above(rows: list[list[str]], first: int, region_column: int, lines: Lines) -> None:
    line = first - 1
    while line > 0 and not non_empty(rows[line - 1]):
        line -= 1
    while line > 0 and _header_like(rows[line - 1]) and len(lines.header) < MAX_HEADER_LINES:
        if looks_like_data(rows[line - 1], region_column, years=False):
            lines.skip.insert(0, line)  # not a header: classify names it
            line -= 1
            continue
        lines.header.insert(0, line)
        line -= 1
    for above in range(1, line + 1):
        _sort_top_line(rows[above - 1], above, lines)
    _split_english(rows, lines)


def _header_like(row: list[str]) -> bool:
    columns = non_empty(row)
    return bool(columns) and not is_unit_line(row) and (len(columns) > 1 or columns[0] > 1)


def _sort_top_line(row: list[str], line: int, lines: Lines) -> None:
    cells = [row[c - 1] for c in non_empty(row)]
    if not cells:
        return
    if is_unit_line(row):
        lines.unit.append(line)
    elif NOTE_LINE.match(cells[0]):
        lines.note.append(line)
    else:
        lines.title.append(line)


def _split_english(rows: list[list[str]], lines: Lines) -> None:
    """Header lines without CJK text below a CJK header line translate it."""
    seen_cjk = False
    for line in list(lines.header):
        text = " ".join(rows[line - 1])
        if seen_cjk and not CJK.search(text) and re.search(r"[A-Za-z]", text):
            lines.header.remove(line)
            lines.english_header.append(line)
        seen_cjk = seen_cjk or bool(CJK.search(text))


def _below(
    rows: list[list[str]], first: int, region_column: int, matcher: RegionMatcher, lines: Lines
) -> None:
    """Data, notes and other lines from the first data line; the footer is the first
    matching line after the last data line (a `注：` line between two provinces is a note,
    not the footer: taking it for the footer would drop every province after it)."""
    last = max(n for n in range(first, len(rows) + 1)
               if is_data(rows[n - 1], region_column, matcher))  # fmt: skip
    footer = re.compile(FOOTER, re.IGNORECASE)
    for line in range(first, len(rows) + 1):
        row = rows[line - 1]
        columns = non_empty(row)
        if not columns:
            continue
        printed = row[columns[0] - 1].strip()
        if line > last and footer.match(printed):
            lines.footer_line = line
            return
        if is_data(row, region_column, matcher):
            lines.data.append(line)
        elif footer.match(printed) or NOTE_LINE.match(printed):
            lines.note.append(line)
        else:
            lines.skip.append(line)
