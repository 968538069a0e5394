"""DCAT distributions: each resource of a dataset in each download format, with its schema.

The Parquet distribution is the stored file, and a version renders its CSV, JSON and XLSX
once at publish (XLSX when it fits one sheet and the size cap), so their sizes and sha256 are
given exactly (`dcat:byteSize`, `spdx:checksum`); a format not rendered at publish is
generated on request and carries neither. A conditional dataset's (有条件开放) distributions
have no dcat:downloadURL: their dcat:accessURL is the dataset's page, and their dct:rights
the conditions (`conditions_statement`).

What ckanext-dcat (2.4, every DCAT-AP profile) makes of a distribution, and why it is written
so: `name` is dct:title (the resource's title, as our CKAN API names the resource; the format
is in dct:format); `mimetype` is the rdfs:label of the dcat:mediaType IANA node (`text/csv`);
`format` is the rdfs:label of the dct:format EU file-type node, which is also typed dct:IMT,
the form the profiles read a label from (`CSV`, `XLSX`, `JSON`, `Parquet`; CKAN's format
register then maps the media type to its own name); `license_id` is looked up by the
dct:license URI in CKAN's licence register, so the licence is named by that register's URL.
"""

from __future__ import annotations

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS

from catalog.metadata.rdf import (
    EU,
    IANA,
    SPDX,
    add_date,
    bilingual,
    tagged_texts,
    typed,
)
from catalog.metadata.site import Links, file_facts, issued
from catalog.metadata.vocabularies import CKAN_LICENCES, FORMAT_LABELS, SPDX_TO_CKAN
from catalog.query import CATALOGUED, Format
from catalog.store import Package, Resource

# SPDX licence ids → EU licence authority, for a licence CKAN's register does not hold; a
# licence in neither is linked by its own URL.
LICENCES = {
    "CC-BY-4.0": "CC_BY_4_0",
    "CC-BY-SA-4.0": "CC_BYSA_4_0",
    "CC0-1.0": "CC0",
    "ODC-By-1.0": "ODC_BY",
    "ODbL-1.0": "ODC_BL",
    "PDDL-1.0": "ODC_PDDL",
}

TABLE_SCHEMA = URIRef("https://datapackage.org/standard/table-schema/")


def add_resource(
    graph: Graph,
    dataset: URIRef,
    package: Package,
    resource: Resource,
    links: Links,
) -> None:
    """A resource's Table Schema (a dct:Standard) and one distribution per download format."""
    slug, name = package.name, resource.name
    schema = typed(graph, links.schema(slug, name), DCTERMS.Standard)
    bilingual(
        graph,
        schema,
        DCTERMS.title,
        f"表结构：{resource.title or name}",
        f"Table Schema of {resource.title_en or name}",
    )
    graph.add((schema, DCTERMS.conformsTo, TABLE_SCHEMA))
    graph.add((TABLE_SCHEMA, RDF.type, DCTERMS.Standard))
    graph.add((dataset, DCTERMS.conformsTo, schema))
    for fmt in CATALOGUED:
        distribution = _add_distribution(graph, package, resource, fmt, links)
        graph.add((distribution, DCTERMS.conformsTo, schema))
        graph.add((dataset, DCAT.distribution, distribution))


def _add_distribution(
    graph: Graph,
    package: Package,
    resource: Resource,
    fmt: Format,
    links: Links,
) -> URIRef:
    slug, name = package.name, resource.name
    node = links.node(slug, f"{name}-{fmt.extension}")
    graph.add((node, RDF.type, DCAT.Distribution))
    bilingual(graph, node, DCTERMS.title, resource.title or name, resource.title_en or name)
    tagged_texts(graph, node, DCTERMS.description, resource.description, resource.description_en)
    if package.access_level == "conditional":
        # 有条件开放: no file anyone may fetch; the dataset's page states the conditions and
        # links to the application (the download URLs answer 403 without a grant).
        graph.add((node, DCAT.accessURL, URIRef(links.dataset(slug))))
        graph.add((node, DCTERMS.rights, conditions_statement(graph, package, links)))
    else:
        url = URIRef(links.download(slug, name, fmt.extension))
        graph.add((node, DCAT.accessURL, url))
        graph.add((node, DCAT.downloadURL, url))
    graph.add((node, DCAT.accessService, URIRef(links.api())))
    _add_format(graph, node, fmt)
    licence = _licence(graph, package)
    if licence is not None:
        graph.add((node, DCTERMS.license, licence))
    add_date(graph, node, DCTERMS.issued, issued(package))
    add_date(graph, node, DCTERMS.modified, package.modified())
    size, sha256 = file_facts(resource, fmt)
    if size is not None or sha256:
        checksum = links.node(slug, f"{name}-{fmt.extension}-sha256")
        _add_published_file(graph, node, size, sha256, checksum)
    return node


def conditions_statement(graph: Graph, package: Package, links: Links) -> URIRef:
    """The conditions of a conditional dataset as a dct:RightsStatement labelled in zh and
    en: ckanext-dcat reads a distribution's dct:rights as the label of its node."""
    node = typed(graph, str(links.node(package.name, "access-conditions")), DCTERMS.RightsStatement)
    bilingual(graph, node, RDFS.label, package.conditions("zh"), package.access_conditions_en)
    return node


def _add_format(graph: Graph, distribution: URIRef, fmt: Format) -> None:
    """dct:format (EU file type) and dcat:mediaType (IANA), each labelled with its name."""
    if fmt.file_type is not None and fmt.file_type_uri is not None:  # a catalogued format
        # dct:IMT first: ckanext-dcat reads the label of a format node whose first type it is.
        file_type = typed(graph, fmt.file_type_uri, DCTERMS.IMT)
        graph.add((file_type, RDF.type, DCTERMS.MediaTypeOrExtent))
        graph.add((file_type, RDFS.label, Literal(FORMAT_LABELS[fmt.file_type])))
        graph.add((distribution, DCTERMS["format"], file_type))
    media_type = typed(graph, IANA + fmt.essence, DCTERMS.MediaType)
    graph.add((media_type, RDFS.label, Literal(fmt.essence)))
    graph.add((distribution, DCAT.mediaType, media_type))


def _add_published_file(
    graph: Graph, distribution: URIRef, size: int | None, sha256: str, checksum: URIRef
) -> None:
    """A file fixed at publish: its size (dcat:byteSize) and sha256 (spdx:checksum)."""
    if size is not None:
        graph.add((distribution, DCAT.byteSize, Literal(size, datatype=XSD.nonNegativeInteger)))
    if sha256:
        graph.add((checksum, RDF.type, SPDX.Checksum))
        algorithm = typed(graph, str(SPDX.checksumAlgorithm_sha256), SPDX.ChecksumAlgorithm)
        graph.add((checksum, SPDX.algorithm, algorithm))
        value = Literal(sha256, datatype=XSD.hexBinary)
        graph.add((checksum, SPDX.checksumValue, value))
        graph.add((distribution, SPDX.checksum, checksum))


def _licence(graph: Graph, package: Package) -> URIRef | None:
    """The first licence (DCAT-AP allows one per distribution): by the URL CKAN's licence
    register holds for it, else in the EU vocabulary, else by its own URL."""
    for licence in package.licenses:
        spdx = licence.name or ""
        ckan = CKAN_LICENCES.get(SPDX_TO_CKAN.get(spdx, ""))
        known = LICENCES.get(spdx)
        iri = ckan[1] if ckan else EU + "licence/" + known if known else licence.path
        if not iri:
            continue
        node = typed(graph, iri, DCTERMS.LicenseDocument)
        if ckan:
            graph.add((node, DCTERMS.title, Literal(ckan[0])))
        if licence.title or licence.name:
            graph.add((node, RDFS.label, Literal(licence.title or licence.name)))
        if licence.path and licence.path != iri:
            graph.add((node, RDFS.seeAlso, URIRef(licence.path)))
        return node
    return None
