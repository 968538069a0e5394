"""The platform's yearly figures end to end, on SQLite and PostgreSQL: downloads and API calls
made through a real server, flushed when it stops, counted exactly by `opendata report`,
published as `platform-usage-YYYY` and served with the very rows the report printed."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from catalog.state import CHINA
from catalog.store import FolderStore, Publisher
from tests.conftest import write_regions, write_wages
from tests.servers import OPENDATA, serving, state_of
from tests.state.conftest import new_database

pytestmark = pytest.mark.slow
YEAR = datetime.now(CHINA).year


@dataclass(frozen=True)
class Site:
    store: Path
    env: dict[str, str]

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [OPENDATA, *args], capture_output=True, text=True, timeout=180,
            env={**os.environ, **self.env},
        )  # fmt: skip

    def report(self, *args: str) -> list[dict[str, Any]]:
        done = self.cli("report", "--year", str(YEAR), "--format", "json", *args)
        assert done.returncode == 0, done.stderr
        rows: list[dict[str, Any]] = json.loads(done.stdout)["rows"]
        return rows

    def serving(self, flush_seconds: str) -> Any:
        env = {**self.env, "OPENDATA_USAGE_FLUSH_SECONDS": flush_seconds}
        return serving(self.store, env=env)


@pytest.fixture(params=["sqlite", "postgresql"])
def site(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Site]:
    write_regions(tmp_path / "datasets")
    write_wages(tmp_path / "datasets")
    publisher = Publisher(FolderStore(tmp_path / "store"), tmp_path / "datasets")
    for source in publisher.plan(list(publisher.sources().values())):
        publisher.build(source)
    database = new_database(request, state_of(tmp_path / "store"))
    yield Site(
        tmp_path / "store",
        {
            "OPENDATA_DATASETS": str(tmp_path / "datasets"),
            "OPENDATA_STORE": str(tmp_path / "store"),
            "OPENDATA_STATE": str(state_of(tmp_path / "store")),
            "OPENDATA_DATABASE_URL": database,
        },
    )


def use(url: str) -> None:
    """Downloads and API calls through every channel, and requests that must not count."""
    csv = f"{url}/api/v1/datasets/wages-test/resources/wages.csv"
    for path in ("/resources/wages.csv", "/resources/wages.csv", ".zip"):
        assert httpx.get(f"{url}/api/v1/datasets/wages-test{path}").status_code == 200
    page = {"Referer": f"{url}/dataset/wages-test"}  # a link followed on the dataset's page
    assert httpx.get(csv.replace(".csv", ".xlsx"), headers=page).status_code == 200
    shown = httpx.get(f"{url}/api/3/action/package_show", params={"id": "wages-test"})
    resource = shown.json()["result"]["resources"][0]["id"]
    assert httpx.get(f"{url}/datastore/dump/{resource}").status_code == 200
    posted = httpx.post(f"{url}/api/3/action/package_show", json={"id": "regions-test"})
    assert posted.json()["success"] is True
    assert httpx.get(f"{url}/api/3/action/package_search").status_code == 200
    for path in ("/api/v1/datasets/wages-test", "/api/v1/datasets/wages-test/resources/wages/rows",
                 "/dataset/wages-test.ttl", "/catalog.ttl", "/dataset/wages-test"):  # fmt: skip
        assert httpx.get(f"{url}{path}").status_code == 200, path
    # Not counted: a HEAD, an answer 404, a range from the middle of a file.
    assert httpx.head(csv).status_code == 200
    assert httpx.get(f"{url}/api/v1/datasets/no-such-dataset").status_code == 404
    parquet = csv.replace(".csv", ".parquet")
    assert httpx.get(parquet, headers={"Range": "bytes=10-"}).status_code == 206


def key(row: dict[str, Any]) -> tuple[str, ...]:
    return row["indicator_code"], row["dataset"], row["breakdown"]


def figure(rows: list[dict[str, Any]], code: str, dataset: str = "_all", by: str = "_all") -> Any:
    found = [r["value"] for r in rows if (r["indicator_code"], r["dataset"], r["breakdown"])
             == (code, dataset, by)]  # fmt: skip
    return found[0] if found else 0


def test_report_counts_exactly_the_use_made_and_is_published_as_printed(site: Site) -> None:
    with site.serving("3600") as server:  # no flush while it runs: the one at shutdown counts
        use(server.url)
    rows = site.report()
    assert figure(rows, "downloads") == 5
    assert figure(rows, "downloads", "wages-test", "rest") == 3
    assert figure(rows, "downloads", "wages-test", "web") == 1
    assert figure(rows, "downloads", "wages-test", "ckan") == 1
    assert figure(rows, "api_calls", "wages-test") == 4  # package_show, dataset, rows, .ttl
    assert figure(rows, "api_calls", "regions-test", "ckan") == 1  # named in a POST body
    assert figure(rows, "api_calls", "*") == 2  # package_search and the catalogue
    assert figure(rows, "api_calls", by="dcat") == 2
    assert figure(rows, "page_views", "wages-test", "web") == 1
    assert figure(rows, "datasets_published") == 2
    assert figure(rows, "datasets_open", by="unconditional") == 2
    assert figure(rows, "requests_received") == 0
    published = site.cli("report", "--year", str(YEAR), "--format", "csv", "--publish")
    assert published.returncode == 0, published.stderr
    assert f"platform-usage-{YEAR}: published as version" in published.stderr
    assert site.report() == rows  # the figures' own dataset is not among those counted
    again = site.cli("report", "--year", str(YEAR), "--publish")
    assert f"platform-usage-{YEAR}: unchanged" in again.stderr  # content-addressed
    with site.serving("0.5") as server:
        served = httpx.get(
            f"{server.url}/api/v1/datasets/platform-usage-{YEAR}/resources/figures/rows",
            params={"limit": 1000},
        )
        assert served.status_code == 200
        assert sorted(served.json()["rows"], key=key) == sorted(rows, key=key)
        download = httpx.get(
            f"{server.url}/api/v1/datasets/platform-usage-{YEAR}/resources/figures.csv"
        )
        assert download.text.lstrip("\ufeff") == published.stdout
        # Counted and added while the server runs, every flush interval.
        deadline = time.monotonic() + 30
        while figure(site.report(), "downloads", f"platform-usage-{YEAR}") != 1:
            assert time.monotonic() < deadline, "the running server never flushed"
            time.sleep(0.5)
