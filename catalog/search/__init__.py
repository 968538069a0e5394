"""The catalogue index: one search (a `Selection`, compiled from CKAN's `q`/`fq` or from words
and facets) returning a page, the total and facet counts; and CKAN's Solr-style syntax."""

from catalog.search.facets import (
    FACET_COLUMNS,
    FACETS,
    FQ_FIELDS,
    MAX_SEARCH_LIMIT,
    SORTS,
    SearchQuery,
)
from catalog.search.index import CatalogueIndex
from catalog.search.records import (
    IndexRecord,
    catalogue_uuid,
    covered_years,
    entry,
    utc_moment,
)
from catalog.search.selection import Facet, Predicate, SearchResult, Selection, all_of
from catalog.search.solr import (
    MAX_TERMS,
    Boolean,
    Compiled,
    Dismax,
    Field,
    Kind,
    compile_query,
    count_terms,
    dismax,
    parse_query,
)

__all__ = [
    "FACETS",
    "FACET_COLUMNS",
    "FQ_FIELDS",
    "MAX_SEARCH_LIMIT",
    "MAX_TERMS",
    "SORTS",
    "Boolean",
    "CatalogueIndex",
    "Compiled",
    "Dismax",
    "Facet",
    "Field",
    "IndexRecord",
    "Kind",
    "Predicate",
    "SearchQuery",
    "SearchResult",
    "Selection",
    "all_of",
    "catalogue_uuid",
    "compile_query",
    "count_terms",
    "covered_years",
    "dismax",
    "entry",
    "parse_query",
    "utc_moment",
]
