"""Catalogue endpoints of /api/v1: search, dataset metadata, versions, schemas, reports."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from api.deps import IndexDep, StoreDep
from catalog.errors import NotFound
from catalog.search import FACETS, SearchQuery

router = APIRouter(prefix="/api/v1", tags=["catalogue"])


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


def summary(descriptor: dict[str, Any]) -> dict[str, Any]:
    found = {key: descriptor[key] for key in SUMMARY_KEYS if key in descriptor}
    found["modified"] = descriptor.get("build", {}).get("published")
    found["resources"] = [
        {
            "name": r["name"],
            "title": r.get("title"),
            "title_en": r.get("title_en"),
            "rows": r["rows"],
        }
        for r in descriptor.get("resources", [])
    ]
    return found


@router.get("/datasets", summary="Search the catalogue")
def search_datasets(
    index: IndexDep,
    request: Request,
    q: Annotated[
        str, Query(description="Words to find in zh or en titles, descriptions, keywords.")
    ] = "",
    sort: Annotated[
        str, Query(description="relevance, name, title, title_en, modified, -modified, -issued.")
    ] = "",
    limit: Annotated[int, Query(ge=0, le=1000)] = 20,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    """Full-text search (Chinese needs no spaces) with facets; repeat a facet to combine values:
    `?theme=social-insurance&frequency=annual`."""
    filters: dict[str, list[str]] = {}
    for name in FACETS:
        values = request.query_params.getlist(name)
        if values:
            filters[name] = values
    result = index.search(SearchQuery(q=q, filters=filters, sort=sort, limit=limit, offset=offset))
    descriptors = index.descriptors()
    return {
        "count": result.count,
        "limit": limit,
        "offset": offset,
        "results": [summary(descriptors[slug]) for slug in result.slugs],
        "facets": {
            name: [{"name": value, "count": count} for value, count in values]
            for name, values in result.facets.items()
        },
    }


@router.get("/datasets/{slug}", summary="One dataset: metadata, resources, schema, provenance")
def show_dataset(slug: str, store: StoreDep) -> dict[str, Any]:
    return store.descriptor(slug)


@router.get("/datasets/{slug}/versions", summary="Every published version, oldest first")
def list_versions(slug: str, store: StoreDep) -> dict[str, Any]:
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


@router.get("/datasets/{slug}/versions/{version}", summary="The descriptor of one version")
def show_version(slug: str, version: str, store: StoreDep) -> dict[str, Any]:
    return store.descriptor(slug, version)


@router.get("/datasets/{slug}/resources/{resource}/schema", summary="A resource's Table Schema")
def show_schema(
    slug: str, resource: str, store: StoreDep, version: str | None = None
) -> dict[str, Any]:
    for described in store.descriptor(slug, version).get("resources", []):
        if described["name"] == resource:
            schema: dict[str, Any] = described["schema"]
            return schema
    raise NotFound(f"dataset {slug!r} has no resource {resource!r}")


@router.get("/datasets/{slug}/validation", summary="The validation report of the served version")
def show_validation(slug: str, store: StoreDep, version: str | None = None) -> dict[str, Any]:
    return store.report(slug, version)
