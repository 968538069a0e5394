"""ckanext-dcat 2.4's answers where ours could differ: `/dataset/{slug}?format=`, the
`profiles` parameter, and a page past the last of the hydra catalogue (ckanext/dcat/utils.py
`read_dataset_page`, `read_catalog_page`; processors.py `_load_profiles`; logic.py
`_pagination_info`)."""

from __future__ import annotations

import httpx
import pytest
from rdflib import RDF, Graph, URIRef
from rdflib.namespace import DCAT

from catalog.metadata import RDF_PROFILES
from catalog.metadata.rdf import HYDRA
from catalog.search import catalogue_uuid
from tests.dcat.conftest import BASE_URL

pytestmark = [
    pytest.mark.anyio,
    # rdflib's own N3 and JSON-LD parsers still use its deprecated dataset API internally.
    pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:Dataset.default_context is deprecated:DeprecationWarning"),
]
DATASET = f"{BASE_URL}/dataset/series-01"


def graph_of(response: httpx.Response, rdf_format: str) -> Graph:
    assert response.status_code == 200, response.text
    return Graph().parse(data=response.content, format=rdf_format)


@pytest.mark.parametrize(
    ("extension", "media_type", "rdf_format"),
    [
        ("ttl", "text/turtle", "turtle"),
        ("n3", "text/n3", "n3"),
        ("jsonld", "application/ld+json", "json-ld"),
        ("rdf", "application/rdf+xml", "xml"),
        ("xml", "application/rdf+xml", "xml"),
    ],
)
async def test_dataset_page_with_format_is_the_dcat_document(
    client: httpx.AsyncClient, extension: str, media_type: str, rdf_format: str
) -> None:
    asked = await client.get(f"/dataset/series-01?format={extension}")
    assert asked.headers["content-type"] == f"{media_type}; charset=utf-8"
    by_path = await client.get(f"/dataset/series-01.{extension}")
    assert asked.content == by_path.content  # the very document of `/dataset/{slug}.{ext}`
    assert (URIRef(DATASET), RDF.type, DCAT.Dataset) in graph_of(asked, rdf_format)


async def test_dataset_page_stays_html_and_refuses_an_unknown_format(
    client: httpx.AsyncClient,
) -> None:
    for url in ("/dataset/series-01", "/dataset/series-01?format=html"):
        page = await client.get(url)
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
    wrong = await client.get("/dataset/series-01?format=csv")
    assert wrong.status_code == 400
    assert "unknown format 'csv'" in wrong.json()["detail"]
    assert (await client.get("/dataset/no-such-dataset?format=ttl")).status_code == 404
    assert (await client.get("/dataset/series-07?format=ttl")).status_code == 410


@pytest.mark.parametrize("profiles", [*RDF_PROFILES, "euro_dcat_ap_2,euro_dcat_ap_scheming"])
async def test_every_profile_ckanext_dcat_registers_gets_the_one_graph(
    client: httpx.AsyncClient, profiles: str
) -> None:
    plain = await client.get("/dataset/series-01.ttl")
    shown = await client.get("/dataset/series-01.ttl", params={"profiles": profiles})
    assert shown.content == plain.content
    page = await client.get("/catalog.ttl", params={"profiles": profiles})
    assert page.status_code == 200
    # The paging links keep the parameter, as ckanext-dcat's do.
    graph = graph_of(page, "turtle")
    (current,) = graph.subjects(RDF.type, HYDRA.PagedCollection)
    assert f"profiles={profiles.replace(',', '%2C')}" in str(graph.value(current, HYDRA.next))


@pytest.mark.parametrize(
    "url", ["/catalog.ttl", "/catalog", "/dataset/series-01.ttl", "/dataset/series-01"]
)
async def test_an_unknown_profile_is_400_naming_it(client: httpx.AsyncClient, url: str) -> None:
    params = {"profiles": "euro_dcat_ap,dcat_ap_it", "format": "ttl"}
    answer = await client.get(url, params=params)
    assert answer.status_code == 400
    assert answer.json()["detail"].startswith("Unknown RDF profiles: dcat_ap_it;")


async def test_a_page_past_the_last_is_empty_with_previous_the_last_page(
    client: httpx.AsyncClient,
) -> None:
    """ckanext-dcat's `_pagination_info`: 200, no dataset, `previous` is the last page."""
    first = graph_of(await client.get("/catalog.ttl"), "turtle")
    (current,) = first.subjects(RDF.type, HYDRA.PagedCollection)
    last = first.value(current, HYDRA.last)
    graph = graph_of(await client.get("/catalog.ttl?page=40"), "turtle")
    assert not list(graph.objects(URIRef(f"{BASE_URL}/catalog"), DCAT.dataset))
    page = URIRef(f"{BASE_URL}/catalog.ttl?page=40")
    assert graph.value(page, HYDRA.previous) == last
    assert graph.value(page, HYDRA.next) is None


async def test_a_search_that_finds_nothing_has_no_paging(client: httpx.AsyncClient) -> None:
    """ckanext-dcat gives no pagination for a count of 0: the bare, empty catalogue."""
    graph = graph_of(await client.get("/catalog.ttl?q=zzzqqqnothing"), "turtle")
    assert (URIRef(f"{BASE_URL}/catalog"), RDF.type, DCAT.Catalog) in graph
    assert not list(graph.subjects(RDF.type, HYDRA.PagedCollection))
    assert not list(graph.objects(URIRef(f"{BASE_URL}/catalog"), DCAT.dataset))


async def test_a_dataset_document_is_found_by_its_id_too(client: httpx.AsyncClient) -> None:
    # ckanext-dcat's /dataset/{id}.ttl takes the package id (package_show's UUID) or name.
    by_name = await client.get("/dataset/series-01.ttl")
    found = await client.get(f"/dataset/{catalogue_uuid('dataset', 'series-01')}.ttl")
    assert by_name.status_code == 200 and found.content == by_name.content
    unknown = await client.get(f"/dataset/{catalogue_uuid('dataset', 'no-such')}.ttl")
    assert unknown.status_code == 404
