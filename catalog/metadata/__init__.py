"""Metadata for harvesters and citers: DCAT-AP, data.json, schema.org, vocabularies, citations."""

from catalog.metadata.citation import cite
from catalog.metadata.vocabularies import THEMES

__all__ = [
    "THEMES",
    "cite",
]
