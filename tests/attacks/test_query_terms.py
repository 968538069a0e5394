"""Queries of many terms: refused in precise words before any SQL is built, never a 500.

A DataStore `q` repeats the text of every column per word, and DuckDB parses that SQL
outside its memory limit (150,000 words once took 24 GB): the words are counted first. A
catalogue search of a few hundred terms passed DuckDB's expression depth limit (a 500):
its terms are counted too. The server's peak memory does not move while it refuses.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from catalog.search import catalogue_uuid
from tests.attacks.conftest import assert_healthy, assert_problem
from tests.servers import Server

pytestmark = pytest.mark.slow

RESOURCE = catalogue_uuid("resource", "wages-test/wages")
# What the server's peak resident memory may grow by while it refuses a query.
PEAK_GROWTH_MB = 20
# The most words sent: the machine is shared, and the refusal must not depend on size.
MOST_WORDS = 6_000


def words(count: int) -> str:
    return " ".join(f"w{i}" for i in range(count))


def peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmHWM for process {pid}")


@pytest.mark.parametrize(
    "q",
    [words(33), words(300), words(MOST_WORDS), {"region_code": words(40)}],
    ids=["33", "300", "6000", "by-column"],
)
def test_datastore_q_of_too_many_words_is_a_validation_error(
    client: httpx.Client, server: Server, q: str | dict[str, str]
) -> None:
    client.post("/api/3/action/datastore_search", json={"resource_id": RESOURCE, "q": "w"})
    before = peak_mb(server.pid)
    answer = client.post("/api/3/action/datastore_search", json={"resource_id": RESOURCE, "q": q})
    assert answer.status_code == 409, answer.text[:300]
    error = answer.json()["error"]
    assert error["__type"] == "Validation Error"
    assert error["q"][0].endswith("words; a search takes at most 32")
    assert peak_mb(server.pid) < before + PEAK_GROWTH_MB
    assert_healthy(server)


def test_datastore_q_at_the_limit_is_searched(client: httpx.Client, server: Server) -> None:
    answer = client.post(
        "/api/3/action/datastore_search", json={"resource_id": RESOURCE, "q": words(32)}
    )
    assert answer.status_code == 200, answer.text[:300]
    assert answer.json()["result"]["total"] == 0
    assert_healthy(server)


def test_datastore_dump_q_of_too_many_words_is_refused(
    client: httpx.Client, server: Server
) -> None:
    before = peak_mb(server.pid)
    answer = client.get(f"/datastore/dump/{RESOURCE}", params={"q": words(600)})
    assert answer.status_code == 400
    assert answer.text == "400 Bad Request: q: 600 words; a search takes at most 32"
    assert peak_mb(server.pid) < before + PEAK_GROWTH_MB
    assert_healthy(server)


SEARCH = "/api/3/action/package_search"


def ored(field: str, count: int) -> str:
    return " OR ".join(f"{field}:x{i}" for i in range(count))


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": ored("text", 100)}, "100 terms in one query; a query takes at most 64"),
        ({"q": words(200)}, "200 words in q; a search takes at most 64"),
        ({"fq": ored("tags", 65)}, "65 terms in one query; a query takes at most 64"),
        ({"fq": ored("name", 400)}, "More than 64 terms in one query"),
        (
            {"fq_list": [ored("tags", 60)] * 5},
            "300 terms in fq and fq_list together; a search takes at most 256",
        ),
    ],
    ids=["q-ored", "q-words", "fq", "fq-long", "fq_list"],
)
def test_package_search_of_too_many_terms_is_a_search_error(
    client: httpx.Client, server: Server, params: dict[str, object], message: str
) -> None:
    answer = client.post(SEARCH, json=params)
    assert answer.status_code == 409, answer.text[:300]
    error = answer.json()["error"]
    assert error["__type"] == "Search Error"
    assert error["message"] == f"Search error: ({message!r},)"
    assert_healthy(server)


def test_package_search_at_the_limits_is_answered(client: httpx.Client, server: Server) -> None:
    params = {
        "q": words(64),
        "fq": ored("tags", 64),
        "fq_list": ["metadata_modified:[NOW-1DAY TO *]"],
    }
    assert client.post(SEARCH, json=params).status_code == 200
    assert client.post(SEARCH, json={"q": ored("text", 64)}).status_code == 200
    assert_healthy(server)


@pytest.mark.parametrize("path", ["/api/v1/datasets", "/dataset", "/catalog", "/catalog.ttl"])
def test_catalogue_search_of_too_many_words_is_refused(
    client: httpx.Client, server: Server, path: str
) -> None:
    answer = client.get(path, params={"q": words(400)})
    assert answer.status_code == 400, answer.text[:300]
    if path == "/api/v1/datasets":
        body = assert_problem(answer, 400)
        assert body["detail"] == "q: 400 words; a search takes at most 64"
    elif path == "/dataset":
        assert "400 words; a search takes at most 64" in answer.text
    else:  # package_search's `q`, as ckanext-dcat hands it on
        body = assert_problem(answer, 400)
        assert body["detail"] == "q: 400 words in q; a search takes at most 64"
    assert client.get(path, params={"q": words(64)}).status_code == 200
    assert_healthy(server)


@pytest.mark.parametrize(
    ("fq", "shown"),
    [
        ('name:"unclosed', "name:"),
        ("metadata_modified:[NOW-1000000YEARS TO *]", "Date out of range"),
    ],
)
def test_package_search_errors_show_only_the_callers_own_text(
    client: httpx.Client, server: Server, fq: str, shown: str
) -> None:
    answer = client.get(SEARCH, params={"fq": fq})
    assert answer.status_code == 409, answer.text[:300]
    message = answer.json()["error"]["message"]
    assert shown in message
    for internal in ("capacity", "+state", "JSON Error", "out of range: year"):
        assert internal not in message
    assert_healthy(server)
