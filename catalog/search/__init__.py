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
from catalog.search.holdings import (
    Held,
    Holding,
    Named,
    Names,
    Vocabulary,
    read_holding,
    read_vocabulary,
)
from catalog.search.index import CatalogueIndex
from catalog.search.records import (
    HELD_WEIGHT,
    IndexRecord,
    catalogue_uuid,
    covered_years,
    entry,
    utc_moment,
)
from catalog.search.selection import (
    Facet,
    HeldCode,
    Matched,
    Predicate,
    SearchResult,
    Selection,
    all_of,
)
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
from catalog.search.synonyms import Lexicon, any_contains

__all__ = [
    "FACETS",
    "FACET_COLUMNS",
    "FQ_FIELDS",
    "HELD_WEIGHT",
    "MAX_SEARCH_LIMIT",
    "MAX_TERMS",
    "SORTS",
    "Boolean",
    "CatalogueIndex",
    "Compiled",
    "Dismax",
    "Facet",
    "Field",
    "Held",
    "HeldCode",
    "Holding",
    "IndexRecord",
    "Kind",
    "Lexicon",
    "Matched",
    "Named",
    "Names",
    "Predicate",
    "SearchQuery",
    "SearchResult",
    "Selection",
    "Vocabulary",
    "all_of",
    "any_contains",
    "catalogue_uuid",
    "compile_query",
    "count_terms",
    "covered_years",
    "dismax",
    "entry",
    "parse_query",
    "read_holding",
    "read_vocabulary",
    "utc_moment",
]
