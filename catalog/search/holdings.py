"""What a published version holds, read from its Parquet: the indicators, regions and years
of its rows, with the names the code lists give them.

Rows are never loaded: one `SELECT DISTINCT` per code column (at most `MAX_VALUES` values)
on a private DuckDB connection with one thread and a memory limit (the index opens one for
all the reads of a refresh, and closes it), which reads each file where it lies
(`Store.place`: an object store's by byte ranges, never copied); of a conditional dataset
(有条件开放) none, its holding being what its descriptor says. A column holds indicator
codes when it is `indicator_code` or refers to `indicator-codes`; region codes when it is
`region_code` or refers to `region-codes` (a prefecture or county column too); years when it
is an integer `year`, and the years of a date or datetime column's values. Names come from
the code lists the store serves (`indicator-codes`, `region-codes` with its aliases) and from
the indicators a printed table's layout declares.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb

from catalog.errors import raise_store_failure
from catalog.sql import quote
from catalog.state import CONDITIONAL
from catalog.store import Files, Package, Resource, Store, resource_file

MAX_VALUES = 5000  # distinct codes (or years) read from one column
MAX_NAMES = 100_000  # rows read from one code list
INDICATOR_LIST, REGION_LIST = "indicator-codes", "region-codes"


@dataclass(frozen=True)
class Named:
    """A code with its names; `text` (lowercased) is what a query word is looked for in."""

    code: str
    name_zh: str = ""
    name_en: str = ""
    text: str = ""


@dataclass(frozen=True)
class Holding:
    """The codes one version's rows hold, its own indicator names, and its fields' words."""

    indicators: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    own_names: dict[str, Named] = field(default_factory=dict)
    field_text: str = ""
    measures_text: str = ""  # the fields of a table by region with no indicator column


@dataclass(frozen=True)
class Vocabulary:
    """The code lists' names (indicator and region codes) and the published synonym rows."""

    indicators: dict[str, Named] = field(default_factory=dict)
    regions: dict[str, Named] = field(default_factory=dict)
    synonyms: list[tuple[str, str]] = field(default_factory=list)
    places: list[str] = field(default_factory=list)  # region names and aliases (zh and en)
    definitions: dict[str, tuple[str, str]] = field(default_factory=dict)  # zh, en by code
    parents: dict[str, str] = field(default_factory=dict)  # region code: its parent's code


@dataclass(frozen=True)
class Held:
    """A version's holding with its names resolved: what the index searches and explains."""

    indicators: tuple[Named, ...] = ()
    regions: tuple[Named, ...] = ()
    years: tuple[int, ...] = ()
    field_text: str = ""
    measures_text: str = ""

    @property
    def text(self) -> str:
        """The lowercased words of every indicator, region, year and measure held."""
        named = " ".join(n.text for n in (*self.indicators, *self.regions))
        years = " ".join(str(year) for year in self.years)
        return " ".join(part for part in (named, years, self.measures_text) if part)


@dataclass(frozen=True)
class Names:
    """Every indicator and region the held datasets name, by code."""

    indicators: dict[str, Named] = field(default_factory=dict)
    regions: dict[str, Named] = field(default_factory=dict)

    @classmethod
    def of(cls, held: Iterable[Held]) -> Names:
        indicators: dict[str, Named] = {}
        regions: dict[str, Named] = {}
        for one in held:
            indicators.update((n.code, n) for n in one.indicators if n.name_zh or n.name_en)
            regions.update((n.code, n) for n in one.regions if n.name_zh or n.name_en)
        return cls(indicators, regions)


def lexicon_names(packages: Sequence[Package], held: Iterable[Held]) -> Iterator[str]:
    """The names a query word without spaces is cut by: titles, keywords, field titles, and
    the indicators and regions the rows hold."""
    for package in packages:
        yield from (package.title or "", package.title_en or "", *package.keywords)
        for resource in package.resources:
            fields = resource.table_schema.fields if resource.table_schema else []
            yield from (f.title or "" for f in fields)
    for one in held:
        yield from (n.name_zh for n in (*one.indicators, *one.regions))


def resolve(holding: Holding, vocabulary: Vocabulary) -> Held:
    """`holding` with each code named: the dataset's own dictionary first, then the code list."""
    indicators = tuple(
        holding.own_names.get(code) or vocabulary.indicators.get(code) or Named(code, text=code)
        for code in holding.indicators
    )
    regions = tuple(
        vocabulary.regions.get(code) or Named(code, text=code) for code in holding.regions
    )
    return Held(indicators, regions, holding.years, holding.field_text, holding.measures_text)


def small_connection(files: Files | None = None) -> duckdb.DuckDBPyConnection:
    """A private DuckDB for bounded reads of published files: one thread, a memory limit
    (the catalogue's holdings, the series, the SDMX code lists).

    Given a store's `files` (`Store.files`), it reads that store's places in place (an
    object store's by byte ranges, nothing copied) and nothing else: only under the
    store's roots, external access off, its configuration locked, as the engine's is."""
    con = duckdb.connect(config={"threads": 1, "memory_limit": "256MB"})
    if files is not None:
        files.attach(con)
        con.execute("SET allowed_directories = ?", [list(files.roots)])
        # Order matters: the allowed list cannot change once external access is off.
        con.execute("SET enable_external_access = false")
        con.execute("SET autoinstall_known_extensions = false")
        con.execute("SET lock_configuration = true")
    return con


@contextlib.contextmanager
def reading(
    database: duckdb.DuckDBPyConnection | None, files: Files
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection for bounded reads, closed after: a cursor of `database` (one opened for
    many reads with `files` attached: each database opened costs ~20 ms), else a
    `small_connection` of its own reading `files`."""
    con = database.cursor() if database is not None else small_connection(files)
    try:
        yield con
    finally:
        con.close()


def read_holding(
    store: Store,
    package: Package,
    version: str,
    database: duckdb.DuckDBPyConnection | None = None,
) -> Holding:
    """The indicators, regions and years `version` of `package` holds (bounded reads, on a
    cursor of `database` when given: it must read `store.files()`, as `small_connection`).

    Of a conditional dataset (有条件开放) nothing is read from its rows: its metadata and data
    dictionary are public, its data only granted, and the index is shared by every caller;
    its holding is what its descriptor says (field names, a layout's indicators)."""
    indicators: set[str] = set()
    regions: set[str] = set()
    years: set[int] = set()
    measures: list[str] = []
    with reading(database, store.files()) as con:
        for resource in package.resources:
            if resource.embedded_from is not None or resource.table_schema is None:
                continue  # a copied code list holds no figures
            if not store.has_file(package.name, version, resource_file(resource.name)):
                continue
            path = store.place(package.name, version, resource_file(resource.name))
            columns = _code_columns(package, resource)
            kinds = {kind for _, kind in columns}
            if "region" in kinds and "indicator" not in kinds:
                # A wide table (minimum wages by region): its fields are what it measures.
                measures.append(_fields_text(resource))
            if package.access_level == CONDITIONAL:
                continue  # which codes and years its rows hold is its data
            for column, kind in columns:
                if kind == "date":
                    years.update(_date_years(con, path, column))
                    continue
                found = distinct_values(con, path, column)
                if kind == "year":
                    years.update(int(value) for value in found if value.isdigit())
                else:
                    (indicators if kind == "indicator" else regions).update(found)
    return Holding(
        indicators=tuple(sorted(indicators)),
        regions=tuple(sorted(regions)),
        years=tuple(sorted(years)),
        own_names=_layout_names(package),
        field_text=_field_text(package),
        measures_text=" ".join(measures),
    )


def _code_columns(package: Package, resource: Resource) -> list[tuple[str, str]]:
    """(column, kind) of the columns holding indicator codes, region codes or years."""
    schema = resource.table_schema
    if schema is None:
        return []
    # A published version refers to its embedded copy of a code list, which says its origin.
    origins = {r.name: r.embedded_from.package for r in package.resources if r.embedded_from}
    refers = {
        name: key.reference.package or origins.get(key.reference.resource, "")
        for key in schema.foreignKeys
        for name in (key.fields if isinstance(key.fields, list) else [key.fields])
    }
    found = []
    for table_field in schema.fields:
        name = table_field.name
        if name == "indicator_code" or refers.get(name) == INDICATOR_LIST:
            found.append((name, "indicator"))
        elif name == "region_code" or refers.get(name) == REGION_LIST:
            found.append((name, "region"))
        elif name == "year" and table_field.type in ("integer", "year"):
            found.append((name, "year"))
        elif table_field.type in ("date", "datetime"):
            found.append((name, "date"))
    return found


def _date_years(con: duckdb.DuckDBPyConnection, path: str, column: str) -> list[int]:
    """The years a date column's values fall in (none when the file cannot answer)."""
    return [int(value) for value in _distinct(con, path, column, "year({})", MAX_VALUES)]


def distinct_values(
    con: duckdb.DuckDBPyConnection, path: str, column: str, limit: int = MAX_VALUES
) -> list[str]:
    """Up to `limit` values of `column` as text, sorted; none when the file cannot answer (a
    damaged or foreign file must not stop the catalogue from being searched or served)."""
    return [str(value) for value in _distinct(con, path, column, "CAST({} AS VARCHAR)", limit)]


def _distinct(
    con: duckdb.DuckDBPyConnection, path: str, column: str, form: str, limit: int
) -> list[Any]:
    """Up to `limit` distinct values of `form` of `column` (not null), sorted; none of a
    damaged file, `StoreUnavailable` when the store failed the read (never kept as none)."""
    quoted = quote(column)
    try:
        rows = con.execute(
            f"SELECT DISTINCT {form.format(quoted)} AS v FROM read_parquet(?)"
            f" WHERE {quoted} IS NOT NULL ORDER BY v LIMIT ?",
            [path, limit],
        ).fetchall()
    except duckdb.Error as exc:
        raise_store_failure(exc)
        return []
    return [row[0] for row in rows]


def _layout_names(package: Package) -> dict[str, Named]:
    """The indicators a printed table's layout declares (its data dictionary)."""
    names: dict[str, Named] = {}
    for resource in package.resources:
        layout = resource.layout or (resource.source_file.layout if resource.source_file else None)
        for item in layout.indicators if layout else []:
            text = f"{item.code} {item.name_zh} {item.name_en}".lower()
            names[item.code] = Named(item.code, item.name_zh, item.name_en, text)
    return names


def _field_text(package: Package) -> str:
    """The names, titles and descriptions of the fields of the version's own tables."""
    return " ".join(
        _fields_text(resource)
        for resource in package.resources
        if resource.embedded_from is None and resource.table_schema is not None
    )


def _fields_text(resource: Resource) -> str:
    fields = resource.table_schema.fields if resource.table_schema else []
    words = [" ".join(p for p in (f.name, f.title, f.title_en, f.description) if p) for f in fields]
    return " ".join(words).lower()


def read_vocabulary(
    store: Store,
    versions: dict[str, str | None],
    database: duckdb.DuckDBPyConnection | None = None,
) -> Vocabulary:
    """The names of the code lists the store serves now (empty where it serves none); read
    on a cursor of `database` when given (reading `store.files()`)."""
    with reading(database, store.files()) as con:
        indicators = code_rows(
            con, store, versions, INDICATOR_LIST, "indicators",
            ["code", "name_zh", "name_en", "definition_zh", "definition_en", "theme"],
        )  # fmt: skip
        regions = code_rows(
            con, store, versions, REGION_LIST, "regions", ["code", "name_zh", "name_en"]
        )
        aliases = code_rows(con, store, versions, REGION_LIST, "aliases", ["code", "alias"])
        # Read apart: a region list without parents still names its regions.
        parents = code_rows(con, store, versions, REGION_LIST, "regions", ["code", "parent_code"])
        synonyms = code_rows(con, store, versions, INDICATOR_LIST, "synonyms", ["term", "means"])
    return Vocabulary(
        indicators={row[0]: _named(row) for row in indicators},
        regions=_regions(regions, aliases),
        synonyms=[(row[0], row[1]) for row in synonyms],
        places=[row[1] for row in regions] + [row[1] for row in aliases],
        definitions={row[0]: (row[3], row[4]) for row in indicators},
        parents={code: parent for code, parent in parents if parent},
    )


def _named(row: list[str]) -> Named:
    return Named(row[0], row[1], row[2], " ".join(row).lower())


def _regions(rows: list[list[str]], aliases: list[list[str]]) -> dict[str, Named]:
    others: dict[str, list[str]] = {}
    for code, alias in aliases:
        others.setdefault(code, []).append(alias)
    return {
        row[0]: Named(row[0], row[1], row[2], " ".join([*row, *others.get(row[0], [])]).lower())
        for row in rows
    }


def code_rows(
    con: duckdb.DuckDBPyConnection,  # a `small_connection` reading the store's files
    store: Store,
    versions: dict[str, str | None],
    slug: str,
    resource: str,
    columns: list[str],
) -> list[list[str]]:
    """`columns` of a code list's resource (of `slug` at the version `versions` names) as
    text, '' for null; none when it is not published so (the vocabulary's reader, and SDMX's
    for the copies of the lists that indicator datasets embed)."""
    version = versions.get(slug)
    if not version or not store.has_file(slug, version, resource_file(resource)):
        return []
    path = store.place(slug, version, resource_file(resource))
    try:
        result: list[Any] = con.execute(
            "SELECT "
            + ", ".join(f"coalesce(CAST({quote(c)} AS VARCHAR), '')" for c in columns)
            + " FROM read_parquet(?) LIMIT ?",
            [path, MAX_NAMES],
        ).fetchall()
    except duckdb.Error as exc:  # a code list without those columns names nothing
        raise_store_failure(exc)
        return []
    return [list(row) for row in result]
