"""The datasets of a DCAT catalogue page, found as ckanext-dcat finds them: by package_search.

ckanext-dcat 2.4 (`logic._search_ckan_datasets`) hands the catalogue's `q` and `fq` to
package_search with `sort=metadata_modified desc`, `rows` the page size, `start` the page's
first dataset, and `modified_since` as `fq_list` `metadata_modified:[<since> TO NOW]`. The
`/catalog.*` routes and the `dcat_catalog_*` actions select through `catalogue_search`, so a
`q` or `fq` finds in DCAT exactly what it finds in package_search: the same fields, parser,
results and order (ties by name). `catalog.metadata` cannot import this package; the API
hands the function to it (`catalog.metadata.CatalogueSelect`).
"""

from __future__ import annotations

from datetime import UTC, datetime

from catalog.ckan.actions.search import SearchParams, selection
from catalog.errors import InvalidParameter, SearchSyntaxError
from catalog.metadata import CatalogueSearch
from catalog.search import CatalogueIndex, SearchResult

# ckanext-dcat's sort; equal times are then ordered by name (`CatalogueIndex.select`).
CATALOGUE_SORT = "metadata_modified desc"


class CatalogueSyntaxError(InvalidParameter, SearchSyntaxError):
    """A `q` or `fq` the search cannot read, naming which: a 400 naming the parameter on the
    routes, package_search's Search Error (409) in an action's envelope."""


def catalogue_search(index: CatalogueIndex, search: CatalogueSearch) -> SearchResult:
    """The datasets of one catalogue page, found by package_search's own search."""
    fq_list = []
    if search.modified_since is not None:
        fq_list.append(f"metadata_modified:[{solr_moment(search.modified_since)} TO NOW]")
    params = SearchParams(
        q=search.q,
        fq=search.fq,
        fq_list=fq_list,
        rows=search.size,
        start=search.start,
        sort=CATALOGUE_SORT,
        facet="false",
    )
    try:
        chosen = selection(params, index.lexicon())
    except SearchSyntaxError as exc:
        raise CatalogueSyntaxError(_culprit(params), str(exc)) from None
    return index.select(chosen)


def solr_moment(moment: datetime) -> str:
    """An instant as Solr writes a date: UTC with a `Z` (naive times are taken as UTC)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat() + "Z"


def _culprit(params: SearchParams) -> str:
    """Which of `fq` and `q` a search cannot read: `fq` if it fails alone."""
    try:
        selection(SearchParams(fq=params.fq))
    except SearchSyntaxError:
        return "fq"
    return "q"
