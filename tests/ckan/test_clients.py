"""Real CKAN clients, unchanged, against a real uvicorn on 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import ckanapi
import httpx
import pytest

from tests.ckan.conftest import BIN, FIRST_PUBLISHED, SYNTHETIC, synthetic

pytestmark = pytest.mark.slow


def run_ckanapi(*args: str) -> list[dict[str, Any]]:
    """The ckanapi command line; its dump workers are `ckanapi` processes found on PATH."""
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run(
        [str(BIN / "ckanapi"), *args], capture_output=True, env=env, timeout=120, check=True
    )
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def test_ckanapi_remote_actions_answer(ckan_server: str) -> None:
    site = ckanapi.RemoteCKAN(ckan_server)
    names = site.action.package_list()
    assert len(names) == SYNTHETIC + 2
    package = site.action.package_show(id="wages-test")
    assert site.action.package_show(id=package["id"]) == package
    assert package["resources"][0]["url"].startswith(ckan_server + "/api/v1/datasets/wages-test/")
    assert site.action.resource_show(id=package["resources"][0]["id"])["name"]
    found = site.action.package_search(q="wages", fq="organization:test-org")
    assert [p["name"] for p in found["results"]] == ["wages-test"]
    assert site.action.organization_show(id="test-org")["package_count"] == 2
    assert "employment" in site.action.group_list()
    status = site.action.status_show()
    assert status["ckan_version"].startswith("2.12")
    # ckan.plugins as a CKAN serving these actions and endpoints configures them.
    assert status["extensions"] == ["datastore", "dcat", "structured_data"]


def test_ckanapi_missing_dataset_raises_not_found(ckan_server: str) -> None:
    site = ckanapi.RemoteCKAN(ckan_server)
    with pytest.raises(ckanapi.NotFound):
        site.action.package_show(id="no-such-dataset")
    with pytest.raises(ckanapi.ValidationError):
        site.action.package_show()
    with pytest.raises(ckanapi.SearchQueryError):
        site.action.package_search(sort="id")


def test_ckanapi_dump_returns_every_dataset_equal_to_package_show(ckan_server: str) -> None:
    dumped = run_ckanapi("dump", "datasets", "--all", "-q", "-r", ckan_server)
    assert len(dumped) == SYNTHETIC + 2
    site = ckanapi.RemoteCKAN(ckan_server)
    for record in (dumped[0], dumped[1], dumped[-1]):
        assert record == site.action.package_show(id=record["name"])


def test_ckanapi_search_pages_through_everything(ckan_server: str) -> None:
    found = run_ckanapi("search", "datasets", "-r", ckan_server)
    assert len(found) == SYNTHETIC + 2
    assert len({record["id"] for record in found}) == SYNTHETIC + 2


def harvest(base_url: str, fq_terms: list[str]) -> tuple[list[dict[str, Any]], int]:
    """ckanext-harvest's CKANHarvester._search_for_datasets, request for request."""
    params = {"rows": "100", "start": "0", "sort": "id asc"}
    if fq_terms:
        params["fq"] = " ".join(fq_terms)
    packages: list[dict[str, Any]] = []
    ids: set[str] = set()
    previous, requests = None, 0
    while True:
        url = f"{base_url}/api/3/action/package_search?{urlencode(params)}"
        content = httpx.get(url).text
        requests += 1
        assert content != previous, "the paging doesn't seem to work"
        previous = content
        page = json.loads(content).get("result", {}).get("results", [])
        page_ids = {p["id"] for p in page}
        packages.extend(p for p in page if p["id"] not in ids)
        ids |= page_ids
        if not page:
            return packages, requests
        params["start"] = str(int(params["start"]) + int(params["rows"]))


def test_harvest_incremental_returns_exactly_the_changed_datasets(ckan_server: str) -> None:
    last_harvest = FIRST_PUBLISHED.replace(tzinfo=None) + timedelta(hours=150, minutes=20)
    since = (last_harvest - timedelta(hours=1)).isoformat()  # as the harvester goes back 1 h
    assert isinstance(datetime.fromisoformat(since), datetime)
    fq = ["organization:org-b", f"metadata_modified:[{since}Z TO *]"]
    packages, requests = harvest(ckan_server, fq)
    expected = {
        synthetic(n)["name"]
        for n in range(SYNTHETIC)
        if n % 3 == 1 and n >= 150  # org-b, published at or after the harvest went back to
    }
    assert {p["name"] for p in packages} == expected
    assert len(packages) == len(expected) == 50
    assert requests == 2  # one page of 50, then the terminating empty page
    ids = [p["id"] for p in packages]
    assert ids == sorted(ids)


def test_harvest_full_pages_with_rows_100_until_empty(ckan_server: str) -> None:
    packages, requests = harvest(ckan_server, [])
    assert len(packages) == SYNTHETIC + 2
    assert requests == 5  # 100 + 100 + 100 + 2, then empty
    exclude, _ = harvest(ckan_server, ["-organization:org-a", "-organization:org-c"])
    assert {p["organization"]["name"] for p in exclude} == {"org-b", "test-org"}
