"""A real uvicorn server started the way scripts/run starts it."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from catalog.publish import Publisher
from catalog.store import Store

OPENDATA = str(Path(sys.executable).with_name("opendata"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def server(datasets_dir: Path, store_dir: Path) -> Iterator[str]:
    publisher = Publisher(Store(store_dir), datasets_dir)
    for source in publisher.plan(list(publisher.sources().values())):
        publisher.build(source)
    port = free_port()
    process = subprocess.Popen(
        [OPENDATA, "--store", str(store_dir), "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                httpx.get(url + "/healthz", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


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
