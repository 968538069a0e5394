"""The RDF groundwork the metadata mappings share: namespaces, the URL scheme, serialisations.

`serialize_graph` writes a graph as Turtle, N3, JSON-LD or RDF/XML (the URL scheme, `Links`,
is in `catalog.metadata.site`). rdflib is imported with this module, on the first graph built.

Literal order is part of the contract. A CKAN configured for Chinese (`ckan.locale_default =
zh_Hans_CN`, the only Simplified Chinese locale CKAN ships) never finds a literal tagged with
its locale (a BCP 47 tag has no `_`), so ckanext-dcat takes the first literal of a property in
document order. Every serialisation here writes the `@zh` literal first, so such a harvester
keeps the Chinese title and description, the ones our CKAN API's `package_show` gives.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from io import BytesIO
from typing import Any

from rdflib import RDF, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, SKOS
from rdflib.plugins.serializers.n3 import N3Serializer
from rdflib.plugins.serializers.turtle import TurtleSerializer
from rdflib.term import Node

from catalog.errors import BadRequest
from catalog.metadata.site import RDF_FORMATS, language_of

ADMS = Namespace("http://www.w3.org/ns/adms#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
# DCAT 3 terms that rdflib's closed DCAT namespace does not list yet.
DCAT_VERSION = URIRef(f"{DCAT}version")
EU = "http://publications.europa.eu/resource/authority/"
IANA = "https://www.iana.org/assignments/media-types/"

# schema.org as ckanext-dcat reads it (http, not rdflib's https SDO).
SCHEMA = Namespace("http://schema.org/")
# Han characters: a text with as many of them as Latin letters is Chinese.
# What no serialisation may hold: the characters XML 1.0 forbids (every control character but
# tab, LF and CR; U+FFFE, U+FFFF) and lone surrogates, which no UTF-8 carries. New descriptors
# refuse them (`catalog.store`), but a version published before may hold them.
_UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_DATE_TYPES = (
    (re.compile(r"^\d{4}$"), XSD.gYear),
    (re.compile(r"^\d{4}-\d{2}$"), XSD.gYearMonth),
    (re.compile(r"^\d{4}-\d{2}-\d{2}$"), XSD.date),
)


def new_graph() -> Graph:
    graph = Graph()
    for prefix, namespace in (
        ("dcat", DCAT),
        ("dct", DCTERMS),
        ("foaf", FOAF),
        ("skos", SKOS),
        ("vcard", VCARD),
        ("adms", ADMS),
        ("spdx", SPDX),
        ("hydra", HYDRA),
        ("owl", OWL),
        ("schema", SCHEMA),
    ):
        graph.bind(prefix, namespace)
    return graph


def serialize_graph(graph: Graph, extension: str) -> bytes:
    """The graph as `ttl`, `n3`, `jsonld` or `rdf`/`xml` (RDF/XML), UTF-8, `@zh` first."""
    if extension not in RDF_FORMATS:
        raise BadRequest(f"unknown RDF format {extension!r}; use one of {', '.join(RDF_FORMATS)}")
    rdflib_format = RDF_FORMATS[extension][0]
    graph = writable(graph)
    if rdflib_format == "json-ld":
        context = {prefix: str(ns) for prefix, ns in graph.namespaces() if prefix}
        text = graph.serialize(format="json-ld", context=context, auto_compact=True)
        return text.encode("utf-8")
    if rdflib_format in _SORTING:
        # rdflib's Turtle and N3 writers sort each property's objects: `@en` before `@zh`.
        out = BytesIO()
        _SORTING[rdflib_format](graph).serialize(out, encoding="utf-8")
        return out.getvalue()
    # RDF/XML and JSON-LD keep the graph's insertion order, where `bilingual` puts zh first.
    return graph.serialize(format=rdflib_format, encoding="utf-8")


def writable(graph: Graph) -> Graph:
    """`graph`, or, when a term holds a character no serialisation may hold, a copy (in the
    same order) where each such character of a literal is U+FFFD and of an IRI is
    percent-encoded (U+FFFD's bytes for a lone surrogate). Every serialisation then reads
    back the same values, RDF/XML included."""
    if not any(_UNWRITABLE.search(str(term)) for triple in graph for term in triple):
        return graph
    copy = Graph(bind_namespaces="none")  # exactly the original's prefixes, below
    for prefix, namespace in graph.namespaces():
        copy.bind(prefix, namespace)
    # By subject, then the subject's index: the order `bilingual` gave each property's objects.
    for subject in graph.subjects(unique=True):
        for predicate, value in graph.predicate_objects(subject):
            copy.add((_writable(subject), _writable(predicate), _writable(value)))
    return copy


def _writable(term: Node) -> Any:
    if isinstance(term, Literal) and _UNWRITABLE.search(term):
        text = _UNWRITABLE.sub("\ufffd", str(term))
        return Literal(text, lang=term.language, datatype=term.datatype)
    if isinstance(term, URIRef) and _UNWRITABLE.search(term):
        return URIRef(_UNWRITABLE.sub(_percent_encoded, str(term)))
    return term


def _percent_encoded(found: re.Match[str]) -> str:
    character = "\ufffd" if "\ud800" <= found[0] <= "\udfff" else found[0]
    return "".join(f"%{byte:02X}" for byte in character.encode("utf-8"))


def _chinese_first(properties: Mapping[Any, list[Node]]) -> None:
    """Move each property's `@zh` literals to the front (stable: the rest keep their order)."""
    for objects in properties.values():
        objects.sort(key=lambda node: not (isinstance(node, Literal) and node.language == "zh"))


class _ChineseFirstTurtle(TurtleSerializer):
    """Turtle with each property's `@zh` literals before its other objects."""

    def sortProperties(self, properties: Mapping[Any, list[Node]]) -> list[Any]:
        ordered = super().sortProperties(properties)
        _chinese_first(properties)
        return ordered


class _ChineseFirstN3(N3Serializer):
    """N3 with each property's `@zh` literals before its other objects."""

    def sortProperties(self, properties: Mapping[Any, list[Node]]) -> list[Any]:
        ordered = super().sortProperties(properties)
        _chinese_first(properties)
        return ordered


_SORTING: dict[str, type[TurtleSerializer]] = {
    "turtle": _ChineseFirstTurtle,
    "n3": _ChineseFirstN3,
}


def tagged_texts(graph: Graph, node: URIRef, predicate: URIRef, *texts: str | None) -> None:
    """Each distinct text as a literal tagged with its own language, Chinese first."""
    distinct = dict.fromkeys(text for text in texts if text)
    for text in sorted(distinct, key=lambda t: language_of(t) != "zh"):
        graph.add((node, predicate, Literal(text, lang=language_of(text))))


def bilingual(
    graph: Graph, node: URIRef, predicate: URIRef, zh: str | None, en: str | None
) -> None:
    """`zh` and `en` as language-tagged literals, each only when given."""
    if zh:
        graph.add((node, predicate, Literal(zh, lang="zh")))
    if en:
        graph.add((node, predicate, Literal(en, lang="en")))


def typed(graph: Graph, iri: str, cls: URIRef) -> URIRef:
    node = URIRef(iri)
    graph.add((node, RDF.type, cls))
    return node


def date_literal(value: str) -> Literal:
    """An ISO 8601 year, year-month, date or date-time with its XML Schema datatype."""
    for pattern, datatype in _DATE_TYPES:
        if pattern.match(value):
            return Literal(value, datatype=datatype)
    return Literal(value, datatype=XSD.dateTime)


def add_date(graph: Graph, node: URIRef | BNode, predicate: URIRef, value: str) -> None:
    if value:
        graph.add((node, predicate, date_literal(value)))
