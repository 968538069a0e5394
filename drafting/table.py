"""A printed table read: its grid, line classes, region column, value columns, regions."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from drafting.columns import Column, Context, draft_column, value_columns
from drafting.grid import DraftError, Grid, read_grid
from drafting.header import clean, units_of_line
from drafting.lines import CJK, Lines, classify
from drafting.naming import load_phrases
from drafting.reference import load_aliases, load_indicators, load_regions, load_units
from drafting.regions import RegionMatcher, region_column
from validation import chinese_key

YEAR_IN_TITLE = re.compile(r"((?:19|20)\d{2})\s*年|[(（]\s*((?:19|20)\d{2})\s*[)）]")


@dataclass(frozen=True)
class Steward:
    """What the steward told `init` up front: names to map (`--remap`), lines to skip."""

    remap: dict[str, str] = field(default_factory=dict)
    skip_rows: tuple[int, ...] = ()


@dataclass
class Table:
    """What was read from the file, passed between the drafting steps."""

    grid: Grid
    lines: Lines
    region_column: int
    matcher: RegionMatcher
    columns: list[Column]
    codes: list[str]
    remap: dict[str, str]
    hows: dict[str, str] = field(default_factory=dict)  # a remap entry: how it was matched


def read_table(file: Path, datasets: Path, slug: str, sheet: str | None,
               steward: Steward | None = None) -> Table:  # fmt: skip
    grid = read_grid(file, sheet)
    steward = steward or Steward()
    matcher = RegionMatcher(load_regions(datasets), load_aliases(datasets), steward.remap)
    column = region_column(grid.rows, matcher)
    if column is None:
        raise DraftError(f"{file.name}: no column names at least three regions")
    matcher.total_code = matcher.covering([grid.cell(n + 1, column) for n in range(len(grid.rows))])
    lines = classify(grid, column, matcher, steward.skip_rows)
    if not lines.data:
        raise DraftError(f"{file.name}: no line has a region and a number")
    _refuse_merged_values(grid, lines.data, file.name)
    unit_text = " ".join(" ".join(grid.rows[line - 1]) for line in lines.unit)
    title = "".join("".join(grid.rows[line - 1]) for line in lines.title)
    context = Context(slug, lines.header, lines.english_header, units_of_line(unit_text),
                      load_units(datasets), load_indicators(datasets), lines.data,
                      "".join(title.split()), load_phrases(datasets))  # fmt: skip
    taken: set[str] = set()
    columns = [draft_column(grid, c, context, taken)
               for c in value_columns(grid.rows, lines.data, column)]  # fmt: skip
    codes, remap, hows = _regions(grid, lines, column, matcher)
    return Table(grid, lines, column, matcher, columns, codes, remap, hows)


def _refuse_merged_values(grid: Grid, data: list[int], name: str) -> None:
    """A merged range over a data line's cells would be one figure read as several: build
    refuses it, so init says so first (merges spread titles and header labels only)."""
    for merge in grid.merges:
        covered = [line for line in data if merge.first_row <= line <= merge.last_row]
        wide = merge.first_row != merge.last_row or merge.first_column != merge.last_column
        if covered and wide:
            raise DraftError(
                f"{name}: line {covered[0]}: merged range {merge.reference()} covers data cells;"
                " unmerge it and leave each figure in its own cell"
            )


def _regions(grid: Grid, lines: Lines, column: int, matcher: RegionMatcher
             ) -> tuple[list[str], dict[str, str], dict[str, str]]:  # fmt: skip
    codes: list[str] = []
    remap: dict[str, str] = {}
    hows: dict[str, str] = {}
    for line in lines.data:
        printed = grid.cell(line, column)
        match = matcher.match(printed)
        assert match is not None  # a data line is one whose region matched
        codes.append(match.code)
        if match.how in {"total", "loose", "remap"}:
            remap[_remap_key(printed)] = match.code
            hows[_remap_key(printed)] = match.how
    return codes, remap, hows


def _remap_key(printed: str) -> str:
    return chinese_key(printed) if CJK.search(printed) else clean(printed)


def titles(table: Table) -> tuple[str, str]:
    texts = [clean(" ".join(table.grid.rows[line - 1])) for line in table.lines.title]
    zh = next((t for t in texts if CJK.search(t)), "")
    en = next((t for t in texts if t and not CJK.search(t)), "")
    return zh, en


def year_of(table: Table, file: Path) -> int | None:
    titles = " ".join(" ".join(table.grid.rows[line - 1]) for line in table.lines.title)
    for text in (titles, file.stem):
        found = YEAR_IN_TITLE.findall(text)
        if found:
            return int(next(y for y in found[-1] if y))
    return None
