"""What the catalogue index keeps of one published descriptor: its searchable columns.

Also the catalogue's stable ids and the descriptor values the index derives (times as naive
UTC, the years a dataset covers), which the CKAN mapping and the web pages share.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any, TypedDict

import pyarrow as pa

from catalog.search.holdings import Held
from catalog.store import Package, Resource

# The namespace of the catalogue's stable UUIDs (uuid5 of "<kind>:<key>"). Never change it:
# harvesters key their copies on these ids.
ID_NAMESPACE = uuid.UUID("6b1f3c2e-8d4a-5f0b-9c7e-2a4d6e8f0b13")

COLUMNS = (
    "slug VARCHAR PRIMARY KEY, title VARCHAR, title_en VARCHAR, title_text VARCHAR,"
    " keyword_text VARCHAR, text VARCHAR, themes VARCHAR[], keywords VARCHAR[],"
    " formats VARCHAR[], organization VARCHAR, frequency VARCHAR, access_level VARCHAR,"
    " years VARCHAR[], issued VARCHAR, modified VARCHAR, id VARCHAR, version VARCHAR,"
    " licenses VARCHAR[], resource_names VARCHAR[], resource_text VARCHAR,"
    " modified_at TIMESTAMP, created_at TIMESTAMP, held_text VARCHAR, field_text VARCHAR,"
    " all_text VARCHAR, held_regions INTEGER, held_years VARCHAR[], state VARCHAR"
)
# How much a query word found in what a dataset holds (an indicator, a region, a year of its
# rows) weighs against one found in its title or description: more than all of those.
HELD_WEIGHT = 100


# The Arrow type of each DuckDB type `COLUMNS` declares.
ARROW_TYPES = {
    "VARCHAR": pa.string(),
    "VARCHAR[]": pa.list_(pa.string()),
    "TIMESTAMP": pa.timestamp("us"),
    "INTEGER": pa.int32(),
}


def index_table(rows: Sequence[IndexRecord]) -> pa.Table:
    """`rows` as a table of the index's columns, typed as `COLUMNS` declares them."""
    declared = [column.split()[:2] for column in COLUMNS.split(",")]
    schema = pa.schema([(name, ARROW_TYPES[kind]) for name, kind in declared])
    return pa.Table.from_pylist(list(rows), schema=schema)


def catalogue_uuid(kind: str, key: str) -> str:
    """The stable id of a dataset ("dataset", slug), resource, organization, group or tag."""
    return str(uuid.uuid5(ID_NAMESPACE, f"{kind}:{key}"))


def utc_moment(value: Any) -> datetime | None:
    """A descriptor timestamp or date (`2026-01-01T09:00:00Z`, `2026-01-01`) as naive UTC."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    else:
        try:
            moment = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def covered_years(package: Package) -> list[int]:
    """Every year between the package's `temporal` start and end."""
    temporal = package.temporal
    if temporal is None:
        return []
    return _between(_year(temporal.start), _year(temporal.end))


def _between(first: int | None, last: int | None) -> list[int]:
    start, end = first or last, last or first
    if start is None or end is None or end < start:
        return []
    return list(range(start, end + 1))


def _year(value: Any) -> int | None:
    match = re.match(r"\s*(\d{4})", str(value or ""))
    return int(match.group(1)) if match else None


class IndexRecord(TypedDict):
    """One row of the index table: the columns of `COLUMNS`."""

    slug: str
    title: str
    title_en: str
    title_text: str
    keyword_text: str
    text: str
    themes: list[str]
    keywords: list[str]
    formats: list[str]
    organization: str
    frequency: str
    access_level: str
    years: list[str]
    issued: str
    modified: str
    id: str
    version: str
    licenses: list[str]
    resource_names: list[str]
    resource_text: str
    modified_at: datetime | None
    created_at: datetime | None
    held_text: str
    field_text: str
    all_text: str
    held_regions: int
    held_years: list[str]
    state: str  # CKAN's: "active" when published, "draft" for a draft searched by its owner


def entry(package: Package, held: Held | None = None, *, state: str = "active") -> IndexRecord:
    """The searchable columns of one published descriptor (see `COLUMNS`).

    List columns hold each value once (a keyword in both languages is one keyword), so a
    facet counts a dataset once per value, as Solr counts documents. `held`: what its rows
    hold (`catalog.search.holdings`); `all_text` is every word a query may find.
    """
    keywords = [*package.keywords, *package.keywords_en]
    modified_at, created_at = _times(package)
    held = held or Held()
    text = _text(package, keywords)
    resource_text = _resource_text(package.resources)
    organization = package.organization.name if package.organization else ""
    return IndexRecord(
        slug=package.name,
        title=package.title or "",
        title_en=package.title_en or "",
        title_text=f"{package.title or ''} {package.title_en or ''}".lower(),
        keyword_text=" ".join(keywords).lower(),
        text=text,
        themes=list(dict.fromkeys(package.themes)),
        keywords=list(dict.fromkeys(keywords)),
        formats=_formats(package.resources),
        organization=organization,
        frequency=package.frequency or "",
        access_level=package.access_level or "",
        years=[str(year) for year in covered_years(package)],
        issued=_text_of(package.issued),
        modified=package.modified(),
        id=catalogue_uuid("dataset", package.name),
        version=package.version or "",
        licenses=[lic.name or "" for lic in package.licenses],
        resource_names=[r.name for r in package.resources],
        resource_text=resource_text,
        modified_at=modified_at,
        created_at=created_at,
        held_text=held.text,
        field_text=held.field_text,
        all_text=" ".join([text, resource_text, organization, held.field_text, held.text]).lower(),
        held_regions=len(held.regions),
        held_years=[str(year) for year in held.years],
        state=state,
    )


def _text_of(value: object) -> str:
    return "" if value is None else str(value)


def _text(package: Package, keywords: list[str]) -> str:
    """The lowercased text words are looked for in."""
    parts = [
        package.name,
        package.title or "",
        package.title_en or "",
        package.description or "",
        package.description_en or "",
        " ".join(keywords),
    ]
    return " ".join(parts).lower()


def _resource_text(resources: list[Resource]) -> str:
    return " ".join(f"{r.name} {r.title or ''} {r.title_en or ''}" for r in resources).lower()


def _formats(resources: list[Resource]) -> list[str]:
    """Parquet (every resource is published as it) and the formats of the source files."""
    found = {"PARQUET"} | {r.source_file.format.upper() for r in resources if r.source_file}
    return sorted(found)


def _times(package: Package) -> tuple[datetime | None, datetime | None]:
    """(modified, created) as naive UTC: the version's time, and when it first appeared."""
    modified = utc_moment(package.modified())
    issued = utc_moment(package.issued) if package.issued is not None else None
    # first published: the issued date, never after the current version
    created = min(issued, modified) if issued and modified else issued or modified
    return modified, created
