"""Metadata for harvesters and citers: DCAT-AP, data.json, schema.org, vocabularies, citations."""

from catalog.metadata.citation import SeriesCited, cite, cite_series
from catalog.metadata.datajson import data_json_catalog
from catalog.metadata.dcat import catalogue_graph, dataset_graph
from catalog.metadata.rdf import RDF_FORMATS, CatalogueInfo, Links, PageInfo, serialize_graph
from catalog.metadata.schemaorg import dataset_jsonld
from catalog.metadata.vocabularies import (
    ACCESS_LEVELS,
    FIELD_TYPES,
    FREQUENCIES,
    PERIOD_TYPE_LABELS,
    THEMES,
    TIERS,
    label,
)

__all__ = [
    "ACCESS_LEVELS",
    "FIELD_TYPES",
    "FREQUENCIES",
    "PERIOD_TYPE_LABELS",
    "RDF_FORMATS",
    "THEMES",
    "TIERS",
    "CatalogueInfo",
    "Links",
    "PageInfo",
    "SeriesCited",
    "catalogue_graph",
    "cite",
    "cite_series",
    "data_json_catalog",
    "dataset_graph",
    "dataset_jsonld",
    "label",
    "serialize_graph",
]
