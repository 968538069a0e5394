"""Crowds of data reads that run DuckDB per request (SDMX data, series, the series page) and
of SDMX structures: admitted like queries and searches (`api.perimeter.admission`), so that
their number at once is bounded, the rest turned away with 503 and `Retry-After`, a client
past its rate with 429, and /healthz stays quick. A real server on the repository's datasets,
a thread pool of clients."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from xml.etree import ElementTree as ET

import httpx
import pytest

from tests.servers import Server, serving

pytestmark = pytest.mark.slow

SDMX_DATA = "/sdmx/data/provincial-social-insurance-yearbook/all"
READS = [
    SDMX_DATA,
    "/api/v1/series?indicator=employed_persons_urban&region=000000",
    "/series/employed_persons_urban/000000",
    "/sdmx/dataflow/all/all/latest?references=all",
]
MES = "{http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message}"


@pytest.fixture(scope="module")
def narrow(real_store: Path) -> Iterator[Server]:
    """One read of each class at a time and no queue: any two at once show the gate."""
    env = {
        "OPENDATA_MAX_RUNNING_QUERIES": "1",
        "OPENDATA_MAX_RUNNING_SEARCHES": "1",
        "OPENDATA_ADMISSION_QUEUE": "0",
    }
    with serving(real_store, env=env) as running:
        yield running


@pytest.fixture(scope="module")
def metered(real_store: Path) -> Iterator[Server]:
    """A small bucket that barely refills: the fourth data read of a client is 429."""
    env = {
        "OPENDATA_RATE_AGGREGATES_PER_SECOND": "0.01",
        "OPENDATA_RATE_AGGREGATES_BURST": "3",
        "OPENDATA_RATE_SEARCH_PER_SECOND": "0.01",
        "OPENDATA_RATE_SEARCH_BURST": "3",
        "OPENDATA_TRUST_FORWARDED_HEADERS": "true",  # a client of its own for each test
    }
    with serving(real_store, env=env) as running:
        yield running


def health_times(server: Server, until: float) -> list[float]:
    """How long each /healthz took, asked every 50 ms until `until`."""
    took = []
    with httpx.Client(base_url=server.url, timeout=30) as http:
        while time.monotonic() < until:
            started = time.monotonic()
            assert http.get("/healthz").status_code == 200
            took.append(time.monotonic() - started)
            time.sleep(0.05)
    return took


def crowd(server: Server, path: str, count: int) -> list[httpx.Response]:
    def one(_: int) -> httpx.Response:
        return httpx.get(server.url + path, timeout=60)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(one, range(count)))


@pytest.mark.parametrize("path", READS)
def test_a_crowd_of_reads_is_admitted_a_few_at_a_time(narrow: Server, path: str) -> None:
    assert httpx.get(narrow.url + path, timeout=60).status_code == 200
    with ThreadPoolExecutor(max_workers=1) as watcher:
        healthz = watcher.submit(health_times, narrow, time.monotonic() + 2)
        answers = crowd(narrow, path, 30)
        took = healthz.result()
    statuses = {answer.status_code for answer in answers}
    assert statuses <= {200, 503}, statuses
    refused = [answer for answer in answers if answer.status_code == 503]
    assert refused, "every read ran at once: none was held back"
    assert all(answer.headers.get("retry-after") for answer in refused)
    if path.startswith("/sdmx/"):  # refused in SDMX-ML, as the tools read it
        assert ET.fromstring(refused[0].content).find(f"{MES}ErrorMessage") is not None
    assert max(took) < 1.0, f"/healthz took {max(took):.2f} s"


@pytest.mark.parametrize("path", READS)
def test_a_client_past_its_rate_gets_429(metered: Server, path: str) -> None:
    client = {"X-Forwarded-For": f"10.0.0.{READS.index(path) + 1}"}
    with httpx.Client(base_url=metered.url, timeout=60, headers=client) as http:
        answers = [http.get(path) for _ in range(4)]
    assert [a.status_code for a in answers[:3]] == [200, 200, 200]
    assert answers[3].status_code == 429
    assert int(answers[3].headers["retry-after"]) >= 1
