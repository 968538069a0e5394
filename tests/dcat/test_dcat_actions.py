"""ckanext-dcat 2.4's actions on a real server: `dcat_dataset_show`, `dcat_catalog_show`,
`dcat_catalog_search`, with its arguments, paging, order and errors (ckanext/dcat/logic.py)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from rdflib import RDF, Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS

from catalog.metadata.rdf import HYDRA
from tests.dcat.conftest import BASE_URL, PAGE_SIZE, History
from tests.servers import serving

pytestmark = [
    pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:Dataset.default_context is deprecated:DeprecationWarning"),
]
PARSERS = {
    "ttl": "turtle",
    "turtle": "turtle",
    "n3": "n3",
    "jsonld": "json-ld",
    "json-ld": "json-ld",
    "rdf": "xml",
    "xml": "xml",
    "pretty-xml": "xml",
}
WRONG_PAGE = "Page param must be a positive integer starting in 1"


@pytest.fixture(scope="module")
def server(history: History) -> Iterator[str]:
    env = {
        "OPENDATA_BASE_URL": BASE_URL,
        "OPENDATA_CATALOG_PAGE_SIZE": str(PAGE_SIZE),
        "OPENDATA_DATASETS": str(history.datasets),
    }
    with serving(history.store, env=env) as running:
        yield running.url


def call(server: str, action: str, **data: Any) -> httpx.Response:
    return httpx.post(f"{server}/api/3/action/{action}", json=data, timeout=60)


def result(server: str, action: str, **data: Any) -> str:
    answer = call(server, action, **data)
    assert answer.status_code == 200, answer.text
    text = answer.json()["result"]
    assert isinstance(text, str)
    return text


def graph_of(text: str, rdf_format: str = "xml") -> Graph:
    if rdf_format == "xml":
        ET.fromstring(text.encode("utf-8"))
    return Graph().parse(data=text, format=rdf_format)


def datasets(graph: Graph) -> set[str]:
    return {str(node).rsplit("/", 1)[1] for node in graph.subjects(RDF.type, DCAT.Dataset)}


def error(answer: httpx.Response, status: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert body["success"] is False
    found: dict[str, Any] = body["error"]
    return found


def test_dataset_show_answers_rdf_xml_by_default(server: str) -> None:
    graph = graph_of(result(server, "dcat_dataset_show", id="wages-test"))
    dataset = URIRef(f"{BASE_URL}/dataset/wages-test")
    assert (dataset, RDF.type, DCAT.Dataset) in graph
    shown = httpx.get(f"{server}/api/3/action/package_show?id=wages-test", timeout=60).json()
    titles = {str(t) for t in graph.objects(dataset, DCTERMS.title)}
    assert shown["result"]["title"] in titles


@pytest.mark.parametrize("rdf_format", list(PARSERS))
def test_dataset_show_serialises_in_each_format_ckanext_dcat_takes(
    server: str, rdf_format: str
) -> None:
    text = result(server, "dcat_dataset_show", id="wages-test", format=rdf_format)
    assert datasets(graph_of(text, PARSERS[rdf_format])) == {"wages-test"}


def test_dataset_show_finds_a_dataset_by_its_ckan_id_and_is_the_dataset_document(
    server: str,
) -> None:
    shown = httpx.get(f"{server}/api/3/action/package_show?id=wages-test", timeout=60).json()
    by_id = result(server, "dcat_dataset_show", id=shown["result"]["id"], format="ttl")
    assert by_id == result(server, "dcat_dataset_show", id="wages-test", format="ttl")
    document = httpx.get(f"{server}/dataset/wages-test.ttl", timeout=60).text
    assert by_id == document


def test_dataset_show_takes_profiles_as_a_list_or_comma_separated(server: str) -> None:
    listed = result(server, "dcat_dataset_show", id="wages-test", profiles=["euro_dcat_ap_2"])
    joined = result(server, "dcat_dataset_show", id="wages-test", profiles="euro_dcat_ap,schemaorg")
    assert listed == joined
    refused = error(call(server, "dcat_dataset_show", id="wages-test", profiles=["nope"]), 409)
    assert refused["__type"] == "Validation Error"
    assert refused["message"].startswith("Unknown RDF profiles: nope")


def test_catalogue_profiles_are_bounded_in_the_actions_too(server: str) -> None:
    many = error(call(server, "dcat_catalog_show", profiles=["nope"] * 100_000), 409)
    assert many["message"] == "profiles is 499999 characters long; at most 1024"
    listed = [f"p{n}" for n in range(20)]
    unknown = error(call(server, "dcat_catalog_search", profiles=listed), 409)
    assert unknown["message"] == "20 different profiles; at most 8"
    twice = result(server, "dcat_catalog_show", format="ttl", profiles=["euro_dcat_ap_2"] * 3)
    links = {str(o) for o in graph_of(twice, "turtle").objects(None, HYDRA.first)}
    expected = "dcat_catalog_show?format=ttl&profiles=euro_dcat_ap_2&page=1"
    assert links == {f"{BASE_URL}/api/3/action/{expected}"}


def test_dataset_show_errors_are_ckans(server: str) -> None:
    missing = error(call(server, "dcat_dataset_show"), 409)
    assert missing == {"__type": "Validation Error", "name_or_id": ["Missing value"]}
    for name in ("no-such-dataset", "series-07"):  # unknown, withdrawn
        unknown = error(call(server, "dcat_dataset_show", id=name), 404)
        assert unknown == {"__type": "Not Found Error", "message": "Not found"}
    wrong = error(call(server, "dcat_dataset_show", id="wages-test", format="csv"), 409)
    assert "Unknown RDF format 'csv'" in wrong["message"]


def walk(server: str, action: str, **data: Any) -> list[Graph]:
    """Every page of a catalogue action, following hydra:next (rebased on `server`)."""
    pages = [graph_of(result(server, action, **data))]
    while True:
        following = list(pages[-1].objects(None, HYDRA.next))
        if not following:
            return pages
        assert len(pages) < 10
        url = str(following[0]).replace(BASE_URL, server)
        answer = httpx.get(url, timeout=60)
        assert answer.status_code == 200, answer.text
        pages.append(graph_of(answer.json()["result"]))


@pytest.mark.parametrize("action", ["dcat_catalog_show", "dcat_catalog_search"])
def test_catalogue_pages_hold_every_dataset_once_newest_change_first(
    server: str, history: History, action: str
) -> None:
    pages = walk(server, action)
    assert len(pages) == -(-len(history.served) // PAGE_SIZE)
    order: list[str] = []
    for graph in pages:
        assert len(datasets(graph)) <= PAGE_SIZE
        modified = {
            str(d).rsplit("/", 1)[1]: str(m)
            for d in graph.subjects(RDF.type, DCAT.Dataset)
            for m in graph.objects(d, DCTERMS.modified)
        }
        order += sorted(modified, key=lambda slug: (modified[slug], slug), reverse=True)
        stamps = [modified[slug] for slug in order[-len(modified) :]]
        assert stamps == sorted(stamps, reverse=True)
    assert sorted(order) == sorted(history.served)
    # The changes of the second round come first: ckanext-dcat's `metadata_modified desc`.
    assert set(order[:3]) == history.updated | history.added


def test_catalogue_paging_is_ckanext_dcats(server: str, history: History) -> None:
    graph = graph_of(result(server, "dcat_catalog_show", q="合成", format="rdf"))
    (page,) = set(graph.subjects(RDF.type, HYDRA.PagedCollection))
    assert str(page).startswith(f"{BASE_URL}/api/3/action/dcat_catalog_show?")
    assert "format=rdf" in str(page) and "page=1" in str(page)
    (following,) = set(graph.objects(page, HYDRA.next))
    assert "q=%E5%90%88%E6%88%90" in str(following) and str(following).endswith("page=2")
    assert int(next(graph.objects(page, HYDRA.itemsPerPage))) == PAGE_SIZE
    past = graph_of(result(server, "dcat_catalog_show", page=99))
    assert datasets(past) == set()
    last = -(-len(history.served) // PAGE_SIZE)
    (previous,) = set(past.objects(None, HYDRA.previous))
    assert str(previous).endswith(f"page={last}")
    nothing = graph_of(result(server, "dcat_catalog_show", q="zzzznothingmatches"))
    assert set(nothing.subjects(RDF.type, HYDRA.PagedCollection)) == set()


def test_catalogue_page_arguments_are_read_as_ckanext_dcat_reads_them(
    server: str, history: History
) -> None:
    assert result(server, "dcat_catalog_show", page=0) == result(server, "dcat_catalog_show")
    assert datasets(graph_of(result(server, "dcat_catalog_show", page="2")))
    # Strictly an integer: ckanext-dcat's int() would take 1.9, true and a full-width ２.
    for page in ("abc", -1, "0", "1.5", [1], 1.9, 2.0, True, "２", " 2", "+2", "1e3"):
        refused = error(call(server, "dcat_catalog_show", page=page), 409)
        assert refused == {"__type": "Validation Error", "message": WRONG_PAGE}, page
    huge = graph_of(result(server, "dcat_catalog_show", page=10**15))
    assert datasets(huge) == set()
    since = graph_of(result(server, "dcat_catalog_show", modified_since=history.since))
    assert datasets(since) == history.updated | history.added
    wrong = error(call(server, "dcat_catalog_show", modified_since="yesterday"), 409)
    assert wrong["message"] == "Wrong modified date format. Use ISO-8601 format"


def test_catalogue_actions_answer_get_with_query_arguments(server: str) -> None:
    answer = httpx.get(
        f"{server}/api/3/action/dcat_catalog_search",
        params={"fq": "groups:employment", "format": "ttl", "profiles": "euro_dcat_ap_3"},
        timeout=60,
    )
    assert answer.status_code == 200, answer.text
    found = datasets(graph_of(answer.json()["result"], "turtle"))
    assert found and len(found) <= PAGE_SIZE
