"""A real uvicorn server started the way scripts/run starts it."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from catalog.store import Publisher
from tests.querydata import build_store
from tests.servers import open_test_store, serving

# A first SQL request starts a worker and builds its views: over the S3 store on CI's
# loaded two cores that passed httpx's 5 s default (the S3 acceptance pass, 2026-12-02).
get = functools.partial(httpx.get, timeout=30)

pytestmark = pytest.mark.slow


@pytest.fixture
def server(datasets_dir: Path, store_dir: Path) -> Iterator[str]:
    publisher = Publisher(open_test_store(store_dir), datasets_dir)
    for source in publisher.plan(list(publisher.sources().values())):
        publisher.build(source)
    with serving(store_dir) as running:
        yield running.url


def test_server_healthz_names_current_versions(server: str, store_dir: Path) -> None:
    response = get(server + "/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["datasets"]["wages-test"] == open_test_store(store_dir).current("wages-test")


def test_server_links_use_the_port_it_listens_on(server: str) -> None:
    response = get(server + "/api/v1/datasets/wages-test/resources/wages/rows?limit=1")
    assert response.status_code == 200
    assert response.json()["next_url"].startswith(server + "/api/v1/")


def test_server_metrics_count_requests_by_route_template(server: str) -> None:
    get(server + "/api/v1/datasets/wages-test")
    get(server + "/api/v1/datasets/nope")
    text = get(server + "/metrics").text
    assert 'route="/api/v1/datasets/{slug}",status="200"' in text
    assert 'route="/api/v1/datasets/{slug}",status="404"' in text
    assert "opendata_datasets_served 2.0" in text


def test_server_metrics_count_admission_refusals(tmp_path: Path) -> None:
    store = build_store(tmp_path / "store")
    env = {"OPENDATA_RATE_SQL_PER_SECOND": "0.001", "OPENDATA_RATE_SQL_BURST": "1"}
    with serving(store, env=env) as running:
        sql = {"sql": "SELECT 1"}
        assert get(running.url + "/api/v1/sql", params=sql).status_code == 200
        assert get(running.url + "/api/v1/sql", params=sql).status_code == 429
        text = get(running.url + "/metrics").text
    # Refused before routing, so under no route template; counted all the same.
    assert 'route="unmatched",status="429"} 1.0' in text
