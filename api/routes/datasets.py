"""Catalogue endpoints of /api/v1: search, dataset metadata, versions, schemas, reports."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Required

from fastapi import APIRouter, Query, Request
from typing_extensions import TypedDict

from api.deps import IndexDep, SeriesDep, StoreDep
from api.openapi import (
    REFUSED,
    SLUG,
    UNKNOWN,
    VERSION,
    PinnedVersion,
    Resource,
    Responses,
    Slug,
    cached,
    example,
    json_example,
    problem_responses,
    responses,
)
from api.routes.documents import refuse_version_pin
from api.routes.series import SERIES_FOUND, SeriesSummary, series_summary
from catalog.errors import NotFound
from catalog.search import FACETS, HeldCode, Matched, SearchQuery
from catalog.state import data_level, require_data
from catalog.store import Document, Package, TableSchema
from validation import ReportDocument

router = APIRouter(prefix="/api/v1", tags=["catalogue"])

Version = Annotated[str | None, Query(openapi_examples=example(VERSION))]
# What the routes about one dataset may answer besides their own 200.
ONE_DATASET = responses(cached(200), problem_responses(*REFUSED, *UNKNOWN))
# A descriptor and its Table Schemas are served exactly as the
# publisher wrote them, not through a response model (which would reorder keys and add the
# defaults): `response_model=None`, and the model that read them documents their shape.
DESCRIPTOR: Responses = {200: {"model": Package}}
TABLE_SCHEMA: Responses = {200: {"model": TableSchema}}


SUMMARY_KEYS = (
    "name",
    "title",
    "title_en",
    "description",
    "description_en",
    "keywords",
    "keywords_en",
    "themes",
    "organization",
    "frequency",
    "access_level",
    "access_conditions",
    "access_conditions_en",
    "temporal",
    "spatial",
    "issued",
    "version",
)


# The response models below are TypedDicts from `typing_extensions` (pydantic reads only
# those on Python 3.11). FastAPI validates an answer against them and writes the keys in
# their order, dropping any other: the routes build their answers in that order.


class ResourceSummary(TypedDict):
    name: str
    title: str | None
    title_en: str | None
    rows: int | None


# A value YAML gave the descriptor typed (`2020`, `true`), served as published.
Written = str | int | float | bool | None
# An object of the descriptor (`organization`, `temporal`) served as published, its keys in
# the order written: a TypedDict would reorder them. `Package` documents its shape.
WrittenObject = Mapping[str, object]


class MatchedCode(TypedDict):
    """An indicator or region code a dataset's rows hold that the query's words found."""

    code: str
    name_zh: str
    name_en: str


class DatasetSummary(TypedDict, total=False):
    """A search result: the properties of `SUMMARY_KEYS` the descriptor has, in that order,
    as published; when the version was published (null if unknown); its resources."""

    name: Required[str]
    title: str | None
    title_en: str | None
    description: str | None
    description_en: str | None
    keywords: list[str]
    keywords_en: list[str]
    themes: list[str]
    organization: WrittenObject | None
    frequency: str | None
    access_level: str | None
    access_conditions: str | None
    access_conditions_en: str | None
    temporal: WrittenObject | None
    spatial: list[str]
    issued: Written
    version: str | None
    modified: Required[str | None]
    resources: Required[list[ResourceSummary]]
    # with words in `q`: the indicators and regions of the rows that they found
    matched_indicators: list[MatchedCode]
    matched_regions: list[MatchedCode]


def summary(package: Package) -> DatasetSummary:
    """What a search result shows of a dataset: its top-level properties as published, the
    time it was last modified (null when it never was) and its resources."""
    found = package.properties(SUMMARY_KEYS)
    found["modified"] = package.modified() or None
    found["resources"] = [
        ResourceSummary(name=r.name, title=r.title, title_en=r.title_en, rows=r.rows)
        for r in package.resources
    ]
    # The keys are SUMMARY_KEYS' and the values the model checked when it read the document.
    return found  # type: ignore[return-value]


def matched(found: DatasetSummary, matches: Matched | None) -> DatasetSummary:
    """`found` with the indicators and regions a query's words found in its rows."""
    if matches is not None:
        found["matched_indicators"] = [_code(c) for c in matches.indicators]
        found["matched_regions"] = [_code(c) for c in matches.regions]
    return found


def _code(code: HeldCode) -> MatchedCode:
    return MatchedCode(code=code.code, name_zh=code.name_zh, name_en=code.name_en)


class FacetCount(TypedDict):
    name: str
    count: int


class SearchAnswer(TypedDict, total=False):
    count: Required[int]
    limit: Required[int]
    offset: Required[int]
    results: Required[list[DatasetSummary]]
    facets: Required[dict[str, list[FacetCount]]]
    # with words in `q`: the series of the indicators and regions they found, latest figure
    series: list[SeriesSummary]


@router.get(
    "/datasets",
    summary="Search the catalogue",
    responses=responses(
        json_example(
            {
                "count": 1,
                "limit": 20,
                "offset": 0,
                "results": [{"name": SLUG, "title": "贵州省最低工资标准", "version": VERSION}],
                "facets": {"theme": [{"name": "wages", "count": 1}]},
            }
        ),
        cached(200),
        problem_responses(*REFUSED),
    ),
)
def search_datasets(
    index: IndexDep,
    series: SeriesDep,
    request: Request,
    q: Annotated[
        str,
        Query(
            description="Words to find in zh or en titles, descriptions, keywords, and in the"
            " indicators, regions and years the rows hold; synonyms (社保, 医保) count.",
            openapi_examples=example("最低工资"),
        ),
    ] = "",
    sort: Annotated[
        str,
        Query(
            description="relevance, name, title, title_en, modified, -modified, -issued.",
            openapi_examples=example("-modified"),
        ),
    ] = "",
    limit: Annotated[int, Query(ge=0, le=1000, openapi_examples=example(100))] = 20,
    offset: Annotated[int, Query(ge=0, openapi_examples=example(0))] = 0,
) -> SearchAnswer:
    """Full-text search (Chinese needs no spaces) with facets; repeat a facet to combine values:
    `?theme=social-insurance&frequency=annual`."""
    filters: dict[str, list[str]] = {}
    for name in FACETS:
        values = request.query_params.getlist(name)
        if values:
            filters[name] = values
    result = index.search(SearchQuery(q=q, filters=filters, sort=sort, limit=limit, offset=offset))
    packages = index.packages()
    answer = SearchAnswer(
        count=result.count,
        limit=limit,
        offset=offset,
        results=[
            matched(summary(packages[slug]), result.matches.get(slug))
            for slug in result.slugs
            if slug in packages  # withdrawn between the search and this read
        ],
        facets={
            name: [FacetCount(name=value, count=count) for value, count in values]
            for name, values in result.facets.items()
        },
    )
    if q.strip():
        found = series.found_by(result.found, SERIES_FOUND)
        answer["series"] = [series_summary(one) for one in found]
    return answer


@router.get(
    "/datasets/{slug}",
    summary="One dataset: metadata, resources, schema, provenance",
    description="The published descriptor (Data Package v2 with our catalogue properties) of "
    "the current version (or of `version=`): metadata, resources with their Table Schemas, "
    "sources, build provenance.",
    responses=responses(
        json_example({"name": SLUG, "title": "贵州省最低工资标准", "version": VERSION}),
        DESCRIPTOR,
        ONE_DATASET,
    ),
    response_model=None,
)
def show_dataset(slug: Slug, store: StoreDep, version: Version = None) -> Document:
    # `version=` pins the answer (and the caching makes it immutable): it must be applied.
    return store.descriptor(slug, version)


class PublishedVersion(TypedDict):
    version: str
    published: str
    input_sha256: str
    current: bool
    withdrawn: bool
    warnings: int  # rows flagged by warning checks; `validation` of the version locates them


class VersionList(TypedDict):
    dataset: str
    current: str | None  # null when no version is served
    versions: list[PublishedVersion]


@router.get(
    "/datasets/{slug}/versions",
    summary="Every published version, oldest first",
    description="Every published version with its publish time and input digest; `current` "
    "marks the served one; `warnings` counts the rows its warning checks flagged.",
    responses=responses(
        json_example(
            {
                "dataset": SLUG,
                "current": VERSION,
                "versions": [{"version": VERSION, "published": "2026-01-01T09:00:00.000000Z"}],
            }
        ),
        ONE_DATASET,
    ),
)
def list_versions(slug: Slug, store: StoreDep, request: Request) -> VersionList:
    refuse_version_pin(request, "the list always names every version")
    history = store.versions(slug)
    return VersionList(
        dataset=slug,
        current=store.current(slug),
        versions=[
            PublishedVersion(
                version=v.version,
                published=v.published,
                input_sha256=v.input_sha256,
                current=v.current,
                # A withdrawn version's data answers 410; it stays listed for provenance.
                withdrawn=v.withdrawn,
                warnings=v.warnings,
            )
            for v in history
        ],
    )


@router.get(
    "/datasets/{slug}/versions/{version}",
    summary="The descriptor of one version",
    description="The published descriptor of one version; versions are immutable, so the "
    "answer may be cached for a year.",
    responses=responses(json_example({"name": SLUG, "version": VERSION}), DESCRIPTOR, ONE_DATASET),
    response_model=None,
)
def show_version(slug: Slug, version: PinnedVersion, store: StoreDep, request: Request) -> Document:
    refuse_version_pin(request, "the path names the version")
    return store.descriptor(slug, version)


@router.get(
    "/datasets/{slug}/resources/{resource}/schema",
    summary="A resource's Table Schema",
    description="The Table Schema of a resource: fields with types, units, constraints and keys.",
    responses=responses(
        json_example(
            {"fields": [{"name": "region_code", "type": "string"}], "primaryKey": ["region_code"]}
        ),
        TABLE_SCHEMA,
        ONE_DATASET,
    ),
    response_model=None,
)
def show_schema(
    slug: Slug, resource: Resource, store: StoreDep, version: Version = None
) -> Document:
    """The part of the descriptor that is the resource's Table Schema, as published."""
    for described in store.descriptor(slug, version).get("resources", []):
        if described["name"] == resource:
            schema: Document = described["schema"]
            return schema
    raise NotFound(f"dataset {slug!r} has no resource {resource!r}")


@router.get(
    "/datasets/{slug}/validation",
    summary="The validation report of the served version",
    description="The Frictionless-format validation report of the served version (or of "
    "`version=`).",
    responses=responses(
        json_example({"valid": True, "stats": {"errors": 0}, "tasks": []}), ONE_DATASET
    ),
    # Served as stored, not re-validated against `ReportDocument`: that would drop the keys
    # and change the key order of a report an earlier version wrote.
    response_model=dict[str, Any],
)
def show_validation(slug: Slug, store: StoreDep, version: Version = None) -> ReportDocument:
    # A report quotes cells (a warning's `found`): a conditional dataset's is data.
    chosen = store.served_version(slug, version)
    require_data(slug, data_level(store, slug, chosen))
    return store.report(slug, chosen)
