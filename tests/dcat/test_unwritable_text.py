"""A published version whose texts hold what XML forbids still gives well-formed DCAT.

New descriptors refuse control characters (`catalog.store` text faults), but a version
published before that rule may hold them: here one is written straight into the store, as an
older publisher left it, and every serialisation of every DCAT answer must still parse, with
U+FFFD where a forbidden character was.
"""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS

from catalog.metadata import serialize_graph
from catalog.store import DESCRIPTOR, REPORT, Publisher, Store, resource_file
from tests.conftest import write_regions, write_wages
from tests.servers import open_test_store, serving

# rdflib's own JSON-LD and N3 parsers still use its deprecated graph classes.
pytestmark = [
    pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:Dataset.default_context is deprecated:DeprecationWarning"),
]

# Every kind XML 1.0 forbids, and a lone surrogate, which no UTF-8 carries.
FORBIDDEN = "\x01\x0b\x1f\ufffe\uffff\ud800"
TITLE = f"工资{FORBIDDEN}统计"
REPLACED = "工资" + "\ufffd" * len(FORBIDDEN) + "统计"
KEYWORD = "坏\x0c词"
SOURCE = "https://example.org/bulletin\x01"
PARSERS = {"ttl": "turtle", "n3": "n3", "jsonld": "json-ld", "rdf": "xml", "xml": "xml"}


def version_files(store: Store, slug: str, version: str) -> list[str]:
    """Every file of a published version, read through the `Store` (a folder or a bucket)."""
    names = [DESCRIPTOR, REPORT]
    for item in store.package(slug, version).resources:
        names += [resource_file(item.name), *(d.path for d in item.downloads or [])]
    return [name for name in names if store.has_file(slug, version, name)]


def publish_unwritable(store: Store, slug: str) -> None:
    """A new current version of `slug` whose texts hold forbidden characters, committed to
    the store directly (no descriptor check runs)."""
    current = store.current(slug)
    assert current is not None
    with store.writing(slug) as staging:
        for name in version_files(store, slug, current):
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(store.local_path(slug, current, name), staging / name)
        path = staging / "datapackage.json"
        descriptor = json.loads(path.read_text(encoding="utf-8"))
        descriptor["title"] = TITLE
        descriptor["keywords"] = [*descriptor["keywords"], KEYWORD]
        descriptor["sources"][0]["path"] = SOURCE
        descriptor["resources"][0]["title"] = f"表{FORBIDDEN}"
        # ensure_ascii: the lone surrogate is written as the JSON escape an old file holds.
        path.write_text(json.dumps(descriptor, ensure_ascii=True), encoding="utf-8")
        store.commit(slug, staging, "v-unwritable", expected_current=current)


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("unwritable")
    datasets, store_dir = root / "datasets", root / "store"
    write_regions(datasets)
    write_wages(datasets)
    store = open_test_store(store_dir)
    publisher = Publisher(store, datasets)
    for source in publisher.plan(list(publisher.sources().values())):
        publisher.build(source)
    publish_unwritable(store, "wages-test")
    return store_dir


@pytest.fixture(scope="module")
def server(store_dir: Path) -> Iterator[str]:
    with serving(store_dir) as running:
        yield running.url


def parsed(body: bytes, extension: str) -> Graph:
    if PARSERS[extension] == "xml":
        ET.fromstring(body)  # well-formed XML, not only what rdflib's parser forgives
    return Graph().parse(data=body, format=PARSERS[extension])


def titles(graph: Graph) -> set[str]:
    return {str(title) for title in graph.objects(None, DCTERMS.title)}


@pytest.mark.parametrize("extension", list(PARSERS))
def test_every_serialisation_of_the_dataset_parses_with_replacement_characters(
    server: str, extension: str
) -> None:
    answer = httpx.get(f"{server}/dataset/wages-test.{extension}", timeout=60)
    assert answer.status_code == 200, answer.text
    graph = parsed(answer.content, extension)
    assert REPLACED in titles(graph)
    assert "表" + "\ufffd" * len(FORBIDDEN) in titles(graph)
    assert "坏\ufffd词" in {str(k) for k in graph.objects(None, DCAT.keyword)}
    assert URIRef("https://example.org/bulletin\ufffd") in set(graph.objects())
    assert not any(c in answer.text for c in "\x01\x0b\x0c\x1f\ufffe\uffff\ud800")


@pytest.mark.parametrize("extension", ["rdf", "ttl", "jsonld"])
def test_the_catalogue_holding_the_version_parses(server: str, extension: str) -> None:
    answer = httpx.get(f"{server}/catalog.{extension}", timeout=60)
    assert answer.status_code == 200, answer.text
    assert REPLACED in titles(parsed(answer.content, extension))


@pytest.mark.parametrize("action", ["dcat_dataset_show", "dcat_catalog_show"])
def test_the_dcat_actions_answer_well_formed_rdf_xml(server: str, action: str) -> None:
    answer = httpx.post(f"{server}/api/3/action/{action}", json={"id": "wages-test"}, timeout=60)
    assert answer.status_code == 200, answer.text
    graph = parsed(answer.json()["result"].encode("utf-8"), "rdf")
    assert REPLACED in titles(graph)


def test_the_served_version_holds_the_forbidden_characters(store_dir: Path) -> None:
    # What the other tests read is this version: its descriptor keeps every character; the
    # store reads each as U+FFFD, so no surface (HTML, CSV, JSON, RDF) serves one.
    store = open_test_store(store_dir)
    assert store.current("wages-test") == "v-unwritable"
    written = json.loads(store.local_path("wages-test", "v-unwritable", DESCRIPTOR).read_text())
    assert written["title"] == TITLE
    assert store.package("wages-test").title == REPLACED


@pytest.mark.parametrize("extension", list(PARSERS))
def test_a_lone_surrogate_is_written_as_a_replacement_character(extension: str) -> None:
    graph = Graph()
    dataset = URIRef("https://example.org/dataset/x")
    graph.add((dataset, DCTERMS.title, Literal("孤\ud800立", lang="zh")))
    graph.add((dataset, DCTERMS.source, URIRef("https://example.org/\udfff")))
    back = parsed(serialize_graph(graph, extension), extension)
    assert titles(back) == {"孤\ufffd立"}
    assert set(back.objects(dataset, DCTERMS.source)) == {URIRef("https://example.org/%EF%BF%BD")}


def test_a_graph_with_nothing_forbidden_is_written_unchanged() -> None:
    graph = Graph()
    graph.add((URIRef("https://example.org/d"), DCTERMS.title, Literal("制表\t符\n", lang="zh")))
    assert titles(parsed(serialize_graph(graph, "rdf"), "rdf")) == {"制表\t符\n"}


@pytest.mark.parametrize(
    "path",
    [
        "/api/3/action/package_show?id=wages-test",
        "/api/3/action/package_search?q=工资",
        "/api/v1/datasets/wages-test",
        "/api/v1/datasets?q=工资",
        "/dataset/wages-test",
        "/dataset?q=工资",
        "/catalog/register.json",
        "/catalog/register.csv",
        "/data.json",
    ],
)
def test_every_other_surface_serves_the_version_without_failing(server: str, path: str) -> None:
    """A lone surrogate made the catalogue index fail to load, and every route a 500; the
    controls went raw into the HTML pages and the register's CSV."""
    answer = httpx.get(server + path, timeout=60)
    assert answer.status_code == 200, answer.text[:300]
    body = answer.content.decode("utf-8")
    assert not any(c in body for c in FORBIDDEN)
    assert "\\u0001" not in body and "\\ufffe" not in body.lower()  # nor as JSON escapes
    assert "\ufffd" in body or "\\ufffd" in body.lower()  # the title is served, replaced
