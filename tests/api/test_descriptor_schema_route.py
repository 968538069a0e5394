"""`/schemas/datapackage.json`: the descriptor's JSON Schema at a stable URL, revalidated
by its ETag, and documented in /openapi.json."""

from __future__ import annotations

import httpx
import pytest

from catalog.store import descriptor_schema_text

pytestmark = pytest.mark.anyio
URL = "/schemas/datapackage.json"


async def test_the_schema_is_served_as_committed(api: httpx.AsyncClient) -> None:
    response = await api.get(URL)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/schema+json"
    assert response.headers["cache-control"] == "public, max-age=3600"
    assert response.text == descriptor_schema_text()


async def test_an_editor_holding_it_gets_304(api: httpx.AsyncClient) -> None:
    etag = (await api.get(URL)).headers["etag"]
    again = await api.get(URL, headers={"If-None-Match": etag})
    assert (again.status_code, again.content) == (304, b"")
    head = await api.head(URL)
    assert (head.status_code, head.headers["etag"], head.content) == (200, etag, b"")


async def test_the_route_is_documented(api: httpx.AsyncClient) -> None:
    spec = (await api.get("/openapi.json")).json()
    operation = spec["paths"][URL]["get"]
    assert "application/schema+json" in operation["responses"]["200"]["content"]
    assert {"200", "304", "400", "429", "503"} <= set(operation["responses"])
