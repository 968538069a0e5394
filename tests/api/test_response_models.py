"""The response models of /api/v1 document its answers without changing them.

FastAPI validates an answer against the route's response model and writes the keys in the
model's order, dropping any other. Every shipped dataset is published here, and what is
served is compared, key order included, with what the store holds.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from api import create_app
from api.routes.datasets import summary
from catalog.settings import Settings
from catalog.store import Publisher, Store
from tests.conftest import REPO
from tests.servers import open_test_store, store_location

pytestmark = pytest.mark.anyio

Pairs = list[tuple[str, object]]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def shipped_at(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("shipped") / "store"


@pytest.fixture(scope="module")
def shipped(shipped_at: Path) -> Store:
    store = open_test_store(shipped_at)
    publisher = Publisher(store, REPO / "datasets")
    for source in publisher.plan(list(publisher.sources().values())):
        publisher.build(source)
    return store


@pytest.fixture
async def client(shipped: Store, shipped_at: Path) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Settings(store=store_location(shipped_at), datasets=shipped_at / "none"))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


def ordered(text: str) -> Pairs:
    """JSON with every object as its list of pairs, so that key order counts."""
    pairs: Pairs = json.loads(text, object_pairs_hook=list)
    return pairs


def as_served(value: object) -> str:
    """`value` as Starlette's JSONResponse writes it."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


async def test_search_results_are_the_summaries_unchanged(
    client: httpx.AsyncClient, shipped: Store
) -> None:
    slugs = shipped.slugs()
    answer = await client.get("/api/v1/datasets", params={"limit": 1000, "sort": "name"})
    served = dict(ordered(answer.text))["results"]
    expected = [summary(shipped.package(slug)) for slug in sorted(slugs)]
    assert len(slugs) >= 9
    assert served == ordered(as_served(expected))


async def test_descriptors_and_table_schemas_are_served_as_published(
    client: httpx.AsyncClient, shipped: Store
) -> None:
    for slug in shipped.slugs():
        descriptor = shipped.descriptor(slug)
        assert (await client.get(f"/api/v1/datasets/{slug}")).text == as_served(descriptor)
        for resource in descriptor["resources"]:
            url = f"/api/v1/datasets/{slug}/resources/{resource['name']}/schema"
            assert (await client.get(url)).text == as_served(resource["schema"])
