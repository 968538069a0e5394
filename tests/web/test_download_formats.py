"""One table of download formats (`catalog.query.FORMATS`): the route, the pages and the
metadata feeds all say what it says, over the real datasets.

Decided where they used to disagree: every format is served and listed on the page in the
table's order; the feeds catalogue the formats with an EU file type and an IANA-registered
media type (NDJSON's `application/x-ndjson` is not registered), citing the media type
without parameters (`text/csv`, while the CSV download is served as `text/csv; charset=...`).
"""

from __future__ import annotations

import json
import re

import httpx
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS

from catalog.query import CATALOGUED, FORMATS

pytestmark = pytest.mark.anyio

SLUG = "region-codes"
IANA = "https://www.iana.org/assignments/media-types/"


async def test_formats_the_route_serves_each_with_its_media_type(web: httpx.AsyncClient) -> None:
    for fmt in FORMATS.values():
        response = await web.get(f"/api/v1/datasets/{SLUG}/resources/regions.{fmt.extension}")
        assert response.status_code == 200, fmt.extension
        assert response.headers["content-type"] == fmt.media_type


async def test_formats_openapi_lists_the_tables_extensions(web: httpx.AsyncClient) -> None:
    schemas = (await web.get("/openapi.json")).json()["components"]["schemas"]
    assert schemas["Extension"]["enum"] == list(FORMATS)


async def test_formats_the_page_lists_every_format_in_the_tables_order(
    web: httpx.AsyncClient,
) -> None:
    text = (await web.get(f"/dataset/{SLUG}", headers={"Accept": "text/html"})).text
    listed = re.findall(r'/resources/regions\.(\w+)" download data-format="\1"', text)
    assert listed == list(FORMATS)


async def test_formats_dcat_catalogues_the_registered_ones(web: httpx.AsyncClient) -> None:
    graph = Graph().parse(data=(await web.get(f"/dataset/{SLUG}.ttl")).text, format="turtle")
    found = {}
    for distribution in graph.subjects(DCAT.downloadURL, None):
        url = str(graph.value(distribution, DCAT.downloadURL))
        if url.endswith(tuple(f"/resources/regions.{e}" for e in FORMATS)):
            found[url.rsplit(".", 1)[1]] = distribution
    assert list(sorted(found)) == sorted(f.extension for f in CATALOGUED)
    assert "ndjson" not in found
    for fmt in CATALOGUED:
        node = found[fmt.extension]
        assert graph.value(node, DCTERMS["format"]) == URIRef(fmt.file_type_uri or "")
        assert graph.value(node, DCAT.mediaType) == URIRef(IANA + fmt.essence)
    assert graph.value(found["csv"], DCAT.mediaType) == URIRef(IANA + "text/csv")


async def test_formats_schemaorg_and_datajson_cite_the_same(web: httpx.AsyncClient) -> None:
    page = (await web.get(f"/dataset/{SLUG}", headers={"Accept": "text/html"})).text
    script = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert script is not None
    schemaorg = json.loads(script.group(1))
    data = (await web.get("/data.json")).json()
    essences = {f.essence for f in CATALOGUED}
    assert {d["encodingFormat"] for d in schemaorg["distribution"]} == essences
    cited = {
        d["mediaType"]
        for dataset in data["dataset"]
        for d in dataset["distribution"]
        if f"/{SLUG}/" in d["downloadURL"]
    }
    assert cited == essences
