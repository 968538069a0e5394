"""The DCAT-AP 3 catalogue: SHACL conformance of every page, paging, filters, negotiation."""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path

import httpx
import pytest
from pyshacl import validate
from rdflib import RDF, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF

from api import create_app
from catalog.metadata import published_bytes
from catalog.metadata.rdf import DCAT_VERSION, EU, HYDRA, SPDX, VCARD
from catalog.metadata.vocabularies import OPEN_DEFINITION
from tests.dcat.conftest import BASE_URL, PAGE_SIZE, History, settings_for
from tests.servers import open_test_store

pytestmark = [
    pytest.mark.anyio,
    # rdflib's own JSON-LD parser still builds a ConjunctiveGraph internally.
    pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning"),
]

SHAPES = Path(__file__).parent / "data" / "dcat-ap-3.0.0-SHACL.ttl"
SHAPES_SHA256 = "92f76609d78d257123e75bc6b7155df5cc0a63f14c29fbc12b0ac95c56af2059"
RDFLIB_FORMATS = {"ttl": "turtle", "jsonld": "json-ld", "rdf": "xml"}
MEDIA_TYPES = {"ttl": "text/turtle", "jsonld": "application/ld+json", "rdf": "application/rdf+xml"}


@pytest.fixture(scope="session")
def shapes() -> Graph:
    return Graph().parse(SHAPES, format="turtle")


def conformance(graph: Graph, shapes: Graph) -> tuple[bool, str]:
    conforms, _report, text = validate(graph, shacl_graph=shapes, inference="rdfs")
    return bool(conforms), str(text)


async def fetch_graph(client: httpx.AsyncClient, url: str, extension: str) -> Graph:
    response = await client.get(url)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(MEDIA_TYPES[extension])
    return Graph().parse(data=response.content, format=RDFLIB_FORMATS[extension])


async def all_pages(client: httpx.AsyncClient, extension: str, **params: str) -> list[Graph]:
    """Every page of the catalogue, following hydra:next from page 1."""
    query = "&".join(f"{key}={value}" for key, value in params.items())
    url: str | None = f"/catalog.{extension}" + (f"?{query}" if query else "")
    pages = []
    while url is not None:
        graph = await fetch_graph(client, url, extension)
        pages.append(graph)
        following = [str(o) for o in graph.objects(None, HYDRA.next)]
        assert len(following) <= 1
        url = following[0].removeprefix(BASE_URL) if following else None
        assert len(pages) < 20, "hydra:next does not end"
    return pages


def dataset_slugs(graph: Graph) -> list[str]:
    catalog = URIRef(f"{BASE_URL}/catalog")
    return [str(o).rsplit("/", 1)[1] for o in graph.objects(catalog, DCAT.dataset)]


def test_shapes_file_is_the_official_copy() -> None:
    assert hashlib.sha256(SHAPES.read_bytes()).hexdigest() == SHAPES_SHA256


@pytest.mark.slow
@pytest.mark.parametrize("extension", ["ttl", "jsonld", "rdf"])
async def test_catalogue_every_page_conforms_to_dcat_ap_shapes(
    client: httpx.AsyncClient, shapes: Graph, extension: str
) -> None:
    pages = await all_pages(client, extension)
    assert len(pages) == 3
    for graph in pages:
        conforms, report = conformance(graph, shapes)
        assert conforms, report


@pytest.mark.slow
async def test_catalogue_shapes_catch_a_dataset_without_title(
    client: httpx.AsyncClient, shapes: Graph
) -> None:
    graph = await fetch_graph(client, "/catalog.ttl", "ttl")
    dataset = URIRef(f"{BASE_URL}/dataset/{dataset_slugs(graph)[0]}")
    graph.remove((dataset, DCTERMS.title, None))
    conforms, report = conformance(graph, shapes)
    assert not conforms
    assert "title" in report


@pytest.mark.slow
@pytest.mark.parametrize("extension", ["ttl", "jsonld", "rdf"])
async def test_dataset_documents_conform_to_dcat_ap_shapes(
    client: httpx.AsyncClient, shapes: Graph, history: History, extension: str
) -> None:
    merged = Graph()
    for slug in sorted(history.served):
        merged += await fetch_graph(client, f"/dataset/{slug}.{extension}", extension)
    assert set(merged.subjects(RDF.type, DCAT.Dataset)) >= {
        URIRef(f"{BASE_URL}/dataset/{slug}") for slug in history.served
    }
    conforms, report = conformance(merged, shapes)
    assert conforms, report


@pytest.mark.parametrize("extension", ["ttl", "jsonld", "rdf"])
async def test_catalogue_next_links_yield_every_dataset_once(
    client: httpx.AsyncClient, history: History, extension: str
) -> None:
    pages = await all_pages(client, extension)
    seen = Counter(slug for graph in pages for slug in dataset_slugs(graph))
    assert set(seen) == history.served
    assert set(seen.values()) == {1}


async def test_catalogue_paging_links_and_counts(
    client: httpx.AsyncClient, history: History
) -> None:
    graph = await fetch_graph(client, "/catalog.ttl?page=2", "ttl")
    page = URIRef(f"{BASE_URL}/catalog.ttl?page=2")
    assert (page, RDF.type, HYDRA.PagedCollection) in graph
    expected = {
        HYDRA.first: 1,
        HYDRA.firstPage: 1,
        HYDRA.last: 3,
        HYDRA.lastPage: 3,
        HYDRA.next: 3,
        HYDRA.nextPage: 3,
        HYDRA.previous: 1,
        HYDRA.previousPage: 1,
    }
    for predicate, number in expected.items():
        assert graph.value(page, predicate) == URIRef(f"{BASE_URL}/catalog.ttl?page={number}")
    assert graph.value(page, HYDRA.totalItems) == Literal(len(history.served), datatype=XSD.integer)
    assert graph.value(page, HYDRA.itemsPerPage) == Literal(PAGE_SIZE, datatype=XSD.integer)
    last = await fetch_graph(client, "/catalog.ttl?page=3", "ttl")
    assert last.value(URIRef(f"{BASE_URL}/catalog.ttl?page=3"), HYDRA.next) is None
    # Past the last page: empty, `previous` the last page (ckanext-dcat's answer; see
    # tests/dcat/test_ckanext_parity.py).
    past = await fetch_graph(client, "/catalog.ttl?page=4", "ttl")
    assert not set(past.objects(URIRef(f"{BASE_URL}/catalog"), DCAT.dataset))


async def test_catalogue_modified_since_returns_exactly_the_changed(
    client: httpx.AsyncClient, history: History
) -> None:
    pages = await all_pages(client, "ttl", modified_since=history.since)
    changed = [slug for graph in pages for slug in dataset_slugs(graph)]
    assert sorted(changed) == sorted(history.updated | history.added)
    everything = await all_pages(client, "ttl", modified_since="2000-01-01")
    assert {slug for graph in everything for slug in dataset_slugs(graph)} == history.served
    bad = await client.get("/catalog.ttl", params={"modified_since": "yesterday"})
    assert bad.status_code == 400
    assert bad.json()["parameter"] == "modified_since"


async def test_catalogue_q_and_fq_filter_and_keep_them_in_links(
    client: httpx.AsyncClient,
) -> None:
    found = await all_pages(client, "ttl", q="wages")
    assert [slug for graph in found for slug in dataset_slugs(graph)] == ["wages-test"]
    themed = await all_pages(client, "ttl", fq="groups:wages")
    # series-02 and series-10 have the `wages` theme (number % 8 == 2).
    assert sorted(slug for g in themed for slug in dataset_slugs(g)) == ["series-02", "series-10"]
    graph = await fetch_graph(client, "/catalog.ttl?fq=groups:employment", "ttl")
    links = {str(o) for o in graph.objects(None, HYDRA.first)}
    assert links == {f"{BASE_URL}/catalog.ttl?fq=groups%3Aemployment&page=1"}
    # As in package_search: a field CKAN's schema does not hold matches nothing (its
    # catch-all dynamic field), and a search that finds nothing has no paging.
    nothing = await fetch_graph(client, "/catalog.ttl?fq=colour:blue", "ttl")
    assert dataset_slugs(nothing) == []
    assert not set(nothing.objects(None, HYDRA.first))


@pytest.mark.parametrize(
    ("accept", "extension"),
    [
        ("text/turtle", "ttl"),
        ("application/ld+json", "jsonld"),
        ("application/rdf+xml", "rdf"),
        ("text/html;q=0.9, application/rdf+xml;q=0.8, application/ld+json;q=0.9", "jsonld"),
        ("*/*", "ttl"),
    ],
)
async def test_catalog_negotiates_the_accept_header(
    client: httpx.AsyncClient, accept: str, extension: str
) -> None:
    response = await client.get("/catalog", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(MEDIA_TYPES[extension])
    assert "Accept" in [v.strip() for v in response.headers["vary"].split(",")]
    assert response.headers["content-location"] == f"{BASE_URL}/catalog.{extension}"
    Graph().parse(data=response.content, format=RDFLIB_FORMATS[extension])


async def test_catalog_refuses_an_accept_it_cannot_serve(client: httpx.AsyncClient) -> None:
    response = await client.get("/catalog", headers={"Accept": "text/html"})
    assert response.status_code == 406
    assert response.headers["content-type"] == "application/problem+json"
    assert "items of Accept" not in response.json()["detail"]
    # An RDF type past the 100th item is not read, and the refusal says so.
    long = ", ".join(["text/plain"] * 100 + ["text/turtle"])
    late = await client.get("/catalog", headers={"Accept": long})
    assert late.status_code == 406
    assert late.json()["detail"].endswith("(only the first 100 items of Accept are read)")


@pytest.mark.parametrize(
    "url",
    [
        "/catalog.ttl",
        "/catalog.jsonld",
        "/catalog.rdf",
        "/catalog",
        "/dataset/wages-test.ttl",
        "/dataset/wages-test.jsonld",
        "/dataset/wages-test.rdf",
        "/data.json",
        "/feeds/changes.atom",
        "/api/v1/datasets/wages-test/schemaorg",
    ],
)
async def test_head_answers_with_the_content_type_of_get(
    client: httpx.AsyncClient, url: str
) -> None:
    got = await client.get(url)
    head = await client.head(url)
    assert head.status_code == got.status_code == 200
    assert head.headers["content-type"] == got.headers["content-type"]
    assert head.headers["etag"] == got.headers["etag"]


async def test_catalogue_answers_not_modified_for_a_known_etag(
    client: httpx.AsyncClient,
) -> None:
    first = await client.get("/catalog.ttl")
    again = await client.get("/catalog.ttl", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304


async def test_links_follow_trusted_forwarded_headers_only(history: History) -> None:
    headers = {
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "open.example.cn",
        "X-Forwarded-Prefix": "/hrss",
    }
    for trusted, expected in ((True, "https://open.example.cn/hrss"), (False, BASE_URL)):
        app = create_app(settings_for(history, trust_forwarded_headers=trusted))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            response = await http.get("/catalog.ttl", headers=headers)
        graph = Graph().parse(data=response.content, format="turtle")
        assert (URIRef(f"{expected}/catalog"), RDF.type, DCAT.Catalog) in graph
        downloads = {str(o) for o in graph.objects(None, DCAT.downloadURL)}
        assert downloads and all(url.startswith(f"{expected}/api/v1/") for url in downloads)


async def test_actions_link_on_the_trusted_forwarded_base_as_the_routes_do(
    history: History,
) -> None:
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "open.example.cn"}
    other = {**forwarded, "X-Forwarded-Host": "mirror.example.cn"}
    app = create_app(settings_for(history, trust_forwarded_headers=True))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as http:
        action = "/api/3/action/dcat_dataset_show?id=wages-test&format=ttl"
        shown = await http.get(action, headers=forwarded)
        document = await http.get("/dataset/wages-test.ttl", headers=forwarded)
        assert shown.json()["result"].encode("utf-8") == document.content
        assert "X-Forwarded-Host" in shown.headers["vary"]
        pages = {}
        for headers in (forwarded, other, forwarded):  # kept pages are kept per base URL
            answer = await http.get("/api/3/action/dcat_catalog_show?format=ttl", headers=headers)
            graph = Graph().parse(data=answer.json()["result"], format="turtle")
            base = f"https://{headers['X-Forwarded-Host']}/opendata"  # BASE_URL's path
            assert (URIRef(f"{base}/catalog"), RDF.type, DCAT.Catalog) in graph
            (first,) = {str(o) for o in graph.objects(None, HYDRA.first)}
            assert first == f"{base}/api/3/action/dcat_catalog_show?format=ttl&page=1"
            pages.setdefault(base, set()).add(answer.json()["result"])
        assert [len(kept) for kept in pages.values()] == [1, 1]


async def test_catalogue_profiles_are_echoed_once_and_bounded(client: httpx.AsyncClient) -> None:
    repeated = ",".join(["euro_dcat_ap_2"] * 60 + ["euro_dcat_ap_3"])  # 900 characters
    graph = await fetch_graph(client, f"/catalog.ttl?profiles={repeated}", "ttl")
    (first,) = {str(o) for o in graph.objects(None, HYDRA.first)}
    assert first == f"{BASE_URL}/catalog.ttl?profiles=euro_dcat_ap_2%2Ceuro_dcat_ap_3&page=1"
    refusals = {
        "euro_dcat_ap," * 200: "2600 characters long; at most 1024",
        ",".join(f"p{n}" for n in range(9)): "9 different profiles; at most 8",
        ",".join(f"{'x' * 100}{n}" for n in range(5)): f"Unknown RDF profiles: {'x' * 40}…",
    }
    for profiles, message in refusals.items():
        answer = await client.get("/catalog.ttl", params={"profiles": profiles})
        assert answer.status_code == 400
        assert message in answer.json()["detail"]
        assert len(answer.text) < 1000
    unknown = await client.get("/catalog.ttl", params={"profiles": "a,b,c,d,e"})
    assert unknown.json()["detail"].startswith("Unknown RDF profiles: a, b, c and 2 more;")


async def test_dataset_maps_descriptor_properties(
    client: httpx.AsyncClient, history: History
) -> None:
    graph = await fetch_graph(client, "/dataset/series-01.ttl", "ttl")
    store = open_test_store(history.store)
    published = store.descriptor("series-01")
    node = URIRef(f"{BASE_URL}/dataset/series-01")
    assert set(graph.objects(node, DCTERMS.title)) == {
        Literal(published["title"], lang="zh"),
        Literal(published["title_en"], lang="en"),
    }
    assert {o.language for o in graph.objects(node, DCTERMS.description)} == {"zh", "en"}  # type: ignore[attr-defined]
    assert graph.value(node, DCTERMS.identifier) == Literal("series-01")
    assert graph.value(node, DCAT_VERSION) == Literal(store.current("series-01"))
    assert graph.value(node, DCTERMS.accrualPeriodicity) == URIRef(EU + "frequency/DAILY")
    assert graph.value(node, DCTERMS.accessRights) == URIRef(EU + "access-right/RESTRICTED")
    assert graph.value(node, DCAT.landingPage) == node
    publisher = graph.value(node, DCTERMS.publisher)
    assert (publisher, RDF.type, FOAF.Agent) in graph
    assert graph.value(publisher, DCTERMS.identifier) == Literal("11520000000000001Q")
    contact = graph.value(node, DCAT.contactPoint)
    assert (contact, RDF.type, VCARD.Kind) in graph
    assert graph.value(contact, VCARD.hasEmail) == URIRef("mailto:tests@example.org")
    period = graph.value(node, DCTERMS.temporal)
    assert graph.value(period, DCAT.startDate) == Literal("2020-01-01", datatype=XSD.date)
    assert graph.value(period, DCAT.endDate) == Literal("2021-12", datatype=XSD.gYearMonth)
    sources = set(graph.objects(node, DCTERMS.source))
    assert URIRef("https://example.org/bulletins/1.html") in sources and len(sources) == 2
    assert graph.value(node, DCTERMS.provenance) is not None
    schema = URIRef(f"{BASE_URL}/api/v1/datasets/series-01/resources/values/schema")
    assert (node, DCTERMS.conformsTo, schema) in graph


async def test_distributions_per_format_with_licence_and_parquet_checksum(
    client: httpx.AsyncClient, history: History
) -> None:
    graph = await fetch_graph(client, "/dataset/wages-test.ttl", "ttl")
    published = open_test_store(history.store).descriptor("wages-test")
    package = open_test_store(history.store).package("wages-test")
    node = URIRef(f"{BASE_URL}/dataset/wages-test")
    distributions = set(graph.objects(node, DCAT.distribution))
    # wages plus the embedded regions code list, each in csv, json, parquet and xlsx
    assert len(distributions) == 4 * len(published["resources"]) == 8
    for distribution in distributions:
        # the URL CKAN's licence register holds for cc-by, so harvesters find license_id
        assert graph.value(distribution, DCTERMS.license) == URIRef(OPEN_DEFINITION + "cc-by")
        assert graph.value(distribution, DCAT.downloadURL) is not None
        assert graph.value(distribution, DCAT.mediaType) is not None
    wages = package.resource("wages")
    parquet = URIRef(f"{BASE_URL}/dataset/wages-test#wages-parquet")
    assert graph.value(parquet, DCAT.downloadURL) == URIRef(
        f"{BASE_URL}/api/v1/datasets/wages-test/resources/wages.parquet"
    )
    assert graph.value(parquet, DCTERMS["format"]) == URIRef(EU + "file-type/PARQUET")
    assert graph.value(parquet, DCAT.byteSize) == Literal(
        published_bytes(wages), datatype=XSD.nonNegativeInteger
    )
    checksum = graph.value(parquet, SPDX.checksum)
    assert graph.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
    value = graph.value(checksum, SPDX.checksumValue)
    assert str(value).lower() == (wages.hash or "").removeprefix("sha256:")


async def test_catalogue_describes_the_api_service(client: httpx.AsyncClient) -> None:
    graph = await fetch_graph(client, "/catalog.ttl", "ttl")
    service = URIRef(f"{BASE_URL}/api/v1")
    assert (URIRef(f"{BASE_URL}/catalog"), DCAT.service, service) in graph
    assert graph.value(service, DCAT.endpointDescription) == URIRef(f"{BASE_URL}/openapi.json")
    served = set(graph.objects(service, DCAT.servesDataset))
    assert served == set(graph.objects(URIRef(f"{BASE_URL}/catalog"), DCAT.dataset))


async def test_withdrawn_dataset_is_gone(client: httpx.AsyncClient) -> None:
    assert (await client.get("/dataset/series-07.ttl")).status_code == 410
    assert (await client.get("/dataset/no-such-dataset.ttl")).status_code == 404


async def test_catalogue_fq_is_a_filter_of_its_own(client: httpx.AsyncClient) -> None:
    """DCAT's `fq` is package_search's, read as Solr reads an `fq`: the whole expression must
    match, so a top-level OR filters (CKAN's own pasting makes it filter nothing:
    ckan/ckanext-harvest#518, a deliberate departure)."""

    async def slugs(fq: str) -> list[str]:
        return sorted(s for g in await all_pages(client, "ttl", fq=fq) for s in dataset_slugs(g))

    either = await slugs("groups:(wages OR social-insurance)")
    assert either == await slugs("+(groups:wages OR groups:social-insurance)")
    assert either == await slugs("groups:wages OR groups:social-insurance")
    assert 0 < len(either) < len(await slugs(""))
    assert await slugs("groups:wages -organization:org-2") == ["series-10"]
    assert await slugs("theme:wages") == []  # our facet's name is no field of package_search
    for bad in ("groups:(wages", "metadata_modified:[soon TO *]"):
        answer = await client.get("/catalog.ttl", params={"fq": bad})
        assert answer.status_code == 400, bad
        assert answer.json()["parameter"] == "fq"
    answer = await client.get("/catalog.ttl", params={"q": "name:(series"})
    assert (answer.status_code, answer.json()["parameter"]) == (400, "q")


SEARCHES = [
    {"fq": "res_format:CSV"},
    {"fq": "res_format:XLSX"},
    {"fq": "license_id:cc-by"},
    {"fq": "name:series-02"},
    {"fq": "metadata_modified:[2000-01-01T00:00:00Z TO *]"},
    {"fq": "metadata_modified:[* TO 2000-01-01T00:00:00Z]"},
    {"fq": "-groups:wages"},
    {"fq": "groups:wages OR organization:org-2"},
    {"fq": "theme:wages"},
    {"fq": "tags:*"},
    {"q": "tags:wages"},
    {"q": "wages"},
    {"q": "series"},
    {"q": "organization:org-2", "fq": "-groups:employment"},
]


@pytest.mark.parametrize(
    "search", SEARCHES, ids=lambda s: "&".join(f"{k}={v}" for k, v in s.items())
)
async def test_catalogue_finds_what_package_search_finds_in_its_order(
    client: httpx.AsyncClient, search: dict[str, str]
) -> None:
    """ckanext-dcat hands `q` and `fq` to package_search, sorted by metadata_modified desc:
    each page of the catalogue lists package_search's page of the same size (a graph keeps
    no order within a page)."""
    pages = await all_pages(client, "ttl", **search)
    listed = [sorted(dataset_slugs(graph)) for graph in pages]
    asked = {**search, "rows": "1000", "sort": "metadata_modified desc"}
    found = (await client.get("/api/3/action/package_search", params=asked)).json()["result"]
    names = [dataset["name"] for dataset in found["results"]]
    paged = [sorted(names[n : n + PAGE_SIZE]) for n in range(0, len(names), PAGE_SIZE)]
    assert listed == (paged or [[]])
