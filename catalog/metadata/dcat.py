"""DCAT-AP 3 graphs of the catalogue and its datasets: published descriptors in, rdflib out.

Vocabularies used for each part of the mapping (so a harvester can check what it gets):

    catalogue      dcat:Catalog, dct:title/description @zh @en, dct:publisher foaf:Agent,
                   foaf:homepage, dct:language (EU language authority), dct:issued/modified,
                   dcat:themeTaxonomy (our theme scheme and the EU data-theme scheme),
                   dcat:service (dcat:DataService for /api/v1 and the CKAN Action API)
    dataset        dct:identifier (the slug), dct:title/description @zh @en, dcat:keyword,
                   dcat:theme (skos:Concept), dct:publisher, dcat:contactPoint (vcard:Kind),
                   dct:accrualPeriodicity (EU frequency authority), dct:temporal
                   (dct:PeriodOfTime with dcat:startDate/endDate and schema:startDate/endDate),
                   dct:spatial (one dct:Location, below), dct:accessRights (EU access-right
                   authority), dct:conformsTo (each resource's Table Schema), dct:provenance,
                   dct:source, dcat:version and owl:versionInfo, dcat:landingPage
    distribution   one per resource and format (csv, json, parquet, xlsx): dcat:accessURL,
                   dcat:downloadURL, dct:format (EU file-type authority), dcat:mediaType (IANA),
                   dct:license (the URL of CKAN's licence register, else the EU licence
                   authority), dct:issued/modified, dcat:accessService; for Parquet, the
                   published file: dcat:byteSize and spdx:checksum (sha256)
    paging         hydra:PagedCollection with first/last/next/previous, the older
                   firstPage/lastPage/nextPage/previousPage, totalItems and itemsPerPage

Each property is written the way every DCAT-AP profile of ckanext-dcat 2.4 reads it: DCAT-AP 1
and 2 read the version from owl:versionInfo, DCAT-AP 3 from dcat:version; DCAT-AP 1 reads a
period from schema:startDate/endDate, 2 and 3 from dcat:startDate/endDate.

Spatial coverage is one dct:Location per dataset (`…/dataset/wages#spatial`), because the
profiles keep one dct:spatial value (the last URI, the last label, the last geometry): its
skos:prefLabel lists the regions' names (@zh and @en) and its rdfs:label, which the profiles
read last and so keep as `spatial_text`, lists them in Chinese. Each region stays a
dct:Location of its own (`…/regions/520000`, with its GB/T 2260 code as skos:notation and
dct:identifier), a dct:hasPart of the coverage; the country is skos:exactMatch the EU country
authority's China. No geometry is given: none of our sources has region coordinates.

The sources a dataset was compiled from (statistical bulletins, reports) are the objects of
`dct:source`, whose DCAT-AP range is `dcat:Dataset`. They are typed `hrss:SourcePublication`,
declared in the graph as a subclass of `dcat:Dataset`: exact under RDFS (the SHACL shapes see
them as datasets and check them), while harvesters that list `?s a dcat:Dataset` without
inference (ckanext-dcat does) do not mistake a cited bulletin for a dataset of this catalogue.

Nodes that belong to one dataset get hash IRIs under the dataset IRI (`…/dataset/wages#contact`),
so every serialisation of the same version yields the same graph.
"""

from __future__ import annotations

from collections.abc import Sequence

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, SKOS

from catalog.metadata.distributions import add_resource
from catalog.metadata.rdf import (
    DCAT_VERSION,
    EU,
    HYDRA,
    SCHEMA,
    VCARD,
    add_date,
    bilingual,
    new_graph,
    typed,
)
from catalog.metadata.site import (
    NO_NAMES,
    CatalogueInfo,
    Links,
    PageInfo,
    RegionNames,
    coverage_iri,
    coverage_names,
    issued,
    region_names,
)
from catalog.metadata.vocabularies import (
    ACCESS_RIGHT_EU_CODES,
    FREQUENCY_EU_CODES,
    THEME_EU_CODES,
    THEMES,
)
from catalog.store import Package, is_email

EU_THEMES = {
    "SOCI": ("人口与社会", "Population and society"),
    "ECON": ("经济与金融", "Economy and finance"),
    "GOVE": ("政府与公共部门", "Government and public sector"),
    "EDUC": ("教育、文化与体育", "Education, culture and sport"),
}
LANGUAGES = ("ZHO", "ENG")
NATIONAL = "000000"


def catalogue_graph(
    info: CatalogueInfo,
    packages: Sequence[Package],
    *,
    page: PageInfo | None = None,
    modified: str = "",
    issued: str = "",
    regions: RegionNames = NO_NAMES,
) -> Graph:
    """One page of the catalogue: the catalogue, its services, the page's datasets, paging."""
    links = Links(info.base_url)
    graph = new_graph()
    catalog = URIRef(links.catalog())
    graph.add((catalog, RDF.type, DCAT.Catalog))
    bilingual(graph, catalog, DCTERMS.title, info.title, info.title_en)
    bilingual(graph, catalog, DCTERMS.description, info.description, info.description_en)
    graph.add((catalog, DCTERMS.publisher, _catalogue_publisher(graph, info, links)))
    homepage = URIRef(f"{links.base}/")
    graph.add((catalog, FOAF.homepage, homepage))
    graph.add((homepage, RDF.type, FOAF.Document))
    for code in LANGUAGES:
        graph.add(
            (
                catalog,
                DCTERMS.language,
                typed(graph, EU + "language/" + code, DCTERMS.LinguisticSystem),
            )
        )
    add_date(graph, catalog, DCTERMS.issued, issued)
    add_date(graph, catalog, DCTERMS.modified, modified)
    for scheme in _theme_schemes(graph, links):
        graph.add((catalog, DCAT.themeTaxonomy, scheme))
    services = _data_services(graph, info, links)
    for service in services:
        graph.add((catalog, DCAT.service, service))
    for package in packages:
        dataset = add_dataset(graph, info, package, regions)
        graph.add((catalog, DCAT.dataset, dataset))
        for service in services:
            graph.add((service, DCAT.servesDataset, dataset))
    if page is not None:
        add_paging(graph, page)
    return graph


def dataset_graph(info: CatalogueInfo, package: Package, regions: RegionNames = NO_NAMES) -> Graph:
    """One dataset on its own, with the API service its distributions are reached through."""
    links = Links(info.base_url)
    graph = new_graph()
    dataset = add_dataset(graph, info, package, regions)
    for service in _data_services(graph, info, links):
        graph.add((service, DCAT.servesDataset, dataset))
    return graph


def add_paging(graph: Graph, page: PageInfo) -> None:
    """Hydra paging; the older *Page predicates too, which ckanext-dcat still reads first."""
    current = URIRef(page.url(page.number))
    graph.add((current, RDF.type, HYDRA.PagedCollection))
    graph.add((current, HYDRA.totalItems, Literal(page.total, datatype=XSD.integer)))
    graph.add((current, HYDRA.itemsPerPage, Literal(page.size, datatype=XSD.integer)))
    targets = {"first": 1, "last": page.last}
    if page.number < page.last:
        targets["next"] = page.number + 1
    if page.number > 1:
        targets["previous"] = min(page.number - 1, page.last)
    for name, number in targets.items():
        target = URIRef(page.url(number))
        graph.add((current, HYDRA[name], target))
        graph.add((current, HYDRA[f"{name}Page"], target))


def add_dataset(
    graph: Graph, info: CatalogueInfo, package: Package, regions: RegionNames = NO_NAMES
) -> URIRef:
    """Add one published descriptor as a dcat:Dataset with its distributions; return its IRI."""
    links = Links(info.base_url)
    slug = package.name
    dataset = URIRef(links.dataset(slug))
    graph.add((dataset, RDF.type, DCAT.Dataset))
    graph.add((dataset, DCTERMS.identifier, Literal(slug)))
    bilingual(graph, dataset, DCTERMS.title, package.title, package.title_en)
    bilingual(graph, dataset, DCTERMS.description, package.description, package.description_en)
    _add_keywords(graph, dataset, package)
    _add_themes(graph, dataset, package, links)
    add_date(graph, dataset, DCTERMS.issued, issued(package))
    add_date(graph, dataset, DCTERMS.modified, package.modified())
    if package.version:
        graph.add((dataset, DCAT_VERSION, Literal(package.version)))
        graph.add((dataset, OWL.versionInfo, Literal(package.version)))
    landing = URIRef(links.dataset(slug))
    graph.add((dataset, DCAT.landingPage, landing))
    graph.add((landing, RDF.type, FOAF.Document))
    language = typed(graph, EU + "language/ZHO", DCTERMS.LinguisticSystem)
    graph.add((dataset, DCTERMS.language, language))
    _add_publisher(graph, dataset, package, links)
    _add_contact(graph, dataset, package, links)
    _add_frequency(graph, dataset, package)
    _add_access_rights(graph, dataset, package)
    _add_temporal(graph, dataset, package, links)
    _add_spatial(graph, dataset, package, links, regions)
    _add_sources(graph, dataset, package, links)
    for resource in package.resources:
        add_resource(graph, dataset, package, resource, links)
    return dataset


def _catalogue_publisher(graph: Graph, info: CatalogueInfo, links: Links) -> URIRef:
    agent = URIRef(f"{links.base}/#publisher")
    graph.add((agent, RDF.type, FOAF.Agent))
    graph.add((agent, RDF.type, FOAF.Organization))
    bilingual(graph, agent, FOAF.name, info.publisher, info.publisher_en)
    return agent


def _theme_schemes(graph: Graph, links: Links) -> list[URIRef]:
    ours = typed(graph, links.theme(), SKOS.ConceptScheme)
    bilingual(graph, ours, DCTERMS.title, "信息资源分类", "Information resource classification")
    eu = typed(graph, EU + "data-theme", SKOS.ConceptScheme)
    graph.add((eu, DCTERMS.title, Literal("Data theme", lang="en")))
    return [ours, eu]


def _data_services(graph: Graph, info: CatalogueInfo, links: Links) -> list[URIRef]:
    """The REST API (with its OpenAPI description) and the CKAN Action API."""
    rest = typed(graph, links.api(), DCAT.DataService)
    bilingual(graph, rest, DCTERMS.title, "开放数据接口 v1", "Open data API v1")
    graph.add((rest, DCAT.endpointURL, URIRef(links.api())))
    graph.add((rest, DCAT.endpointDescription, URIRef(f"{links.base}/openapi.json")))
    openapi = typed(graph, "https://spec.openapis.org/oas/v3.1.0", DCTERMS.Standard)
    graph.add((rest, DCTERMS.conformsTo, openapi))
    ckan = typed(graph, f"{links.base}/api/3/action", DCAT.DataService)
    bilingual(graph, ckan, DCTERMS.title, "CKAN 接口", "CKAN Action API")
    graph.add((ckan, DCAT.endpointURL, URIRef(f"{links.base}/api/3/action")))
    ckan_api = typed(graph, "https://docs.ckan.org/en/2.11/api/", DCTERMS.Standard)
    graph.add((ckan, DCTERMS.conformsTo, ckan_api))
    for service in (rest, ckan):
        graph.add((service, DCTERMS.publisher, _catalogue_publisher(graph, info, links)))
    return [rest, ckan]


def _add_keywords(graph: Graph, dataset: URIRef, package: Package) -> None:
    """Each keyword once: one in both lists (`GB/T 2260`) would be two tags to a harvester."""
    seen: set[str] = set()
    for keywords, lang in ((package.keywords, "zh"), (package.keywords_en, "en")):
        for keyword in keywords:
            if keyword not in seen:
                seen.add(keyword)
                graph.add((dataset, DCAT.keyword, Literal(keyword, lang=lang)))


def _add_themes(graph: Graph, dataset: URIRef, package: Package, links: Links) -> None:
    for slug in package.themes:
        zh, en = THEMES.get(slug, (slug, slug))
        eu_code = THEME_EU_CODES.get(slug, "")
        concept = typed(graph, links.theme(slug), SKOS.Concept)
        bilingual(graph, concept, SKOS.prefLabel, zh, en)
        graph.add((concept, SKOS.inScheme, URIRef(links.theme())))
        graph.add((dataset, DCAT.theme, concept))
        if eu_code:
            eu = typed(graph, EU + "data-theme/" + eu_code, SKOS.Concept)
            bilingual(graph, eu, SKOS.prefLabel, *EU_THEMES[eu_code])
            graph.add((eu, SKOS.inScheme, URIRef(EU + "data-theme")))
            graph.add((dataset, DCAT.theme, eu))


def _add_publisher(graph: Graph, dataset: URIRef, package: Package, links: Links) -> None:
    organization = package.organization
    if organization is None or not organization.name:
        return
    agent = typed(graph, links.organization(organization.name), FOAF.Agent)
    graph.add((agent, RDF.type, FOAF.Organization))
    name = organization.title or organization.name
    bilingual(graph, agent, FOAF.name, name, organization.title_en)
    if organization.credit_code:
        # 统一社会信用代码: the legal identifier of a Chinese organisation (GB 32100).
        graph.add((agent, DCTERMS.identifier, Literal(organization.credit_code)))
    graph.add((dataset, DCTERMS.publisher, agent))


def _add_contact(graph: Graph, dataset: URIRef, package: Package, links: Links) -> None:
    contact = package.contact
    if contact is None or not contact.model_fields_set:  # absent, or written as `{}`
        return
    node = links.node(package.name, "contact")
    graph.add((node, RDF.type, VCARD.Kind))
    graph.add((node, RDF.type, VCARD.Organization))
    if contact.name:
        graph.add((node, VCARD.fn, Literal(contact.name)))
    if is_email(contact.email):  # a version published before emails were checked
        graph.add((node, VCARD.hasEmail, URIRef(f"mailto:{contact.email}")))
    graph.add((dataset, DCAT.contactPoint, node))


def _add_frequency(graph: Graph, dataset: URIRef, package: Package) -> None:
    code = FREQUENCY_EU_CODES.get(package.frequency or "")
    if code:
        frequency = typed(graph, EU + "frequency/" + code, DCTERMS.Frequency)
        graph.add((dataset, DCTERMS.accrualPeriodicity, frequency))


def _add_access_rights(graph: Graph, dataset: URIRef, package: Package) -> None:
    code = ACCESS_RIGHT_EU_CODES.get(package.access_level or "")
    if code:
        rights = typed(graph, EU + "access-right/" + code, DCTERMS.RightsStatement)
        graph.add((dataset, DCTERMS.accessRights, rights))


def _add_temporal(graph: Graph, dataset: URIRef, package: Package, links: Links) -> None:
    temporal = package.temporal
    if temporal is None or not (temporal.start or temporal.end):
        return
    period = links.node(package.name, "temporal")
    graph.add((period, RDF.type, DCTERMS.PeriodOfTime))
    for start, end in ((DCAT.startDate, DCAT.endDate), (SCHEMA.startDate, SCHEMA.endDate)):
        add_date(graph, period, start, str(temporal.start or ""))
        add_date(graph, period, end, str(temporal.end or ""))
    graph.add((dataset, DCTERMS.temporal, period))


def _add_spatial(
    graph: Graph, dataset: URIRef, package: Package, links: Links, regions: RegionNames
) -> None:
    """One dct:Location covering every region of the dataset (see the module doc)."""
    if not package.spatial:
        return
    coverage = URIRef(coverage_iri(links.base, package.name))
    graph.add((coverage, RDF.type, DCTERMS.Location))
    names = [region_names(code, regions) for code in package.spatial]
    zh, en = coverage_names(package.spatial, regions)
    bilingual(graph, coverage, SKOS.prefLabel, zh, en)
    graph.add((coverage, RDFS.label, Literal(zh, lang="zh")))
    graph.add((dataset, DCTERMS.spatial, coverage))
    for code, (name_zh, name_en) in zip(package.spatial, names, strict=True):
        region = typed(graph, links.region(code), DCTERMS.Location)
        graph.add((region, SKOS.notation, Literal(code)))
        graph.add((region, DCTERMS.identifier, Literal(code)))
        bilingual(graph, region, SKOS.prefLabel, name_zh, name_en)
        graph.add((coverage, DCTERMS.hasPart, region))
        if code == NATIONAL:
            china = typed(graph, EU + "country/CHN", DCTERMS.Location)
            graph.add((region, SKOS.exactMatch, china))


def _add_sources(graph: Graph, dataset: URIRef, package: Package, links: Links) -> None:
    if not package.sources:
        return
    source_class = links.vocabulary("SourcePublication")
    graph.add((source_class, RDFS.subClassOf, DCAT.Dataset))
    graph.add((source_class, RDFS.label, Literal("Source publication", lang="en")))
    graph.add((source_class, RDFS.label, Literal("来源文献", lang="zh")))
    titles = []
    for number, source in enumerate(package.sources, start=1):
        title = source.title or source.path or f"source {number}"
        titles.append(title)
        if _is_web(source.path):
            node = URIRef(str(source.path))
        else:
            node = links.node(package.name, f"source-{source.id or number}")
        graph.add((node, RDF.type, source_class))
        graph.add((node, DCTERMS.title, Literal(title)))
        description = _source_description(package, source.reliability_tier)
        graph.add((node, DCTERMS.description, Literal(description)))
        if _is_web(source.path):
            graph.add((node, DCAT.landingPage, typed(graph, str(source.path), FOAF.Document)))
        graph.add((dataset, DCTERMS.source, node))
    _add_provenance(graph, dataset, package.name, titles, links)


def _add_provenance(
    graph: Graph, dataset: URIRef, slug: str, titles: list[str], links: Links
) -> None:
    provenance = links.node(slug, "provenance")
    graph.add((provenance, RDF.type, DCTERMS.ProvenanceStatement))
    graph.add((provenance, RDFS.label, Literal("数据摘录自：" + "；".join(titles), lang="zh")))
    graph.add((provenance, RDFS.label, Literal("Compiled from: " + "; ".join(titles), lang="en")))
    graph.add((dataset, DCTERMS.provenance, provenance))


def _source_description(package: Package, tier: object) -> str:
    text = f"Source of figures in {package.title_en or package.name}"
    return f"{text} (reliability tier {tier})." if tier else f"{text}."


def _is_web(path: str | None) -> bool:
    return path is not None and path.startswith(("http://", "https://"))
