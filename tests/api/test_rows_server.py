"""Rows, aggregates and SQL through a real uvicorn on 127.0.0.1, as clients see them."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.servers import serving

# A first SQL request starts a worker and builds its views: over the S3 store on CI's
# loaded two cores that passed httpx's 5 s default (the S3 acceptance pass, 2026-12-02).
get = functools.partial(httpx.get, timeout=30)
post = functools.partial(httpx.post, timeout=30)

pytestmark = pytest.mark.slow

ROWS = "/api/v1/datasets/wages-test/resources/wages/rows"


@pytest.fixture
def served(query_store: Path) -> Iterator[str]:
    with serving(query_store) as running:
        yield running.url


def test_rows_server_link_header_walks_the_resource(served: str) -> None:
    seen: list[tuple[str, int]] = []
    url: str | None = served + ROWS + "?limit=40&sort=-year&fields=region_code,year"
    with httpx.Client() as client:
        while url is not None:
            response = client.get(url)
            assert response.status_code == 200
            seen += [(r["region_code"], r["year"]) for r in response.json()["rows"]]
            url = response.links.get("next", {}).get("url")
    assert len(seen) == len(set(seen)) == 250
    assert [year for _, year in seen] == sorted((year for _, year in seen), reverse=True)


def test_rows_server_answers_problems_and_sql(served: str) -> None:
    bad = get(served + ROWS, params={"workers__gt": "lots"})
    assert bad.status_code == 400
    assert bad.headers["content-type"] == "application/problem+json"
    assert bad.json()["type"] == served + "/problems/invalid-parameter"
    refused = post(served + "/api/v1/sql", json={"sql": "SELECT * FROM read_csv('/etc/passwd')"})
    assert refused.status_code == 403
    answer = get(
        served + "/api/v1/sql", params={"sql": "SELECT count(*) AS n FROM wages_test__wages"}
    )
    assert answer.json()["rows"] == [{"n": 250}]
    grouped = get(served + ROWS.replace("rows", "aggregate"), params={"group_by": "fiscal_year"})
    assert [r["fiscal_year"] for r in grouped.json()["rows"]] == [2000, 2001, 2002, 2003, 2004]


def test_rows_server_totals_follow_the_settings_and_the_cursor(query_store: Path) -> None:
    # The 250-row resource played as a large one: totals past 0 rows are estimated.
    env = {"OPENDATA_EXACT_TOTAL_ROWS": "0", "OPENDATA_TOTAL_SAMPLE_ROWS": "40"}
    with serving(query_store, env=env) as running, httpx.Client() as client:
        url: str | None = running.url + ROWS + "?region_code=520100&limit=20"
        totals = []
        while url is not None:
            response = client.get(url)
            totals.append((response.json()["total"], response.json()["total_exact"]))
            url = response.links.get("next", {}).get("url")
        exact = client.get(running.url + ROWS, params={"region_code": "520100", "total": "exact"})
        none = client.get(running.url + ROWS, params={"region_code": "520100", "total": "none"})
    # Each run of 5 file rows holds one row of 520100: 8 of 40 sampled, scaled to 250 rows.
    assert totals == [(50, False)] * 3
    assert (exact.json()["total"], exact.json()["total_exact"]) == (50, True)
    assert (none.json()["total"], none.json()["total_exact"]) == (None, False)
