"""Which published datasets are indicator datasets, and the SDMX structures they make.

An indicator dataset is decided by its schema, never by a list of names: its current version
has a resource `observations` that is an indicator table as `catalog.series` defines one (its
own, not an embedded copy, with every field of `FIGURE_COLUMNS`). Each becomes one
dataflow and one data structure definition (DSD), both with the dataset's slug as id (SDMX
keeps them apart by class): the dimensions INDICATOR, REGION and PERIOD_TYPE, the time
dimension TIME_PERIOD, the measure OBS_VALUE, and one attribute per `ATTRIBUTES` column the
dataset has. The dataflow's annotation `PUBLISHED_VERSION` names the dataset's version served.

Each structure's version is derived from its content (`content_version`): a publish that
changes a code list gives the list a new version, and with it the DSDs that use it and their
dataflows; a publish that changes nothing they hold keeps every version. Only the versions
made from what the store serves now exist (`latest` is that one); an older one is no result.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import astuple, dataclass, replace
from datetime import UTC, datetime

import duckdb

from catalog.errors import OpenDataError
from catalog.sdmx.codelists import (
    INDICATOR_COLUMNS,
    REGION_COLUMNS,
    UNIT_LIST,
    Codelist,
    indicator_list,
    period_type_list,
    region_list,
    unit_list,
)
from catalog.search import (
    INDICATOR_LIST,
    REGION_LIST,
    code_rows,
    distinct_values,
    read_vocabulary,
    small_connection,
)
from catalog.series import FIGURE_COLUMNS
from catalog.store import OneAtATime, Package, Store, resource_file

OBSERVATIONS = "observations"
CONCEPT_SCHEME = "CS_HRSS"
CONCEPT_SCHEME_NAMES = ("人力资源和社会保障统计概念", "HRSS statistical concepts")
MAX_UNITS = 1000  # distinct units read from one dataset
# Each dataset the store serves, with its current version (None when withdrawn).
Served = tuple[tuple[str, str | None], ...]


@dataclass(frozen=True)
class Attribute:
    """An attribute (its concept id) filled from a column, coded or free text."""

    id: str
    column: str
    codelist: str = ""
    mandatory: bool = False


# (concept id, column, code list, mandatory): in the order a DSD lists them.
ATTRIBUTES = (
    Attribute("UNIT_MEASURE", "unit", "CL_UNIT", mandatory=True),
    Attribute("PERIOD_AS_PUBLISHED", "period", mandatory=True),
    Attribute("VALUE_AS_PRINTED", "value_as_printed"),
    Attribute("UNIT_AS_PRINTED", "unit_as_printed"),
    Attribute("QUALIFIER", "qualifier"),
    Attribute("SOURCE_ID", "source_id"),
    Attribute("FLAGS", "flags"),
    Attribute("NOTE", "note"),
)
# concept id: (name_zh, name_en)
CONCEPTS: dict[str, tuple[str, str]] = {
    "INDICATOR": ("指标", "Indicator"),
    "REGION": ("地区", "Region"),
    "PERIOD_TYPE": ("时期类型", "Period type"),
    "TIME_PERIOD": ("时期", "Time period"),
    "OBS_VALUE": ("数值", "Observation value"),
    "UNIT_MEASURE": ("计量单位", "Unit of measure"),
    "PERIOD_AS_PUBLISHED": ("发布的时期", "Period as published"),
    "VALUE_AS_PRINTED": ("原文数值", "Value as printed"),
    "UNIT_AS_PRINTED": ("原文单位", "Unit as printed"),
    "QUALIFIER": ("限定词", "Qualifier (approximate, at least, ...)"),
    "SOURCE_ID": ("来源编号", "Source id"),
    "FLAGS": ("标记", "Flags"),
    "NOTE": ("说明", "Note"),
}
# dimension id: (column, code list)
LISTS_USED = ("CL_INDICATOR", "CL_REGION", "CL_PERIOD_TYPE")
DIMENSION_COLUMNS = {
    "INDICATOR": ("indicator_code", "CL_INDICATOR"),
    "REGION": ("region_code", "CL_REGION"),
    "PERIOD_TYPE": ("period_type", "CL_PERIOD_TYPE"),
}


@dataclass(frozen=True)
class Flow:
    """One indicator dataset as a dataflow: what its DSD holds and where its rows are."""

    id: str
    name_zh: str
    name_en: str
    version: str
    attributes: tuple[Attribute, ...]
    columns: frozenset[str]
    decimals_field: str | None = None  # the column of each value's printed decimals
    published: datetime = datetime(1970, 1, 1, tzinfo=UTC)  # when `version` was published
    structure_version: str = ""  # of its DSD (`content_version`)
    flow_version: str = ""  # of the dataflow
    access_level: str | None = None  # `conditional`: its data under a grant only


@dataclass(frozen=True)
class Structures:
    flows: dict[str, Flow]
    codelists: dict[str, Codelist]
    concepts_version: str
    prepared: datetime  # the latest publish among the versions read: messages' `Prepared`
    made_of: tuple[tuple[str, str | None], ...] = ()  # (slug, version) of what was read

    def flow(self, identifier: str) -> Flow | None:
        return self.flows.get(identifier)

    def codelist_version(self, identifier: str) -> str:
        found = self.codelists.get(identifier)
        return found.version if found else ""


def content_version(*content: object) -> str:
    """A valid SDMX 2.1 version (`1.NNNNNNNNN`, two parts as SDMX 2.1 writes them) derived
    from `content`: equal content gives the same version on every server, other content
    another (collisions are one in 9e8). Versions so made name content; they are not ordered."""
    text = json.dumps(content, ensure_ascii=False, default=str, sort_keys=True)
    number = int(hashlib.sha256(text.encode()).hexdigest()[:15], 16) % 900_000_000
    return f"1.{100_000_000 + number}"


def indicator_package(package: Package) -> bool:
    """Whether the dataset's `observations` is an indicator table (the series' definition:
    the SDMX dataflows and the series are made of the same tables)."""
    return any(
        resource.name == OBSERVATIONS
        and resource.embedded_from is None
        and resource.table_schema is not None
        and {f.name for f in resource.table_schema.fields} >= set(FIGURE_COLUMNS)
        for resource in package.resources
    )


def observation_columns(package: Package) -> frozenset[str]:
    for resource in package.resources:
        if resource.name == OBSERVATIONS and resource.table_schema is not None:
            return frozenset(f.name for f in resource.table_schema.fields)
    return frozenset()


class StructureCache:
    """The structures of what the store serves now, rebuilt when a current version changes."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._building = OneAtATime()
        self._built: tuple[Served, Structures] | None = None

    def structures(self) -> Structures:
        served = tuple((slug, self._store.current(slug)) for slug in self._store.slugs())
        built = self._built
        if built is None or built[0] != served:
            built = self._building(lambda: self._build(served))
        return built[1]

    def _build(self, served: Served) -> tuple[Served, Structures]:
        built = self._built
        if built is None or built[0] != served:  # else built while this caller waited
            built = self._built = (served, build_structures(self._store, served))
        return built


def build_structures(store: Store, served: Served) -> Structures:
    packages: list[tuple[Package, str]] = []
    for slug, version in served:
        if version is None:
            continue
        try:
            package = store.package(slug, version)
        except OpenDataError:
            continue  # withdrawn or unreadable since it was listed: not served
        if indicator_package(package) and store.has_file(
            slug, version, resource_file(OBSERVATIONS)
        ):
            packages.append((package, version))
    flows = {package.name: _flow(store, package, version) for package, version in packages}
    codelists = _codelists(store, dict(served), packages)
    return _versioned(store, served, flows, codelists)


def _versioned(
    store: Store, served: tuple[tuple[str, str | None], ...], flows: dict[str, Flow],
    codelists: dict[str, Codelist],
) -> Structures:  # fmt: skip
    """The structures with their versions: each code list's from its codes, the concept
    scheme's from its concepts, each DSD's from its components and the versions of what it
    refers to, each dataflow's from its names, published version and DSD version."""
    lists = {i: replace(c, version=content_version(astuple(c))) for i, c in codelists.items()}
    concepts = content_version(CONCEPT_SCHEME, CONCEPT_SCHEME_NAMES, CONCEPTS)
    used = {i: lists[i].version for i in (*LISTS_USED, UNIT_LIST) if i in lists}
    versioned = {}
    for identifier, flow in flows.items():
        dsd = content_version(flow.id, flow.name_zh, flow.name_en, flow.attributes, used, concepts)
        published = (flow.id, flow.name_zh, flow.name_en, flow.version, dsd)
        versioned[identifier] = replace(
            flow, structure_version=dsd, flow_version=content_version(*published)
        )
    read: dict[str, str | None] = {f.id: f.version for f in flows.values()}
    read |= {slug: version for slug, version in served if slug in (INDICATOR_LIST, REGION_LIST)}
    moments = [f.published for f in flows.values()]
    moments += [_published(store, s, v) for s, v in read.items() if s not in flows and v]
    prepared = max(moments, default=datetime(1970, 1, 1, tzinfo=UTC))
    return Structures(versioned, lists, concepts, prepared, tuple(sorted(read.items())))


def _published(store: Store, slug: str, version: str) -> datetime:
    try:
        return store.published_at(slug, version)
    except (OpenDataError, OSError, ValueError):
        return datetime(1970, 1, 1, tzinfo=UTC)


def _flow(store: Store, package: Package, version: str) -> Flow:
    columns = observation_columns(package)
    attributes = tuple(a for a in ATTRIBUTES if a.column in columns)
    title = package.title or package.name
    decimals = next(
        (
            f.decimalsField
            for r in package.resources
            if r.name == OBSERVATIONS and r.table_schema is not None
            for f in r.table_schema.fields
            if f.name == "value" and f.decimalsField in columns
        ),
        None,
    )
    name_en = package.title_en or title
    published = _published(store, package.name, version)
    return Flow(
        package.name, title, name_en, version, attributes, columns, decimals, published,
        access_level=package.access_level,
    )  # fmt: skip


def _codelists(
    store: Store, served: dict[str, str | None], packages: list[tuple[Package, str]]
) -> dict[str, Codelist]:
    vocabulary = read_vocabulary(store, served)
    indicator_copies, region_copies = _copies(packages)
    units: set[str] = set()
    types: set[str] = set()
    con = small_connection(store.files())  # the store's Parquet read in place, nothing else
    try:
        indicators = _read(con, store, indicator_copies, INDICATOR_COLUMNS)
        regions = _read(con, store, region_copies, REGION_COLUMNS)
        for package, version in packages:
            units |= _distinct(con, store, package.name, version, "unit")
            types |= _distinct(con, store, package.name, version, "period_type")
            types |= set(_enum(package, "period_type"))
    finally:
        con.close()
    lists = [
        indicator_list(vocabulary, indicators, [p for p, _ in packages]),
        region_list(vocabulary, regions),
        period_type_list(types),
        unit_list(units),
    ]
    return {codelist.id: codelist for codelist in lists}


def _copies(
    packages: list[tuple[Package, str]],
) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str]]]:
    """Where the indicator datasets embed copies of the code lists: (slug, version, resource)."""
    indicators, regions = [], []
    for package, version in packages:
        for resource in package.resources:
            origin = resource.embedded_from
            if origin is not None and origin.package == INDICATOR_LIST:
                indicators.append((package.name, version, resource.name))
            elif origin is not None and origin.package == REGION_LIST:
                regions.append((package.name, version, resource.name))
    return indicators, regions


def _read(
    con: duckdb.DuckDBPyConnection, store: Store, places: list[tuple[str, str, str]],
    columns: list[str],
) -> list[list[str]]:  # fmt: skip
    rows: list[list[str]] = []
    for slug, version, resource in places:
        rows += code_rows(con, store, {slug: version}, slug, resource, columns)
    return rows


def _distinct(
    con: duckdb.DuckDBPyConnection, store: Store, slug: str, version: str, column: str
) -> set[str]:
    path = store.place(slug, version, resource_file(OBSERVATIONS))
    return set(distinct_values(con, path, column, MAX_UNITS))


def _enum(package: Package, column: str) -> list[str]:
    for resource in package.resources:
        if resource.name != OBSERVATIONS or resource.table_schema is None:
            continue
        for table_field in resource.table_schema.fields:
            enum = table_field.constraints.enum if table_field.constraints else None
            if table_field.name == column and enum:
                return [str(value) for value in enum]
    return []
