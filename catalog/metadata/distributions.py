"""DCAT distributions: each resource of a dataset in each download format, with its schema.

The Parquet distribution is the stored file, so its size and sha256 are given exactly; the
other formats are generated on request from it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS

from catalog.metadata.rdf import DOWNLOADS, EU, IANA, SPDX, Links, add_date, bilingual, typed

# SPDX licence ids → EU licence authority; other licences are linked by their own URL.
LICENCES = {
    "CC-BY-4.0": "CC_BY_4_0",
    "CC-BY-SA-4.0": "CC_BYSA_4_0",
    "CC0-1.0": "CC0",
    "ODC-BY-1.0": "ODC_BY",
    "ODbL-1.0": "ODC_BL",
    "PDDL-1.0": "ODC_PDDL",
}
TABLE_SCHEMA = URIRef("https://datapackage.org/standard/table-schema/")


def add_resource(
    graph: Graph,
    dataset: URIRef,
    descriptor: dict[str, Any],
    resource: dict[str, Any],
    links: Links,
) -> None:
    """A resource's Table Schema (a dct:Standard) and one distribution per download format."""
    slug, name = str(descriptor["name"]), str(resource["name"])
    schema = typed(graph, links.schema(slug, name), DCTERMS.Standard)
    bilingual(
        graph,
        schema,
        DCTERMS.title,
        f"表结构：{resource.get('title') or name}",
        f"Table Schema of {resource.get('title_en') or name}",
    )
    graph.add((schema, DCTERMS.conformsTo, TABLE_SCHEMA))
    graph.add((TABLE_SCHEMA, RDF.type, DCTERMS.Standard))
    graph.add((dataset, DCTERMS.conformsTo, schema))
    for extension in DOWNLOADS:
        distribution = _add_distribution(graph, descriptor, resource, extension, links)
        graph.add((distribution, DCTERMS.conformsTo, schema))
        graph.add((dataset, DCAT.distribution, distribution))


def _add_distribution(
    graph: Graph,
    descriptor: dict[str, Any],
    resource: dict[str, Any],
    extension: str,
    links: Links,
) -> URIRef:
    slug, name = str(descriptor["name"]), str(resource["name"])
    file_type, media_type = DOWNLOADS[extension]
    node = links.node(slug, f"{name}-{extension}")
    graph.add((node, RDF.type, DCAT.Distribution))
    label = file_type.upper()
    bilingual(
        graph,
        node,
        DCTERMS.title,
        f"{resource.get('title') or name}（{label}）",
        f"{resource.get('title_en') or name} ({label})",
    )
    if resource.get("description"):
        graph.add((node, DCTERMS.description, Literal(str(resource["description"]), lang="zh")))
    url = URIRef(links.download(slug, name, extension))
    graph.add((node, DCAT.accessURL, url))
    graph.add((node, DCAT.downloadURL, url))
    graph.add((node, DCAT.accessService, URIRef(links.api())))
    graph.add(
        (
            node,
            DCTERMS["format"],
            typed(graph, EU + "file-type/" + file_type, DCTERMS.MediaTypeOrExtent),
        )
    )
    graph.add((node, DCAT.mediaType, typed(graph, IANA + media_type, DCTERMS.MediaType)))
    licence = _licence(graph, descriptor)
    if licence is not None:
        graph.add((node, DCTERMS.license, licence))
    add_date(graph, node, DCTERMS.issued, str(descriptor.get("issued", "")))
    add_date(graph, node, DCTERMS.modified, modified(descriptor))
    if extension == "parquet":
        _add_published_file(graph, node, resource, links.node(slug, f"{name}-parquet-sha256"))
    return node


def _add_published_file(
    graph: Graph, distribution: URIRef, resource: dict[str, Any], checksum: URIRef
) -> None:
    """The Parquet file is the stored one: its size and sha256 are known exactly."""
    size = published_bytes(resource)
    if size is not None:
        graph.add((distribution, DCAT.byteSize, Literal(size, datatype=XSD.nonNegativeInteger)))
    digest = str(resource.get("hash", ""))
    if digest.startswith("sha256:"):
        graph.add((checksum, RDF.type, SPDX.Checksum))
        algorithm = typed(graph, str(SPDX.checksumAlgorithm_sha256), SPDX.ChecksumAlgorithm)
        graph.add((checksum, SPDX.algorithm, algorithm))
        value = Literal(digest.removeprefix("sha256:"), datatype=XSD.hexBinary)
        graph.add((checksum, SPDX.checksumValue, value))
        graph.add((distribution, SPDX.checksum, checksum))


def published_bytes(resource: dict[str, Any]) -> int | None:
    """Size of the published Parquet file (`byte_size`; `bytes` in older versions)."""
    for key in ("byte_size", "bytes"):
        if isinstance(resource.get(key), int):
            return int(resource[key])
    return None


def _licence(graph: Graph, descriptor: dict[str, Any]) -> URIRef | None:
    """The first licence (DCAT-AP allows one per distribution), in the EU vocabulary if known."""
    licences: Iterable[dict[str, Any]] = descriptor.get("licenses", [])
    for licence in licences:
        known = LICENCES.get(str(licence.get("name", "")))
        iri = EU + "licence/" + known if known else licence.get("path")
        if iri:
            node = typed(graph, str(iri), DCTERMS.LicenseDocument)
            if licence.get("title") or licence.get("name"):
                graph.add((node, RDFS.label, Literal(str(licence.get("title") or licence["name"]))))
            return node
    return None


def modified(descriptor: dict[str, Any]) -> str:
    """When the served version was published (its creation time for older versions)."""
    return str(descriptor.get("build", {}).get("published") or descriptor.get("created") or "")
