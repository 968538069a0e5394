"""The web catalogue's search page: one page of datasets and the facets beside it."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from catalog.search import FACETS, CatalogueIndex, Matched, SearchQuery
from catalog.store import Package

SORTS = ("relevance", "-modified", "title", "name")
# The facets the pages offer: the catalogue's, and the years a dataset covers.
PAGE_FACETS = (*FACETS, "year")


@dataclass(frozen=True)
class SearchPage:
    count: int
    packages: list[Package]
    facets: dict[str, list[tuple[str, int]]]
    page: int
    pages: int
    matches: dict[str, Matched] = field(default_factory=dict)  # what each dataset holds
    found: Matched = field(default_factory=Matched)  # what the words found in every result


def search_catalogue(
    index: CatalogueIndex,
    q: str,
    filters: dict[str, list[str]],
    years: list[str],
    sort: str,
    page: int,
    size: int,
) -> SearchPage:
    """One page of matching datasets with facet counts; a page past the last shows the last."""
    if sort not in SORTS or (sort == "relevance" and not q.strip()):
        sort = "relevance" if q.strip() else "name"
    chosen = {**filters, "year": years} if years else dict(filters)
    page = max(page, 1)
    query = SearchQuery(
        q=q, filters=chosen, sort=sort, limit=size, offset=(page - 1) * size, facets=PAGE_FACETS
    )
    result = index.search(query)
    pages = max(1, -(-result.count // size))
    if page > pages:
        page = pages
        result = index.search(replace(query, offset=(page - 1) * size))
    everything = index.packages()
    return SearchPage(
        count=result.count,
        packages=[everything[slug] for slug in result.slugs if slug in everything],
        facets=result.facets,
        page=page,
        pages=pages,
        matches=result.matches,
        found=result.found,
    )
