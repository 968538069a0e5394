"""A store for the CKAN tests: the two synthetic fixture datasets published for real, plus a
catalogue of synthetic published descriptors (metadata only) for paging and harvesting."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from api import create_app
from catalog.settings import Settings
from catalog.store import ManualClock, Publisher, Store
from tests.conftest import descriptor, write_regions, write_wages
from tests.querydata import new_version, write_descriptor
from tests.servers import open_test_store, serving, store_location

SYNTHETIC = 300
ORGANIZATIONS = ("org-a", "org-b", "org-c")
THEMES = ("employment", "wages", "social-insurance")
FIRST_PUBLISHED = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
BIN = Path(sys.executable).parent


def synthetic(number: int) -> dict[str, Any]:
    """A published descriptor of synthetic test data; one per hour from FIRST_PUBLISHED."""
    slug = f"synthetic-{number:03d}"
    published = (FIRST_PUBLISHED + timedelta(hours=number)).strftime("%Y-%m-%dT%H:%M:%SZ")
    organization = ORGANIZATIONS[number % 3]
    resource = {
        "name": "values",
        "title": "合成数值",
        "title_en": "Synthetic values",
        "path": "values.parquet",
        "format": "parquet",
        "bytes": 100 + number,
        "hash": f"sha256:{number:064x}",
        "rows": number,
        "schema": {"fields": [{"name": "value", "type": "integer"}]},
    }
    found = descriptor(slug, [resource], themes=[THEMES[number % 3]])
    found["organization"] = {"name": organization, "title": f"合成单位 {organization}"}
    found["keywords"] = ["测试", f"批次{number % 5}"]
    found["issued"] = "2024-01-01"
    found["version"] = f"v{number}"
    found["build"] = {"published": published, "input_sha256": f"{number:064x}"}
    return found


def write_published(store: Store, published: dict[str, Any]) -> None:
    """A version of `published` alone (metadata, no files), committed through `store`."""
    with new_version(store, published["name"], published["version"]) as staging:
        write_descriptor(staging, published)


@pytest.fixture(scope="session")
def ckan_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("ckan")
    datasets, store = root / "datasets", root / "store"
    write_regions(datasets)
    write_wages(datasets)
    publisher = Publisher(open_test_store(store), datasets)
    for source in publisher.plan(list(publisher.sources().values())):
        publisher.build(source)
    # Each synthetic version becomes current at the hour its descriptor says it was published.
    clock = ManualClock(FIRST_PUBLISHED)
    synthetic_store = open_test_store(store, clock=clock)
    for number in range(SYNTHETIC):
        write_published(synthetic_store, synthetic(number))
        clock.advance(timedelta(hours=1))
    return store


@pytest.fixture(scope="session")
def ckan_server(ckan_store: Path) -> Iterator[str]:
    """A real uvicorn on 127.0.0.1 serving the store, started as scripts/run starts it."""
    with serving(ckan_store) as running:
        yield running.url


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def client(ckan_store: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        store=store_location(ckan_store), datasets=ckan_store / "none", base_url="http://ckan.test"
    )
    transport = httpx.ASGITransport(app=create_app(settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://ckan.test") as http:
        yield http
