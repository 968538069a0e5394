"""ckanext-dcat's DCATRDFHarvester and DCATJSONHarvester gather our catalogue with their own
fetch, paging and parsing code (peers/dcat_rdf_harvest.py, peers/dcat_json_harvest.py)."""

from __future__ import annotations

from typing import Any

import ckanapi
import pytest

from tests.harvest.conftest import Harvest

pytestmark = pytest.mark.slow


def package_show(server: str) -> dict[str, dict[str, Any]]:
    api = ckanapi.RemoteCKAN(server)
    return {name: api.action.package_show(id=name) for name in api.action.package_list()}


@pytest.mark.parametrize("extension", ["xml", "rdf", "ttl", "n3", "jsonld"])
def test_rdf_harvester_follows_every_page_and_gathers_each_dataset_once(
    harvest: Harvest, real_server: str, extension: str
) -> None:
    gathered = harvest("dcat_rdf_harvest", f"/catalog.{extension}?rows=5", "euro_dcat_ap_3")
    packages = package_show(real_server)
    assert gathered["errors"] == []
    # 13 datasets, 5 a page: the harvester follows hydra:next to pages 2 and 3, keeping `rows`
    assert [page["url"] for page in gathered["pages"]] == [
        f"{real_server}/catalog.{extension}?rows=5",
        f"{real_server}/catalog.{extension}?rows=5&page=2",
        f"{real_server}/catalog.{extension}?rows=5&page=3",
    ]
    assert sorted(gathered["guids"]) == sorted(f"{real_server}/dataset/{n}" for n in packages)
    for guid, title in gathered["titles"].items():
        assert title == packages[guid.rsplit("/", 1)[1]]["title"]


def test_json_harvester_gathers_and_converts_each_dataset(
    harvest: Harvest, real_server: str
) -> None:
    gathered = harvest("dcat_json_harvest", "/data.json")
    packages = package_show(real_server)
    assert gathered["errors"] == []
    assert sorted(gathered["guids"]) == sorted(f"{real_server}/dataset/{n}" for n in packages)
    for guid, dataset in zip(gathered["guids"], gathered["datasets"], strict=True):
        ckan = packages[guid.rsplit("/", 1)[1]]
        assert dataset["title"] == ckan["title"]
        # data.json has one description: the Chinese text, then the English
        assert dataset["notes"].startswith(ckan["notes"])
        tags = sorted(t["name"] for t in dataset["tags"])
        assert tags == sorted(t["name"] for t in ckan["tags"])
        by_url = {r["url"]: r for r in dataset["resources"]}
        for resource in ckan["resources"]:
            mine = by_url[resource["url"]]
            assert (mine["name"], mine["format"]) == (resource["name"], resource["format"])
            assert (mine.get("description") or "") == resource["description"]
            assert by_url[resource["parquet_url"]]["format"] == "Parquet"
