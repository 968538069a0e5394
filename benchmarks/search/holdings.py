"""What the published data holds, read from a store: the facts the query set's answers come from.

A dataset "holds a figure" when one of its own resources has a `value` column (the reference
lists `indicator-codes`, `region-codes` and `hrss-sources` hold none, and neither do the copies
of them embedded in other datasets). For each such dataset: the indicator codes in its rows,
the region codes its rows cover, and, for a figure table with no indicator column (the minimum
wage tables), the words that name its one measure (the resource's and the value field's titles).
An indicator is named by `indicator-codes` (zh/en names and definitions) or, for one a printed
table defines itself, by its descriptor's data dictionary (`layout.indicators`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import pyarrow.parquet as pq

from catalog.store import Resource, Store, resource_file

INDICATORS = ("indicator-codes", "indicators")
REGIONS = ("region-codes", "regions")
ALIASES = ("region-codes", "aliases")
INDICATOR_TEXTS = ("name_zh", "name_en", "definition_zh", "definition_en")
# The columns that name a region a row speaks about; the embedded region list uses `code`.
REGION_COLUMNS = ("region_code", "prefecture_code", "county_code")


@dataclass(frozen=True)
class KnownRegion:
    code: str
    names: tuple[str, ...]  # name_zh, name_en and every alias
    parent: str


@dataclass
class HeldFigures:
    """What one dataset's rows hold, read independently of the search index (the oracle the
    benchmark scores the index against must not share its code)."""

    indicators: set[str] = field(default_factory=set)
    regions: set[str] = field(default_factory=set)
    measure_texts: list[str] = field(default_factory=list)


@dataclass
class Holdings:
    indicator_texts: dict[str, list[str]]  # code: zh/en names and definitions
    regions: dict[str, KnownRegion]
    datasets: dict[str, HeldFigures]


def read_holdings(store: Store) -> Holdings:
    """Everything the query set's answers are derived from, from the current versions."""
    datasets: dict[str, HeldFigures] = {}
    texts = _indicator_texts(store)
    for slug in store.slugs():
        holding = _holding(store, slug)
        if holding is not None:
            datasets[slug] = holding
        for code, names in _declared_indicators(store.package(slug).resources):
            texts.setdefault(code, []).extend(names)
    return Holdings(texts, _regions(store), datasets)


def _rows(store: Store, slug: str, resource: str) -> list[dict[str, object]]:
    version = store.served_version(slug)
    path = store.local_path(slug, version, resource_file(resource))
    return pq.read_table(path).to_pylist()


def _distinct(store: Store, slug: str, resource: str, columns: Iterable[str]) -> set[str]:
    path = store.local_path(slug, store.served_version(slug), resource_file(resource))
    present = [c for c in columns if c in pq.read_schema(path).names]
    table = pq.read_table(path, columns=present)
    return {str(v) for c in present for v in table.column(c).unique().to_pylist() if v}


def _indicator_texts(store: Store) -> dict[str, list[str]]:
    rows = _rows(store, *INDICATORS)
    return {str(r["code"]): [str(r[t]) for t in INDICATOR_TEXTS if r.get(t)] for r in rows}


def _declared_indicators(resources: Iterable[Resource]) -> Iterator[tuple[str, list[str]]]:
    """The indicators a dataset's printed tables define in its descriptor, with their names."""
    for resource in resources:
        layout = resource.layout or (resource.source_file and resource.source_file.layout)
        for indicator in layout.indicators if layout else []:
            yield indicator.code, [indicator.name_zh, indicator.name_en]


def _regions(store: Store) -> dict[str, KnownRegion]:
    aliases: dict[str, list[str]] = {}
    for row in _rows(store, *ALIASES):
        aliases.setdefault(str(row["code"]), []).append(str(row["alias"]))
    regions = {}
    for row in _rows(store, *REGIONS):
        code = str(row["code"])
        names = (str(row["name_zh"]), str(row["name_en"]), *aliases.get(code, []))
        regions[code] = KnownRegion(code, names, str(row["parent_code"] or ""))
    return regions


def _holding(store: Store, slug: str) -> HeldFigures | None:
    """What one dataset's own resources hold; None when none of them holds a figure."""
    package, version = store.package(slug), store.served_version(slug)
    own = [r for r in package.resources if r.embedded_from is None]
    holding, figures = HeldFigures(), False
    for resource in own:
        path = store.local_path(slug, version, resource_file(resource.name))
        names = pq.read_schema(path).names
        holding.regions |= _distinct(store, slug, resource.name, REGION_COLUMNS)
        if "value" not in names:
            continue
        figures = True
        if "indicator_code" in names:
            holding.indicators |= _distinct(store, slug, resource.name, ["indicator_code"])
        else:
            holding.measure_texts += _measure_texts(resource)
    return holding if figures else None


def _measure_texts(resource: Resource) -> list[str]:
    """The words naming the one measure of a figure table that has no indicator column."""
    value = resource.table_schema.field("value") if resource.table_schema else None
    texts = [resource.title, resource.title_en]
    if value is not None:
        texts += [value.title, value.title_en, value.description, value.description_en]
    return [t for t in texts if t]
