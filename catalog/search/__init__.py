"""The catalogue index (search, facets, versions) and CKAN's Solr-style `q`/`fq` syntax."""

from catalog.search.index import (
    FACET_COLUMNS,
    FACETS,
    MAX_LIMIT,
    CatalogueIndex,
    Facet,
    SearchQuery,
    Selection,
    catalogue_uuid,
    entry,
    utc_moment,
)
from catalog.search.solr import Field, Kind

__all__ = [
    "FACETS",
    "FACET_COLUMNS",
    "MAX_LIMIT",
    "CatalogueIndex",
    "Facet",
    "Field",
    "Kind",
    "SearchQuery",
    "Selection",
    "catalogue_uuid",
    "entry",
    "utc_moment",
]
