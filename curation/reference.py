"""Typed access to the reference tables in `curation/reference/*.csv` (see its README).

The tables are package data, read through `importlib.resources` so they are found wherever the
package is installed. Each loader checks the header, so a renamed column fails loudly here
rather than as a missing name deep in the curation.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib.resources import files

from validation import Region

MEASURES = frozenset({"S", "F", "R", "Q", "A", "L", "Cs", "Cf"})
THEMES = frozenset({"e", "s", "w", "t", "g"})


@dataclass(frozen=True)
class Indicator:
    code: str
    name_zh: str
    name_en: str
    measure: str  # letter code, see reference/README.md
    theme: str


@dataclass(frozen=True)
class Unit:
    """How a printed unit is normalised: `value × factor` in `unit` (factor exact, as text)."""

    unit_as_printed: str
    unit: str
    factor: Decimal
    quantity: str


@dataclass(frozen=True)
class County:
    """A county or district as printed in the minimum-wage tier list, with its verified code."""

    name_as_printed: str
    code: str
    name_zh: str
    name_en: str


@dataclass(frozen=True)
class RegionAlias:
    alias: str
    code: str
    kind: str  # traditional, japanese, english, short, national
    note: str


@dataclass(frozen=True)
class SearchSynonym:
    term: str  # a word a researcher types (社保, wages)
    means: str  # the words the datasets use for it (社会保险, wage); alternatives split by `/`
    note: str


@dataclass(frozen=True)
class IndicatorPhrase:
    phrase: str  # as a table's header prints it
    means: str  # the words indicator names use for it
    note: str


@dataclass(frozen=True)
class SourceTitle:
    kind_fragment: str
    title_zh: str
    title_en: str
    publisher_zh: str


def read_table(name: str, columns: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The rows of the package's `reference/<name>`, checked by `parse_table`."""
    text = files("curation").joinpath("reference", name).read_text(encoding="utf-8")
    return parse_table(name, text, columns)


def parse_table(name: str, text: str, columns: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The rows of a reference CSV, checked: the header is exactly `columns`, every row has one
    cell per column, and the first column (each table's key) has no repeat."""
    header, *rows = csv.reader(io.StringIO(text))
    if tuple(header) != columns:
        raise ValueError(f"reference/{name}: header {header}, expected {list(columns)}")
    seen: set[str] = set()
    for number, row in enumerate(rows, start=2):
        if len(row) != len(columns):
            raise ValueError(f"reference/{name} line {number}: {len(row)} cells")
        if row[0] in seen:
            raise ValueError(f"reference/{name} line {number}: {row[0]!r} repeated")
        seen.add(row[0])
    return [tuple(row) for row in rows]


@cache
def indicators() -> Mapping[str, Indicator]:
    """Indicator metadata by code."""
    rows = read_table("indicators.csv", ("code", "name_zh", "name_en", "measure", "theme"))
    table = {row[0]: Indicator(*row) for row in rows}
    for indicator in table.values():
        if indicator.measure not in MEASURES or indicator.theme not in THEMES:
            raise ValueError(f"reference/indicators.csv: {indicator.code} has an unknown code")
    return table


UNIT_COLUMNS = ("unit_as_printed", "unit", "factor", "quantity")


@cache
def units() -> Mapping[str, Unit]:
    """Normalisation rules by printed unit; a factor that is not a plain positive decimal fails."""
    table: dict[str, Unit] = {}
    for printed, unit, factor, quantity in read_table("units.csv", UNIT_COLUMNS):
        table[printed] = Unit(printed, unit, _factor(printed, factor), quantity)
    return table


def _factor(printed: str, text: str) -> Decimal:
    try:
        factor = Decimal(text)
    except InvalidOperation:
        factor = Decimal(0)
    if not factor > 0 or not factor.is_finite():
        raise ValueError(f"reference/units.csv: {printed!r} has factor {text!r}")
    return factor


@cache
def regions() -> tuple[Region, ...]:
    """Every region above county level, in file order."""
    columns = ("code", "name_zh", "name_en", "level", "parent_code", "note")
    return tuple(Region(*row) for row in read_table("regions.csv", columns))


@cache
def counties() -> Mapping[str, County]:
    """Counties and districts keyed by the name the tier list prints, in file order."""
    rows = read_table("counties.csv", ("name_as_printed", "code", "name_zh", "name_en"))
    return {row[0]: County(*row) for row in rows}


ALIAS_KINDS = frozenset({"traditional", "japanese", "english", "short", "national"})


@cache
def region_aliases() -> tuple[RegionAlias, ...]:
    """Other names a region is printed with (`遼寧`, `Tibet`, `黔南州`), in file order."""
    rows = read_table("region_aliases.csv", ("alias", "code", "kind", "note"))
    aliases = tuple(RegionAlias(*row) for row in rows)
    for alias in aliases:
        if alias.kind not in ALIAS_KINDS:
            raise ValueError(f"reference/region_aliases.csv: {alias.alias} has kind {alias.kind!r}")
    return aliases


@cache
def indicator_phrases() -> tuple[IndicatorPhrase, ...]:
    """Header words and the words of indicator names they stand for, in file order."""
    rows = read_table("indicator_phrases.csv", ("phrase", "means", "note"))
    return tuple(IndicatorPhrase(*row) for row in rows)


@cache
def search_synonyms() -> tuple[SearchSynonym, ...]:
    """Words researchers type and the words the data uses, in file order; single words (the
    search expands one word of a query at a time), alternatives split by `/`."""
    rows = read_table("search_synonyms.csv", ("term", "means", "note"))
    synonyms = tuple(SearchSynonym(*row) for row in rows)
    for synonym in synonyms:
        words = [synonym.term, *synonym.means.split("/")]
        if any(not word or word != "".join(word.split()) for word in words):
            raise ValueError(f"reference/search_synonyms.csv: {synonym.term}: single words only")
        if synonym.term in words[1:]:
            raise ValueError(f"reference/search_synonyms.csv: {synonym.term} means itself")
    return synonyms


@cache
def source_titles() -> tuple[SourceTitle, ...]:
    """Title rules in order: the first fragment found in a source kind names the source."""
    columns = ("kind_fragment", "title_zh", "title_en", "publisher_zh")
    return tuple(SourceTitle(*row) for row in read_table("source_titles.csv", columns))
