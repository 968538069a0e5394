"""The forms ckanext-dcat serves and reads: every extension, `?format=`, a bounded `rows`, and
literals tagged with the language they are written in, Chinese first."""

from __future__ import annotations

import httpx
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, RDFS, SKOS

from catalog.metadata import language_of
from catalog.metadata.rdf import DCAT_VERSION, HYDRA, SCHEMA
from tests.dcat.conftest import BASE_URL, History
from tests.servers import open_test_store

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning"),
    # rdflib's own N3 parser uses its deprecated Dataset.default_context.
    pytest.mark.filterwarnings("ignore:Dataset.default_context is deprecated:DeprecationWarning"),
]
# extension → (rdflib parser, media type), as ckanext-dcat's CONTENT_TYPES has them
FORMS = {
    "ttl": ("turtle", "text/turtle"),
    "n3": ("n3", "text/n3"),
    "jsonld": ("json-ld", "application/ld+json"),
    "rdf": ("xml", "application/rdf+xml"),
    "xml": ("xml", "application/rdf+xml"),
}


async def parse(response: httpx.Response, extension: str) -> Graph:
    assert response.status_code == 200, response.text
    parser, media_type = FORMS[extension]
    assert response.headers["content-type"].startswith(media_type)
    return Graph().parse(data=response.content, format=parser)


@pytest.mark.parametrize("extension", sorted(FORMS))
async def test_catalogue_and_dataset_answer_in_every_form(
    client: httpx.AsyncClient, extension: str
) -> None:
    catalogue = await parse(await client.get(f"/catalog.{extension}"), extension)
    assert (URIRef(f"{BASE_URL}/catalog"), DCAT.dataset, None) in catalogue
    by_query = await parse(await client.get("/catalog", params={"format": extension}), extension)
    assert set(by_query.objects(None, DCAT.dataset)) == set(catalogue.objects(None, DCAT.dataset))
    dataset = await parse(await client.get(f"/dataset/wages-test.{extension}"), extension)
    assert (URIRef(f"{BASE_URL}/dataset/wages-test"), DCTERMS.identifier, None) in dataset


async def test_format_wins_over_accept_and_an_unknown_one_is_refused(
    client: httpx.AsyncClient,
) -> None:
    answer = await client.get("/catalog?format=n3", headers={"Accept": "application/ld+json"})
    assert answer.headers["content-type"].startswith("text/n3")
    assert (await client.get("/catalog?format=html")).status_code in (400, 422)
    assert (await client.get("/catalog.html")).status_code in (400, 404, 422)


async def test_rows_sets_the_page_size_within_bounds(
    client: httpx.AsyncClient, history: History
) -> None:
    graph = await parse(await client.get("/catalog.ttl?rows=3"), "ttl")
    page = URIRef(f"{BASE_URL}/catalog.ttl?rows=3&page=1")
    assert len(set(graph.objects(None, DCAT.dataset))) == 3
    assert graph.value(page, HYDRA.itemsPerPage) == Literal(3)
    last = -(-len(history.served) // 3)
    assert graph.value(page, HYDRA.last) == URIRef(f"{BASE_URL}/catalog.ttl?rows=3&page={last}")
    assert graph.value(page, HYDRA.next) == URIRef(f"{BASE_URL}/catalog.ttl?rows=3&page=2")
    for bad in ("0", "1001", "-1", "many"):
        answer = await client.get(f"/catalog.ttl?rows={bad}")
        assert answer.status_code in (400, 422), bad
        assert "rows" in answer.text


async def test_chinese_literals_come_first_in_every_form(client: httpx.AsyncClient) -> None:
    """ckanext-dcat under `zh_Hans_CN` keeps a property's first literal as parsed, in document
    order; rdflib's writers would put `@en` first (sorted) without ours."""
    node = URIRef(f"{BASE_URL}/dataset/wages-test")
    for extension in FORMS:
        graph = await parse(await client.get(f"/dataset/wages-test.{extension}"), extension)
        for predicate in (DCTERMS.title, DCTERMS.description):
            languages = [o.language for o in graph.objects(node, predicate)]  # type: ignore[attr-defined]
            assert languages == ["zh", "en"], (extension, predicate)


async def test_descriptions_are_tagged_with_their_own_language(
    client: httpx.AsyncClient, history: History
) -> None:
    graph = await parse(await client.get("/catalog.ttl?rows=100"), "ttl")
    descriptions = list(graph.subject_objects(DCTERMS.description))
    assert descriptions
    for _node, literal in descriptions:
        assert isinstance(literal, Literal)
        if literal.language is not None:
            assert literal.language == language_of(str(literal)), str(literal)
    assert language_of("Every printed figure (社保 → 社会保险)") == "en"
    assert language_of("贵州省 CPI 数据") == "zh"


async def test_version_temporal_and_spatial_as_every_profile_reads_them(
    client: httpx.AsyncClient, history: History
) -> None:
    graph = await parse(await client.get("/dataset/wages-test.ttl"), "ttl")
    node = URIRef(f"{BASE_URL}/dataset/wages-test")
    version = Literal(open_test_store(history.store).current("wages-test"))
    assert graph.value(node, DCAT_VERSION) == graph.value(node, OWL.versionInfo) == version
    period = graph.value(node, DCTERMS.temporal)
    assert str(graph.value(period, SCHEMA.startDate)) == "2020"
    assert str(graph.value(period, SCHEMA.endDate)) == "2022"
    (coverage,) = graph.objects(node, DCTERMS.spatial)
    assert coverage == URIRef(f"{BASE_URL}/dataset/wages-test#spatial")
    region = URIRef(f"{BASE_URL}/regions/520000")
    assert (coverage, DCTERMS.hasPart, region) in graph
    assert graph.value(region, SKOS.notation) == Literal("520000")
    # this store serves no region-codes list: a region it cannot name is labelled by its code
    # (tests/harvest checks the names against the real region code list)
    assert graph.value(coverage, RDFS.label) == Literal("520000", lang="zh")
    assert graph.value(region, SKOS.prefLabel) == Literal("520000", lang="zh")
