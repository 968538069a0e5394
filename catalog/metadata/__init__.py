"""Metadata for harvesters and citers: DCAT-AP (documents and ckanext-dcat's actions), data.json,
schema.org, vocabularies, citations."""

from catalog.metadata.citation import SeriesCited, cite, cite_series
from catalog.metadata.datajson import data_json_catalog
from catalog.metadata.documents import (
    CatalogueSearch,
    CatalogueSelect,
    DcatActions,
    catalogue_page,
    links_on,
    served_regions,
)
from catalog.metadata.graphs import catalogue_graph, dataset_graph, serialize_graph
from catalog.metadata.page_cache import CataloguePages
from catalog.metadata.rdf import language_of
from catalog.metadata.schemaorg import dataset_jsonld
from catalog.metadata.site import (
    RDF_FORMATS,
    RDF_PROFILES,
    CatalogueInfo,
    Links,
    PageInfo,
    RegionNames,
    check_profiles,
    coverage_iri,
    coverage_names,
    published_bytes,
)
from catalog.metadata.vocabularies import (
    ACCESS_LEVELS,
    CKAN_LICENCES,
    FIELD_TYPES,
    FORMAT_LABELS,
    FREQUENCIES,
    PERIOD_TYPE_LABELS,
    SPDX_TO_CKAN,
    THEMES,
    TIERS,
    UNIT_LABELS,
    label,
)

__all__ = [
    "ACCESS_LEVELS",
    "CKAN_LICENCES",
    "FIELD_TYPES",
    "FORMAT_LABELS",
    "FREQUENCIES",
    "PERIOD_TYPE_LABELS",
    "RDF_FORMATS",
    "RDF_PROFILES",
    "SPDX_TO_CKAN",
    "THEMES",
    "TIERS",
    "UNIT_LABELS",
    "CatalogueInfo",
    "CataloguePages",
    "CatalogueSearch",
    "CatalogueSelect",
    "DcatActions",
    "Links",
    "PageInfo",
    "RegionNames",
    "SeriesCited",
    "catalogue_graph",
    "catalogue_page",
    "check_profiles",
    "cite",
    "cite_series",
    "coverage_iri",
    "coverage_names",
    "data_json_catalog",
    "dataset_graph",
    "dataset_jsonld",
    "label",
    "language_of",
    "links_on",
    "published_bytes",
    "serialize_graph",
    "served_regions",
]
