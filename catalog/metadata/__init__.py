"""Metadata for harvesters and citers: DCAT-AP, data.json, schema.org, vocabularies, citations."""

from catalog.metadata import datajson, dcat, schemaorg, vocabularies
from catalog.metadata.citation import cite
from catalog.metadata.rdf import CatalogueInfo, Links, PageInfo
from catalog.metadata.vocabularies import THEMES

__all__ = [
    "THEMES",
    "CatalogueInfo",
    "Links",
    "PageInfo",
    "cite",
    "datajson",
    "dcat",
    "schemaorg",
    "vocabularies",
]
