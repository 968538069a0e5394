"""A real uvicorn server started the way scripts/run starts it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from catalog.publish import Publisher
from catalog.store import Store
from tests.servers import serving


@pytest.fixture
def server(datasets_dir: Path, store_dir: Path) -> Iterator[str]:
    publisher = Publisher(Store(store_dir), datasets_dir)
    for source in publisher.plan(list(publisher.sources().values())):
        publisher.build(source)
    with serving(store_dir) as running:
        yield running.url


def test_server_healthz_names_current_versions(server: str, store_dir: Path) -> None:
    response = httpx.get(server + "/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["datasets"]["wages-test"] == Store(store_dir).current("wages-test")


def test_server_links_use_the_port_it_listens_on(server: str) -> None:
    response = httpx.get(server + "/api/v1/datasets/wages-test/resources/wages/rows?limit=1")
    assert response.status_code == 200
    assert response.json()["next_url"].startswith(server + "/api/v1/")


def test_server_metrics_count_requests_by_route_template(server: str) -> None:
    httpx.get(server + "/api/v1/datasets/wages-test")
    httpx.get(server + "/api/v1/datasets/nope")
    text = httpx.get(server + "/metrics").text
    assert 'route="/api/v1/datasets/{slug}",status="200"' in text
    assert 'route="/api/v1/datasets/{slug}",status="404"' in text
    assert "opendata_datasets_served 2.0" in text
