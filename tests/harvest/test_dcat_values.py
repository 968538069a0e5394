"""What ckanext-dcat 2.4's own code ends with, in every DCAT-AP profile and serialisation, is
what our CKAN API's package_show holds for the same dataset, field by field.

The harvesting CKAN is configured as a Chinese platform is (`ckan.locale_default =
zh_Hans_CN`): ckanext-dcat then keeps the first literal of a property, which we write in
Chinese, so titles and notes are package_show's. Under CKAN's default `en` the English ones.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import ckanapi
import pytest

from tests.harvest.conftest import Harvest

pytestmark = pytest.mark.slow

# Every profile of ckanext-dcat 2.4.4 that parses DCAT-AP (croissant and schemaorg only write;
# dcat_us_3 is DCAT-US): scheming is a modifier, run with DCAT-AP 2 as its docs say.
PROFILES = [
    "euro_dcat_ap",
    "euro_dcat_ap_2",
    "euro_dcat_ap_3",
    "euro_health_dcat_ap",
    "euro_dcat_ap_2,euro_dcat_ap_scheming",
]
FORMATS = {"ttl": "turtle", "n3": "n3", "rdf": "xml", "xml": "xml", "jsonld": "json-ld"}
LOCALE = "zh_Hans_CN"


def extras(dataset: dict[str, Any]) -> dict[str, Any]:
    return {item["key"]: item["value"] for item in dataset.get("extras", [])}


@cache
def ckan_packages(server: str) -> dict[str, dict[str, Any]]:
    """package_show of every dataset, by name, from our CKAN API."""
    api = ckanapi.RemoteCKAN(server)
    return {name: api.action.package_show(id=name) for name in api.action.package_list()}


@cache
def region_names(server: str) -> dict[str, str]:
    """code → name_zh, as our CKAN DataStore serves the region code list."""
    api = ckanapi.RemoteCKAN(server)
    resources = api.action.package_show(id="region-codes")["resources"]
    regions = next(r for r in resources if r["name"] == "行政区划")
    found = api.action.datastore_search(resource_id=regions["id"], limit=1000)
    return {row["code"]: row["name_zh"] for row in found["records"]}


def parsed(harvest: Harvest, extension: str, profiles: str) -> dict[str, dict[str, Any]]:
    datasets = harvest("dcat_parse", f"/catalog.{extension}", profiles, FORMATS[extension], LOCALE)
    return {extras(d)["identifier"]: d for d in datasets}


def assert_dataset(got: dict[str, Any], ckan: dict[str, Any], regions: dict[str, str]) -> None:
    held = extras(ckan)
    assert got["title"] == ckan["title"]
    assert got["notes"] == ckan["notes"]
    assert got["version"] == ckan["version"]
    assert got["license_id"] == ckan["license_id"] == "cc-by"
    assert sorted(t["name"] for t in got["tags"]) == sorted(t["name"] for t in ckan["tags"])
    found = extras(got)
    for key in ("temporal_start", "temporal_end"):
        assert found.get(key) == held.get(key), key
    # ckanext-spatial reads `spatial` as GeoJSON: neither side puts region codes there.
    assert "spatial" not in held and "spatial" not in found
    for key in ("spatial_text", "spatial_uri"):
        assert found.get(key) == held.get(key), key
    codes = held["spatial_codes"].split(",") if held.get("spatial_codes") else []
    assert held.get("spatial_text") == ("、".join(regions[c] for c in codes) or None)
    for resource in ckan["resources"]:
        assert_resource(got, resource)


def assert_resource(got: dict[str, Any], resource: dict[str, Any]) -> None:
    by_url = {r["url"]: r for r in got["resources"]}
    mine = by_url[resource["url"]]
    for key in ("name", "format", "mimetype"):
        assert mine.get(key) == resource[key], key
    assert (mine.get("description") or "") == resource["description"]  # CKAN writes "" for none
    assert mine.get("size") == resource["size"]
    assert (mine.get("hash") or "") == resource["hash"]
    parquet = by_url[resource["parquet_url"]]
    assert (parquet["format"], parquet["mimetype"]) == ("Parquet", "application/vnd.apache.parquet")
    assert "sha256:" + parquet["hash"] == resource["parquet_hash"]
    assert parquet["size"] == resource["parquet_size"] > 0
    formats = {r["format"] for r in got["resources"] if r["name"] == resource["name"]}
    assert formats == {"CSV", "JSON", "XLSX", "Parquet"}


@pytest.mark.parametrize("profiles", PROFILES)
@pytest.mark.parametrize("extension", sorted(FORMATS))
def test_parsed_values_are_package_show_values(
    harvest: Harvest, real_server: str, profiles: str, extension: str
) -> None:
    got = parsed(harvest, extension, profiles)
    packages = ckan_packages(real_server)
    assert sorted(got) == sorted(packages)
    for name, ckan in packages.items():
        assert_dataset(got[name], ckan, region_names(real_server))


@pytest.mark.parametrize("profiles", PROFILES)
def test_an_english_harvester_keeps_the_english_title(
    harvest: Harvest, real_server: str, profiles: str
) -> None:
    datasets = harvest("dcat_parse", "/catalog.ttl", profiles, "turtle")
    for dataset in datasets:
        held = extras(ckan_packages(real_server)[extras(dataset)["identifier"]])
        assert (dataset["title"], dataset["notes"]) == (held["title_en"], held["notes_en"])


def test_a_dataset_document_parses_as_the_catalogue_entry(
    harvest: Harvest, real_server: str
) -> None:
    for extension in ("xml", "n3"):
        (got,) = harvest(
            "dcat_parse",
            f"/dataset/minimum-wage-standards.{extension}",
            "euro_dcat_ap_3",
            FORMATS[extension],
            LOCALE,
        )
        ckan = ckan_packages(real_server)["minimum-wage-standards"]
        assert_dataset(got, ckan, region_names(real_server))
