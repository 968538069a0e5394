"""`/metrics` after real requests, read with prometheus_client's text parser: query time by
kind, rows and bytes served by route, downloads by dataset and format; and series that do
not grow with whatever paths, slugs and methods clients make up."""

from __future__ import annotations

import random
import string
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from catalog.search import catalogue_uuid
from tests.ops.running import metric_samples
from tests.servers import serving

pytestmark = pytest.mark.slow

REGIONS = "/api/v1/datasets/region-codes/resources/regions"
ROWS_ROUTE = "/api/v1/datasets/{slug}/resources/{resource}/rows"
DOWNLOAD_ROUTE = "/api/v1/datasets/{slug}/resources/{resource}.{extension}"
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def delta(before: Samples, after: Samples, name: str, **labels: str) -> float:
    """How much the sample `name{labels}` grew between the two readings."""
    key = (name, tuple(sorted(labels.items())))
    return after.get(key, 0.0) - before.get(key, 0.0)


@pytest.fixture(scope="module")
def own_server(real_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server of this module's own: its counters see only this module's requests, and
    the made-up requests below spend only its rate buckets."""
    state = tmp_path_factory.mktemp("metrics") / "state"
    # Queries here take milliseconds; a loaded machine must not turn one into a 504 (a
    # status, and so a series, that appears only then).
    env = {"OPENDATA_STATE": str(state), "OPENDATA_QUERY_TIMEOUT_SECONDS": "30"}
    with serving(real_store, env=env) as server:
        yield server.url


def test_metrics_count_queries_rows_bytes_and_downloads(own_server: str) -> None:
    before = metric_samples(own_server)
    with httpx.Client(base_url=own_server, timeout=30) as client:
        page = client.get(REGIONS + "/rows", params={"limit": 7})
        aggregate = client.get(REGIONS + "/aggregate", params={"group_by": "level"})
        sql = client.post("/api/v1/sql", json={"sql": "SELECT 41 + 1 AS n"})
        resource_id = catalogue_uuid("resource", "region-codes/regions")
        datastore = client.get(
            "/api/3/action/datastore_search", params={"resource_id": resource_id, "limit": 5}
        )
        csv = client.get(REGIONS + ".csv", headers={"Accept-Encoding": "identity"})
        head = client.head(REGIONS + ".csv")
        before_encoded = metric_samples(own_server)
        encoded = client.get(REGIONS + ".csv", params={"fields": "code"})  # encoded as read
    for answer in (page, aggregate, sql, datastore, csv, head, encoded):
        assert answer.status_code == 200, answer.text
    after = metric_samples(own_server)
    encoded_rows = len(encoded.text.splitlines()) - 1  # after the header
    found = delta(before_encoded, after, "opendata_rows_served_total", route=DOWNLOAD_ROUTE)
    assert found == encoded_rows == 122

    for kind in ("rows", "aggregate", "sql", "datastore"):
        assert delta(before, after, "opendata_query_seconds_count", kind=kind) == 1, kind
    assert delta(before, after, "opendata_rows_served_total", route=ROWS_ROUTE) == 7
    assert delta(before, after, "opendata_rows_served_total", route="/api/v1/sql") == 1
    assert delta(
        before, before_encoded, "opendata_bytes_served_total", route=DOWNLOAD_ROUTE
    ) == len(csv.content)
    # The GET is a download, the HEAD is not.
    assert (
        delta(
            before, before_encoded, "opendata_downloads_total", dataset="region-codes", format="csv"
        )
        == 1
    )
    assert (
        delta(
            before,
            after,
            "opendata_http_requests_total",
            method="GET",
            route=ROWS_ROUTE,
            status="200",
        )
        == 1
    )


def random_token(rng: random.Random, size: int = 12) -> str:
    return "".join(rng.choices(string.ascii_letters + string.digits + "-_", k=size))


def made_up_request(rng: random.Random) -> tuple[str, str]:
    """A method and a path a client invents: unknown paths, slugs, resources, formats."""
    token = random_token(rng)
    path = rng.choice(
        [
            f"/{token}/{random_token(rng)}",
            f"/api/v1/datasets/{token}",
            f"/api/v1/datasets/{token}/resources/{random_token(rng)}.csv",
            f"/api/v1/datasets/region-codes/resources/regions.{token[:5]}",
            f"/api/v1/datasets/{token}.zip",
            f"/dataset/{token}",
            f"/api/3/action/{token}",
        ]
    )
    method = rng.choice(["GET", "POST", "DELETE", token.upper()[:8] or "X", "PROPFIND"])
    return method, path


def test_metrics_series_do_not_grow_with_made_up_paths_slugs_and_methods(own_server: str) -> None:
    rng = random.Random(17)
    with httpx.Client(base_url=own_server, timeout=30) as client:

        def send(count: int) -> None:
            for _ in range(count):
                method, path = made_up_request(rng)
                client.request(method, path)

        send(200)  # every route and status these requests can reach, once
        metric_samples(own_server)  # a scrape is counted once answered: /metrics's own series
        series = set(metric_samples(own_server))
        send(1000)
        grown = set(metric_samples(own_server)) - series
    assert grown == set()
    served = set(httpx.get(own_server + "/healthz", timeout=10).json()["datasets"])
    downloads = [dict(labels) for name, labels in series if name == "opendata_downloads_total"]
    assert all(found["dataset"] in served for found in downloads)
