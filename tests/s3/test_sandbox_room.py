"""A SQL sandbox worker over an S3 store has the room of one over a folder.

A worker over an object store loads pyarrow's S3 and fsspec at start (~115 MB of data
segment, measured, against ~25 MB for a folder's). Taken from its OS memory cap, that left
queries far less room than over a folder (a 6,000-value `IN` list or a distinct set of a
million numbers was refused as too large), and the worker, past its recycling share before
its first query, was replaced after every query: each SQL request paid a worker's start
(about a second). The data is SYNTHETIC (`tests.querydata`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from catalog.query import QueryEngine
from catalog.settings import Settings
from catalog.store import FolderStore, S3Store, Store
from catalog.store.s3 import S3Location
from tests.querydata import publish_wages
from tests.s3.conftest import fresh_location, s3_options

# A budget of 1 GB and one worker: a 256 MB cap, as each of a default server's two has.
SETTINGS = {"sql_workers": 1, "memory_budget_mb": 1024, "query_timeout_seconds": 30.0}
YEARS = ", ".join(str(year) for year in range(6000))
ROOMY = [
    # Over a folder each needs tens of MB of the worker's cap and is answered.
    (f"SELECT count(*) AS n FROM wages_test__wages WHERE year NOT IN ({YEARS})", 0),
    ("SELECT count(*) AS n FROM (SELECT DISTINCT i FROM range(1000000) t(i))", 1_000_000),
]


@pytest.fixture(params=["folder", "s3"])
def engine(
    request: pytest.FixtureRequest, tmp_path: Path, s3_endpoint: str
) -> Iterator[QueryEngine]:
    store: Store = FolderStore(tmp_path / "store")
    if request.param == "s3":
        location = S3Location.parse(fresh_location())
        store = S3Store(location, s3_options(s3_endpoint, tmp_path / "copies"))
    publish_wages(store)
    found = QueryEngine(store, Settings(store=tmp_path / "store", **SETTINGS))
    yield found
    found.close()


def test_a_sandbox_worker_answers_query_after_query_without_being_replaced(
    engine: QueryEngine,
) -> None:
    assert engine.sql("SELECT 1 AS one").rows == ['{"one":1}']
    (worker,) = engine.sandbox.pids()
    for _ in range(3):
        assert engine.sql("SELECT count(*) AS n FROM wages_test__wages").rows == ['{"n":250}']
        assert engine.sandbox.pids() == [worker]


@pytest.mark.parametrize(("text", "count"), ROOMY)
def test_a_sandbox_query_has_the_same_room_over_either_store(
    engine: QueryEngine, text: str, count: int
) -> None:
    assert engine.sql(text).rows == [f'{{"n":{count}}}']
