"""One "modified" rule in every metadata document (docs/descriptor.md): `build.published`,
else `created`, never `issued`.

Before the typed descriptor, data.json, schema.org and the citations read `build.published`
only (the citations fell back to `issued`); these pin the rule they now share, for the
descriptors where the old rules disagreed.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, XSD

from catalog.metadata import CatalogueInfo, cite, data_json_catalog, dataset_graph, dataset_jsonld
from catalog.metadata.rdf import date_literal
from catalog.store import Package

INFO = CatalogueInfo(
    base_url="https://data.example.org",
    title="目录",
    title_en="Catalogue",
    description="",
    description_en="",
    publisher="发布方",
    publisher_en="Publisher",
)
HAND_WRITTEN = {"name": "by-hand", "created": "2025-06-01T08:00:00Z", "issued": "2024-01-01"}
PUBLISHED = {**HAND_WRITTEN, "build": {"published": "2026-02-03T04:05:06.123456Z"}}


def modified_everywhere(document: dict[str, Any]) -> list[object]:
    """What DCAT, data.json, schema.org and the GB/T 7714 citation say of `document`."""
    package = Package.of(document)
    graph = dataset_graph(INFO, package)
    dcat = graph.value(URIRef("https://data.example.org/dataset/by-hand"), DCTERMS.modified)
    citation = cite(package, "https://data.example.org/dataset/by-hand", date(2026, 3, 1))
    return [
        dcat,
        data_json_catalog(INFO, [package], "x")["dataset"][0]["modified"],
        dataset_jsonld(INFO, package)["dateModified"],
        citation.gbt7714.split("(")[1].split(")")[0],
    ]


def expected(stamp: str) -> list[object]:
    return [date_literal(stamp), stamp, stamp, stamp[:10]]


def test_published_descriptor_is_modified_when_published() -> None:
    assert modified_everywhere(PUBLISHED) == expected("2026-02-03T04:05:06.123456Z")


def test_descriptor_without_build_is_modified_when_created_not_issued() -> None:
    assert modified_everywhere(HAND_WRITTEN) == expected("2025-06-01T08:00:00Z")


def test_dcat_modified_is_a_typed_date_time() -> None:
    graph = dataset_graph(INFO, Package.of(PUBLISHED))
    found = graph.value(URIRef("https://data.example.org/dataset/by-hand"), DCTERMS.modified)
    assert isinstance(found, Literal) and found.datatype == XSD.dateTime


def test_apa_year_comes_from_the_same_rule() -> None:
    citation = cite(
        Package.of(HAND_WRITTEN), "https://data.example.org/dataset/by-hand", date(2026, 3, 1)
    )
    assert "(2025)." in citation.apa
