"""Catalogue endpoints of /api/v1: search, dataset metadata, versions, schemas, reports."""

from __future__ import annotations

from typing import Annotated, Any, TypedDict

from fastapi import APIRouter, Query, Request

from api.deps import IndexDep, StoreDep
from api.openapi import (
    REFUSED,
    SLUG,
    UNKNOWN,
    VERSION,
    PinnedVersion,
    Resource,
    Slug,
    cached,
    example,
    json_example,
    problem_responses,
    responses,
)
from catalog.errors import NotFound
from catalog.search import FACETS, SearchQuery
from catalog.store import Package, ReportDocument

router = APIRouter(prefix="/api/v1", tags=["catalogue"])

Version = Annotated[str | None, Query(openapi_examples=example(VERSION))]
# What the routes about one dataset may answer besides their own 200.
ONE_DATASET = responses(cached(200), problem_responses(*REFUSED, *UNKNOWN))


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
    "temporal",
    "spatial",
    "issued",
    "version",
)


class ResourceSummary(TypedDict):
    name: str
    title: str | None
    title_en: str | None
    rows: int | None


def summary(package: Package) -> dict[str, object]:
    """What a search result shows of a dataset: its top-level properties as published, the
    time it was last modified (null when it never was) and its resources."""
    found = package.properties(SUMMARY_KEYS)
    found["modified"] = package.modified() or None
    found["resources"] = [
        ResourceSummary(name=r.name, title=r.title, title_en=r.title_en, rows=r.rows)
        for r in package.resources
    ]
    return found


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
    request: Request,
    q: Annotated[
        str,
        Query(
            description="Words to find in zh or en titles, descriptions, keywords.",
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
) -> dict[str, Any]:
    """Full-text search (Chinese needs no spaces) with facets; repeat a facet to combine values:
    `?theme=social-insurance&frequency=annual`."""
    filters: dict[str, list[str]] = {}
    for name in FACETS:
        values = request.query_params.getlist(name)
        if values:
            filters[name] = values
    result = index.search(SearchQuery(q=q, filters=filters, sort=sort, limit=limit, offset=offset))
    packages = index.packages()
    return {
        "count": result.count,
        "limit": limit,
        "offset": offset,
        "results": [summary(packages[slug]) for slug in result.slugs],
        "facets": {
            name: [{"name": value, "count": count} for value, count in values]
            for name, values in result.facets.items()
        },
    }


@router.get(
    "/datasets/{slug}",
    summary="One dataset: metadata, resources, schema, provenance",
    description="The published descriptor (Data Package v2 with our catalogue properties) of "
    "the current version: metadata, resources with their Table Schemas, sources, build "
    "provenance.",
    responses=responses(
        json_example({"name": SLUG, "title": "贵州省最低工资标准", "version": VERSION}),
        ONE_DATASET,
    ),
)
def show_dataset(slug: Slug, store: StoreDep) -> dict[str, Any]:
    return store.descriptor(slug)


@router.get(
    "/datasets/{slug}/versions",
    summary="Every published version, oldest first",
    description="Every published version with its publish time and input digest; `current` "
    "marks the served one.",
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
def list_versions(slug: Slug, store: StoreDep) -> dict[str, Any]:
    history = store.versions(slug)
    return {
        "dataset": slug,
        "current": store.current(slug),
        "versions": [
            {
                "version": v.version,
                "published": v.published,
                "input_sha256": v.input_sha256,
                "current": v.current,
                # A withdrawn version's data answers 410; it stays listed for provenance.
                "withdrawn": v.withdrawn,
            }
            for v in history
        ],
    }


@router.get(
    "/datasets/{slug}/versions/{version}",
    summary="The descriptor of one version",
    description="The published descriptor of one version; versions are immutable, so the "
    "answer may be cached for a year.",
    responses=responses(json_example({"name": SLUG, "version": VERSION}), ONE_DATASET),
)
def show_version(slug: Slug, version: PinnedVersion, store: StoreDep) -> dict[str, Any]:
    return store.descriptor(slug, version)


@router.get(
    "/datasets/{slug}/resources/{resource}/schema",
    summary="A resource's Table Schema",
    description="The Table Schema of a resource: fields with types, units, constraints and keys.",
    responses=responses(
        json_example(
            {"fields": [{"name": "region_code", "type": "string"}], "primaryKey": ["region_code"]}
        ),
        ONE_DATASET,
    ),
)
def show_schema(
    slug: Slug, resource: Resource, store: StoreDep, version: Version = None
) -> dict[str, Any]:
    for described in store.descriptor(slug, version).get("resources", []):
        if described["name"] == resource:
            schema: dict[str, Any] = described["schema"]
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
    return store.report(slug, version)
