"""The draft descriptor put together from a read table, and what the steward must review."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from drafting.checks import component_checks, sum_checks, total_code
from drafting.columns import Column
from drafting.lines import FOOTER
from drafting.metadata import (
    Document,
    department,
    descriptions,
    english_title,
    is_official,
    long_schema,
    source_entry,
    themes_and_keywords,
    today,
)
from drafting.reference import load_indicators
from drafting.regions import NATIONAL_CODE
from drafting.table import Table, titles, year_of


@dataclass
class Draft:
    slug: str
    document: Document
    detected: list[str] = field(default_factory=list)
    review: list[str] = field(default_factory=list)


def assemble(file: Path, datasets: Path, slug: str, table: Table, url: str | None) -> Draft:
    draft = Draft(slug=slug, document={})
    zh, en = titles(table)
    year = year_of(table, file)
    if year is None:
        draft.review.append("no year in the title or file name: set layout.period.year")
    elif str(year) not in f"{zh} {en}":  # an office's file name may carry the mailing's year
        draft.review.append(
            f"layout.period.year {year} is taken from the file name, not the title: check it"
        )
    source = source_entry(datasets, zh or file.name, url or f"data/{file.name}", is_official(url))
    if not is_official(url):
        tier = source["reliability_tier"]
        draft.review.append(
            f"sources[0].reliability_tier: {tier} (not a .gov.cn URL); A if the issuer's own"
            " table, C if secondary"
        )
    layout = _layout(table, year, str(source["id"]), draft)
    draft.document = _package(slug, zh or file.stem, en, table, year, source, datasets)
    titled = (str(draft.document["title"]), str(draft.document["title_en"]))
    draft.document["resources"] = [_resource(file, table, layout, *titled)]
    checks = component_checks(table.columns, table.grid, table.lines.data) + sum_checks(
        table.columns, table.codes, table.matcher
    )
    if checks:
        draft.document["checks"] = checks
    draft.document = {**draft.document, **department(datasets)}
    _report(draft, table, checks, year)
    return draft


def _package(slug: str, zh: str, en: str, table: Table, year: int | None, source: Document,
             datasets: Path) -> Document:  # fmt: skip
    labels = " ".join(c.header + " " + c.name_en for c in table.columns)
    themes, keywords, keywords_en = themes_and_keywords(f"{zh} {en} {labels}")
    # An unknown year stays empty (null) so that build refuses the draft until it is set.
    years = sorted({str(c.year or year or "") for c in table.columns})
    spatial = [table.codes[0]] if _has_total(table) else sorted(set(table.codes))
    en = en or english_title(_indicator_names(table, datasets), _level(table), year)
    described, described_en = descriptions(zh, en, len(set(table.codes)), len(table.columns))
    return {
        "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
        "name": slug, "title": zh, "title_en": en,
        "description": described, "description_en": described_en,
        "keywords": keywords, "keywords_en": keywords_en, "sources": [source],
        # One table is one publication: it gains no rows unless a steward says it will.
        "themes": themes, "frequency": "archived", "access_level": "unconditional",
        "temporal": {"start": years[0] or None, "end": years[-1] or None},
        "spatial": spatial, "issued": today(),
    }  # fmt: skip


def _indicator_names(table: Table, datasets: Path) -> list[str]:
    known = {i.code: i.name_en for i in load_indicators(datasets)}
    return [known.get(c.indicator) or c.name_en for c in table.columns]


def _level(table: Table) -> str:
    """What the table's lines are: provinces, a province's prefectures, or regions."""
    parents = Counter(table.matcher.parent(code) for code in table.codes)
    most, count = parents.most_common(1)[0]
    if most == NATIONAL_CODE:
        return "province"
    return "prefecture" if most is not None and count > len(table.codes) / 2 else "region"


def _has_total(table: Table) -> bool:
    return total_code(table.codes, table.matcher) == table.codes[0]


def _resource(file: Path, table: Table, layout: Document, zh: str, en: str) -> Document:
    # The register names a table by its title: the printed table's, as the dataset's.
    resource: Document = {"name": "observations", "title": zh, "title_en": en,
                          "path": f"data/{file.name}", "format": table.grid.format}  # fmt: skip
    if table.grid.encoding:
        resource["encoding"] = table.grid.encoding
    if table.grid.sheet:
        resource["sheet"] = table.grid.sheet
    return {**resource, "layout": layout, "schema": long_schema()}


def _layout(table: Table, year: int | None, source: str, draft: Draft) -> Document:
    lines = table.lines
    common = Counter(c.period_type for c in table.columns).most_common(1)[0][0]
    layout: Document = {
        "title_rows": lines.title, "unit_rows": lines.unit, "header_rows": lines.header,
        "english_header_rows": lines.english_header, "note_rows": lines.note,
        "footer": FOOTER, "blank_rows": "spacer",
        "region": {"column": table.region_column, "remap": table.remap},
        "period": {"year": year, "type": common}, "source": source,
        "columns": [_column(c, year, common) for c in table.columns],
    }  # fmt: skip
    if lines.skip:
        layout["skip_rows"] = lines.skip
    minted = [_indicator(c) for c in table.columns if c.minted]
    if minted:
        layout["indicators"] = minted
    return layout


def _column(column: Column, year: int | None, common: str) -> Document:
    entry: Document = {"column": column.column, "header": column.header,
                       "indicator": column.indicator, "unit": column.unit.printed}  # fmt: skip
    if column.year or column.period_type != common:
        entry["period"] = {"year": column.year or year, "type": column.period_type}
    return entry


def _indicator(column: Column) -> Document:
    name_en = column.name_en or f"DRAFT: column {column.column}"
    return {"code": column.indicator, "name_zh": column.name_zh.replace(" / ", "："),
            "name_en": name_en, "unit": column.unit.unit}  # fmt: skip


def _partial(table: Table, checks: list[Document]) -> list[str]:
    """A sum check on a table that does not print every part never runs: say so."""
    printed = len(set(table.codes)) - 1
    wanted = {c["complete"] for c in checks if c["type"] == "sum_of_parts"} - {printed}
    return [
        f"sum_of_parts: the table prints {printed} of the {n} lines its total sums; the check"
        " runs only where all are present (complete)"
        for n in wanted
    ]


def _report(draft: Draft, table: Table, checks: list[Document], year: int | None) -> None:
    lines, grid = table.lines, table.grid
    draft.detected += [
        f"file: {grid.format}" + (f", encoding {grid.encoding}" if grid.encoding else "")
        + (f", sheet {grid.sheet}" if grid.sheet else ""),
        f"title lines {lines.title}, unit lines {lines.unit}, header lines {lines.header}, "
        f"English header lines {lines.english_header}, note lines {lines.note}",
        f"data: {len(lines.data)} lines, lines {lines.data[0]}–{lines.data[-1]}; footer from "
        f"line {lines.footer_line}" if lines.footer_line else
        f"data: {len(lines.data)} lines, lines {lines.data[0]}–{lines.data[-1]}; no footer",
        f"region column {table.region_column}; remapped {table.remap or 'nothing'}",
        f"period {year}; checks drafted: {[c['type'] for c in checks]}",
    ]  # fmt: skip
    for column in table.columns:
        draft.detected.append(
            f"column {column.column} {column.header!r} → {column.indicator} "
            f"({column.unit.printed or '?'} → {column.unit.unit or '?'}, {column.period_type})"
            + (" NEW" if column.minted else "")
        )
        draft.review += [f"column {column.column}: {why}" for why in column.review]
    draft.review += [f"line {n}: neither data nor header; in skip_rows" for n in lines.skip]
    among = [n for n in lines.note if lines.data and n > lines.data[0]]
    draft.review += [f"line {n}: a note among the data ({_first_text(table, n)!r}); in note_rows"
                     for n in among]  # fmt: skip
    draft.review += _partial(table, checks)
    loose = [k for k, how in table.hows.items() if how == "loose"]
    if loose:
        draft.review.append(f"region names matched by prefix only, in remap: {loose}")
    totals = [f"{k} → {table.remap[k]}" for k, how in table.hows.items() if how == "total"]
    if any(not total.endswith(NATIONAL_CODE) for total in totals):
        draft.review.append(f"total lines read as the region the others are part of: {totals}")
    if any(c.minted for c in table.columns):
        draft.review.append("new indicators in layout.indicators: check codes, names, units")
    draft.review.append("period types (year_end for stocks, annual for flows) are drafted")
    draft.review.append(
        "frequency: archived (归档不更新, one printed table); say annual (or another period) if"
        " this dataset will gain the next table as a new version"
    )


def _first_text(table: Table, line: int) -> str:
    return next((cell.strip() for cell in table.grid.rows[line - 1] if cell.strip()), "")
