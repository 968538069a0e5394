"""The DCAT catalogue under a flood, on a real server over a 3,000-dataset synthetic catalogue.

A catalogue page is a search and a graph of its datasets: before it was admitted as a search,
20 pages of 1,000 datasets at once took a server past 2.4 GB. Now `/catalog*` and
ckanext-dcat's actions take a search slot and a token of the client's search bucket, a page
holds at most 200 datasets, and a page asked again is served from the kept bodies.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from benchmarks import Server, free_port, running

pytestmark = pytest.mark.slow

DATASETS = 3000
RUNNING, QUEUED = 2, 2
BURST = 30
# The process's peak resident memory (VmHWM) after every flood: far below the 2 GB budget.
PEAK_MB = 1024


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    port = free_port()
    command = [sys.executable, "-m", "benchmarks.catalogue", str(DATASETS), str(port)]
    env = {
        "OPENDATA_MAX_RUNNING_SEARCHES": str(RUNNING),
        "OPENDATA_MAX_RUNNING_PER_CLIENT": str(RUNNING),
        "OPENDATA_ADMISSION_QUEUE": str(QUEUED),
        "OPENDATA_ADMISSION_WAIT_SECONDS": "120",
        "OPENDATA_RATE_SEARCH_BURST": str(BURST),
        "OPENDATA_RATE_SEARCH_PER_SECOND": "0.01",
    }
    log = tmp_path_factory.mktemp("dcat-flood") / "server.log"
    with running("catalogue", command, port, log=log, env=env, timeout=300) as started:
        yield started


def from_address(server: Server, address: str) -> httpx.Client:
    transport = httpx.HTTPTransport(local_address=address)
    return httpx.Client(base_url=server.url, transport=transport, timeout=300)


def peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmHWM for process {pid}")


def flood(server: Server, address: str, urls: list[str]) -> list[httpx.Response]:
    """`urls` asked all at once from one client address."""
    with from_address(server, address) as http, ThreadPoolExecutor(len(urls)) as pool:
        return list(pool.map(http.get, urls))


ACTION = "/api/3/action/dcat_catalog_show?format=jsonld&page={}"
PAGE = "/catalog.jsonld?rows=200&page={}"


@pytest.mark.parametrize("template", [PAGE, ACTION], ids=["route", "action"])
def test_catalogue_pages_past_the_slots_are_turned_away(server: Server, template: str) -> None:
    address = "127.0.0.2" if template == PAGE else "127.0.0.3"
    # Twelve different pages, none kept yet: each costs a second or more to make.
    answers = flood(server, address, [template.format(n) for n in range(1, 13)])
    statuses = Counter(answer.status_code for answer in answers)
    assert set(statuses) <= {200, 503}, statuses
    assert 1 <= statuses[200] <= RUNNING + QUEUED
    assert statuses[503] >= 12 - RUNNING - QUEUED
    refused = next(a for a in answers if a.status_code == 503)
    assert int(refused.headers["retry-after"]) >= 1
    assert peak_mb(server.pid) < PEAK_MB


def test_catalogue_flood_from_one_client_empties_its_search_bucket(server: Server) -> None:
    with from_address(server, "127.0.0.4") as http:
        statuses = [http.get("/catalog.ttl?rows=1").status_code for _ in range(BURST + 5)]
        action = http.get("/api/3/action/dcat_catalog_search?rows=1")
        shown = http.get("/api/3/action/dcat_dataset_show?id=synthetic-000001")
    assert statuses[:BURST] == [200] * BURST  # the same page, made once and kept
    assert statuses[BURST:] == [429] * 5
    for answer in (action, shown):
        assert answer.status_code == 429
        assert answer.json()["error"]["__type"] == "Rate Limit Error"


def test_catalogue_refuses_pages_of_more_than_200_datasets(server: Server) -> None:
    with from_address(server, "127.0.0.5") as http:
        assert http.get("/catalog.jsonld?rows=1000").status_code == 400
        assert http.get("/catalog.ttl?rows=200&page=15").status_code == 200


def test_catalogue_twenty_large_pages_at_once_stay_within_memory(server: Server) -> None:
    urls = [PAGE.format(n) for n in range(3, 13)] + [ACTION.format(n) for n in range(13, 23)]
    addresses = [f"127.0.1.{n}" for n in range(1, 5)]  # four clients, five pages each
    with ThreadPoolExecutor(len(addresses)) as pool:
        floods = pool.map(lambda n: flood(server, addresses[n], urls[n * 5 : n * 5 + 5]), range(4))
        answers = [answer for answered in floods for answer in answered]
    assert len(answers) == 20
    assert {answer.status_code for answer in answers} <= {200, 503}
    assert any(answer.status_code == 200 for answer in answers)
    assert peak_mb(server.pid) < PEAK_MB
    assert httpx.get(server.url + "/healthz", timeout=10).status_code == 200
