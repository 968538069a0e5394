"""What `Accept` and a trusted proxy's headers change in the DCAT answers, and say in `Vary`:
`/catalog` by Accept, `/dataset/{slug}` (HTML, or DCAT as ckanext-dcat negotiates it)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from rdflib import RDF, Graph
from rdflib.namespace import DCAT

from api import create_app
from tests.dcat.conftest import BASE_URL, History, settings_for

pytestmark = [
    pytest.mark.anyio,
    # rdflib's own JSON-LD and N3 parsers still use its deprecated graph classes.
    pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:Dataset.default_context is deprecated:DeprecationWarning"),
]
FORWARDED = {"X-Forwarded-Host": "proxy.example.net", "X-Forwarded-Proto": "https"}
PARSERS = {
    "text/turtle": "turtle",
    "text/n3": "n3",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
}
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"


@pytest.fixture
async def proxied(history: History) -> AsyncIterator[httpx.AsyncClient]:
    """The app behind a reverse proxy it trusts."""
    app = create_app(settings_for(history, trust_forwarded_headers=True))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


def varies(answer: httpx.Response) -> list[str]:
    return [name.strip().lower() for name in answer.headers.get("vary", "").split(",")]


@pytest.mark.parametrize(
    "path", ["/catalog.ttl", "/dataset/wages-test.rdf", "/data.json", "/catalog?format=jsonld"]
)
async def test_answers_built_on_forwarded_headers_vary_by_them(
    proxied: httpx.AsyncClient, client: httpx.AsyncClient, path: str
) -> None:
    answer = await proxied.get(path, headers=FORWARDED)
    assert answer.status_code == 200, answer.text
    assert "https://proxy.example.net/opendata/api/v1/datasets/" in answer.text
    assert {"accept-encoding", "x-forwarded-host", "x-forwarded-proto"} <= set(varies(answer))
    plain = await client.get(path)  # no proxy trusted: the links never depend on them
    assert "x-forwarded-host" not in varies(plain)
    assert "accept-encoding" in varies(plain)


async def test_the_negotiated_catalogue_varies_by_accept_and_the_proxy(
    proxied: httpx.AsyncClient,
) -> None:
    answer = await proxied.get("/catalog", headers={**FORWARDED, "Accept": "text/turtle"})
    assert answer.status_code == 200
    assert varies(answer)[:5] == [
        "accept-encoding",
        "accept",
        "x-forwarded-host",
        "x-forwarded-proto",
        "x-forwarded-prefix",
    ]
    revalidated = await proxied.get(
        "/catalog",
        headers={**FORWARDED, "Accept": "text/turtle", "If-None-Match": answer.headers["etag"]},
    )
    assert revalidated.status_code == 304
    assert varies(revalidated) == varies(answer)


@pytest.mark.parametrize(
    "accept", ["text/turtle;q=abc", "text/turtle;q=2", "text/turtle;q=inf", "text/turtle;q=0"]
)
async def test_an_accept_without_a_valid_quality_is_not_acceptable(
    client: httpx.AsyncClient, accept: str
) -> None:
    answer = await client.get("/catalog", headers={"Accept": accept})
    assert answer.status_code == 406, answer.text


async def test_the_406_lists_each_media_type_once(client: httpx.AsyncClient) -> None:
    answer = await client.get("/catalog", headers={"Accept": "image/png"})
    assert answer.status_code == 406
    detail = answer.json()["detail"]
    assert detail.count("application/rdf+xml") == 1
    for media in ("text/turtle", "text/n3", "application/ld+json"):
        assert media in detail


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("text/turtle", "text/turtle"),
        ("application/ld+json", "application/ld+json"),
        ("application/rdf+xml", "application/rdf+xml"),
        ("text/n3", "text/n3"),
        ("text/html;q=0.5, text/turtle", "text/turtle"),
        ("application/*", "application/rdf+xml"),
    ],
)
async def test_the_dataset_page_answers_dcat_to_an_rdf_accept(
    client: httpx.AsyncClient, accept: str, media: str
) -> None:
    answer = await client.get("/dataset/wages-test", headers={"Accept": accept})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith(media)
    assert "accept" in varies(answer)
    extension = answer.headers["content-location"].rsplit(".", 1)[1]
    assert answer.headers["content-location"] == f"{BASE_URL}/dataset/wages-test.{extension}"
    document = await client.get(f"/dataset/wages-test.{extension}")
    assert answer.content == document.content
    graph = Graph().parse(data=answer.content, format=PARSERS[media])
    assert len(set(graph.subjects(RDF.type, DCAT.Dataset))) == 1


@pytest.mark.parametrize(
    "accept",
    [BROWSER, "*/*", "", "text/turtle;q=0.5, text/html", "text/turtle;q=abc", "application/json"],
)
async def test_browsers_and_everything_else_keep_the_html_page(
    client: httpx.AsyncClient, accept: str
) -> None:
    answer = await client.get("/dataset/wages-test", headers={"Accept": accept})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    assert {"accept", "cookie"} <= set(varies(answer))


async def test_format_wins_over_accept_on_the_dataset_page(client: httpx.AsyncClient) -> None:
    page = await client.get("/dataset/wages-test?format=html", headers={"Accept": "text/turtle"})
    assert page.headers["content-type"].startswith("text/html")
    rdf = await client.get("/dataset/wages-test?format=jsonld", headers={"Accept": "text/html"})
    assert rdf.headers["content-type"].startswith("application/ld+json")


async def test_an_rdf_accept_for_a_dataset_not_served_is_404_or_410(
    client: httpx.AsyncClient,
) -> None:
    unknown = await client.get("/dataset/no-such-dataset", headers={"Accept": "text/turtle"})
    assert unknown.status_code == 404
    withdrawn = await client.get("/dataset/series-07", headers={"Accept": "text/turtle"})
    assert withdrawn.status_code == 410
