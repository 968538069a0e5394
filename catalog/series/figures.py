"""The printed figures of the indicator datasets, read from their published Parquet.

An *indicator table* is any resource whose schema has the long shape every indicator dataset
publishes (`FIGURE_COLUMNS`): the curated `observations` and `alternatives`, and the tables a
printed layout turns into rows. Which datasets those are is decided by their schemas, never by
a list of names, so a steward's new table joins the series the moment it is published.

Every read is one bounded statement on a private DuckDB connection (one thread, a memory
limit, a row cap), filtered on the two code columns: a series costs a few small scans however
large the tables are. A table is named by its place (`Store.place`) and read where it lies,
on a connection with the store's files attached (an object store's by byte ranges).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import duckdb

from catalog.errors import raise_store_failure
from catalog.sql import quote
from catalog.store import DESCRIPTOR, Package, Resource, Store, resource_file

FIGURE_COLUMNS = (
    "indicator_code", "region_code", "year", "period_type", "period", "value", "unit", "source_id",
)  # fmt: skip
# Read when a table has them: how the figure was printed, and what its curation said.
OPTIONAL_COLUMNS = (
    "value_as_printed", "unit_as_printed", "value_decimals", "also_source_ids", "flags", "note",
    "qualifier", "period_as_printed", "reason",
)  # fmt: skip
MAX_FIGURES = 20_000  # figures read for one series from one table
MAX_SERIES = 200_000  # (indicator, region) pairs listed from one table
TIERS = "ABC"  # reliability tiers, best first; a source with none ranks after C


@dataclass(frozen=True)
class Cited:
    """A source as a dataset's descriptor lists it: its tier rank, title and address."""

    tier: int = len(TIERS)
    title: str = ""
    url: str = ""


@dataclass(frozen=True)
class IndicatorTable:
    """One indicator table of a dataset's current version."""

    slug: str
    version: str
    resource: str
    path: str  # its place: a local path or an `s3://` URL
    optional: tuple[str, ...]  # the OPTIONAL_COLUMNS this table has
    sources: Mapping[str, Cited]  # by source id, from the dataset's descriptor


@dataclass(frozen=True)
class PrintedFigure:
    """One figure as a table prints it, with where it comes from."""

    slug: str
    version: str
    resource: str
    period_type: str
    period: str
    year: int
    value: Decimal | None
    unit: str
    value_as_printed: str
    unit_as_printed: str
    decimals: int | None
    source_id: str
    also_source_ids: frozenset[str]  # sources its dataset found printing the same figure
    tier: int
    source_title: str
    source_url: str
    flags: frozenset[str]
    note: str
    qualifier: str
    period_as_printed: str

    @property
    def key(self) -> str:
        """Figures are compared within one period, as the curated datasets are: `2012` printed
        as a year-end stock by one source and as the year's figure by another compete, while
        `2020-YTD` and `2020` never meet."""
        return self.period


@dataclass(frozen=True)
class Listed:
    """A series one table holds: how many figures, and the years they span."""

    indicator: str
    region: str
    count: int
    first_year: int
    last_year: int


def indicator_tables(store: Store, package: Package, version: str) -> list[IndicatorTable]:
    """The tables of `version` of `package` with the indicator shape; none of a conditional
    dataset (有条件开放): the series and their pages are public and shared by every caller,
    and its figures are served only to a token granted them (its rows, downloads, SQL)."""
    if package.access_level == "conditional":
        return []
    sources = _sources(package)
    tables = []
    for resource in package.resources:
        names = _field_names(resource)
        if resource.embedded_from is not None or not set(FIGURE_COLUMNS) <= names:
            continue
        name = resource_file(resource.name)
        if not store.has_file(package.name, version, name):
            continue
        path = store.place(package.name, version, name)  # read in place, never copied
        optional = tuple(c for c in OPTIONAL_COLUMNS if c in names)
        tables.append(IndicatorTable(package.name, version, resource.name, path, optional, sources))
    return tables


def withdrawn_paths(store: Store, slug: str, version: str) -> list[str]:
    """The indicator tables a withdrawn version held: read only to tell a caller that a series
    is gone (410) rather than unknown (404); its figures are never served again."""
    try:
        text = store.local_path(slug, version, DESCRIPTOR).read_text(encoding="utf-8")
        resources = json.loads(text).get("resources")
    except (OSError, ValueError, AttributeError):
        return []
    names = [_indicator_table(r) for r in resources if isinstance(r, dict)]
    files = [resource_file(name) for name in names if name]
    return [store.place(slug, version, f) for f in files if store.has_file(slug, version, f)]


def _indicator_table(resource: dict[str, Any]) -> str:
    """The name of a published resource with the indicator shape; empty for any other."""
    schema = resource.get("schema")
    fields = schema.get("fields") if isinstance(schema, dict) else None
    names = {f.get("name") for f in fields or [] if isinstance(f, dict)}
    name = resource.get("name")
    return name if isinstance(name, str) and set(FIGURE_COLUMNS) <= names else ""


def _field_names(resource: Resource) -> set[str]:
    return {f.name for f in resource.table_schema.fields} if resource.table_schema else set()


def _sources(package: Package) -> dict[str, Cited]:
    return {
        str(source.id): Cited(
            TIERS.index(source.reliability_tier)
            if source.reliability_tier in tuple(TIERS)
            else len(TIERS),
            source.title or "",
            source.path or "",
        )
        for source in package.sources or []
        if source.id is not None
    }


def list_series(con: duckdb.DuckDBPyConnection, path: str) -> list[Listed]:
    """The series the table at `path` holds (none when its file cannot answer: a damaged
    file must not take every series down with it); `StoreUnavailable` when the store failed
    the read: none would be kept for the version until its next publish."""
    try:
        rows = con.execute(
            "SELECT CAST(indicator_code AS VARCHAR), CAST(region_code AS VARCHAR), count(*),"
            " min(year), max(year) FROM read_parquet(?)"
            " WHERE indicator_code IS NOT NULL AND region_code IS NOT NULL AND year IS NOT NULL"
            " GROUP BY ALL ORDER BY 1, 2 LIMIT ?",
            [path, MAX_SERIES],
        ).fetchall()
    except duckdb.Error as exc:
        raise_store_failure(exc)
        return []
    return [Listed(str(i), str(r), int(n), int(lo), int(hi)) for i, r, n, lo, hi in rows]


def read_figures(
    con: duckdb.DuckDBPyConnection, table: IndicatorTable, indicator: str, region: str
) -> list[PrintedFigure]:
    """Every figure `table` prints for the series (indicator, region), up to MAX_FIGURES;
    none of a damaged file, `StoreUnavailable` when the store failed the read."""
    columns = [*FIGURE_COLUMNS[2:], *table.optional]
    select = ", ".join(quote(c) for c in columns)
    try:
        rows = con.execute(
            f"SELECT {select} FROM read_parquet(?)"
            " WHERE CAST(indicator_code AS VARCHAR) = ? AND CAST(region_code AS VARCHAR) = ?"
            " AND year IS NOT NULL LIMIT ?",
            [table.path, indicator, region, MAX_FIGURES],
        ).fetchall()
    except duckdb.Error as exc:
        raise_store_failure(exc)
        return []
    return [_figure(table, dict(zip(columns, row, strict=True))) for row in rows]


def _figure(table: IndicatorTable, row: dict[str, Any]) -> PrintedFigure:
    value = row["value"]
    decimals = row.get("value_decimals")
    source = str(row["source_id"] or "")
    cited = table.sources.get(source) or Cited()
    return PrintedFigure(
        slug=table.slug,
        version=table.version,
        resource=table.resource,
        period_type=str(row["period_type"] or ""),
        period=str(row["period"] or ""),
        year=int(row["year"]),
        value=None if value is None else Decimal(str(value)),
        unit=str(row["unit"] or ""),
        value_as_printed=str(row.get("value_as_printed") or ""),
        unit_as_printed=str(row.get("unit_as_printed") or ""),
        decimals=None if decimals is None else int(decimals),
        source_id=source,
        also_source_ids=frozenset(_split(row.get("also_source_ids"))),
        tier=cited.tier,
        source_title=cited.title,
        source_url=cited.url,
        flags=frozenset(_split(row.get("flags"))),
        note=str(row.get("note") or ""),
        qualifier=str(row.get("qualifier") or ""),
        period_as_printed=str(row.get("period_as_printed") or ""),
    )


def _split(listed: object) -> Iterator[str]:
    """The items of a `;`-separated cell (flags, source ids)."""
    for item in str(listed or "").split(";"):
        if item.strip():
            yield item.strip()
