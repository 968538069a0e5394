"""Published descriptors as CKAN dicts: stable ids, CKAN timestamps, licenses, extras."""

from __future__ import annotations

import uuid

from catalog.ckan import mapping as ckan
from catalog.metadata import CKAN_LICENCES, SPDX_TO_CKAN
from catalog.search import catalogue_uuid
from catalog.store import Package
from tests.ckan.conftest import synthetic


def model(number: int) -> Package:
    return Package.of(synthetic(number))


def test_package_dict_ids_are_stable_uuid5_of_the_slug() -> None:
    package = ckan.package_dict(model(7), "http://site")
    assert package["id"] == catalogue_uuid("dataset", "synthetic-007")
    assert uuid.UUID(package["id"]).version == 5
    assert package["resources"][0]["id"] == catalogue_uuid("resource", "synthetic-007/values")
    assert package["resources"][0]["package_id"] == package["id"]
    assert package["id"] == ckan.package_dict(model(7), "http://other")["id"]


def test_package_dict_timestamps_are_written_as_ckan_writes_them() -> None:
    package = ckan.package_dict(model(25), "http://site")
    assert package["metadata_modified"] == "2024-05-02T10:00:00.000000"
    assert package["metadata_created"] == "2024-01-01T00:00:00.000000"
    assert package["resources"][0]["last_modified"] == package["metadata_modified"]
    assert ckan.ckan_timestamp("2024-05-01T09:00:00.123456+08:00") == "2024-05-01T01:00:00.123456"


def test_package_dict_carries_what_ckan_clients_read() -> None:
    package = ckan.package_dict(model(1), "http://site/")
    assert package["type"] == "dataset"
    assert package["state"] == "active"
    assert package["private"] is False
    assert (package["license_id"], package["isopen"]) == ("cc-by", True)
    assert package["organization"]["name"] == "org-b"
    assert package["owner_org"] == package["organization"]["id"]
    assert [g["name"] for g in package["groups"]] == ["wages"]
    assert [t["name"] for t in package["tags"]] == ["test", "批次1", "测试"]
    assert package["num_tags"] == 3
    assert package["num_resources"] == 1
    resource = package["resources"][0]
    assert resource["url"] == "http://site/api/v1/datasets/synthetic-001/resources/values.csv"
    assert (resource["format"], resource["mimetype"]) == ("CSV", "text/csv")
    assert resource["datastore_active"] is True
    assert resource["position"] == 0


def test_package_dict_extras_hold_bilingual_and_catalogue_properties() -> None:
    extras = {e["key"]: e["value"] for e in ckan.package_dict(model(1), "http://s")["extras"]}
    assert extras["title_en"] == "Synthetic test data synthetic-001"
    assert extras["notes_en"] == "Synthetic data for tests."
    assert extras["frequency"] == "annual"
    assert extras["access_level"] == "unconditional"
    assert extras["spatial_codes"] == "520000"
    assert all(isinstance(value, str) for value in extras.values())


def test_package_dict_spatial_extras_are_ckanext_dcat_s_and_never_codes_in_spatial() -> None:
    """ckanext-spatial reads `spatial` as GeoJSON: codes go to `spatial_codes`; the names and
    the coverage IRI are what ckanext-dcat harvests from our DCAT (`spatial_text`, `_uri`)."""
    package = Package.of({**synthetic(1), "spatial": ["000000", "520000"]})
    regions = {"000000": ("全国", "China"), "520000": ("贵州省", "Guizhou")}
    extras = {
        e["key"]: e["value"] for e in ckan.package_dict(package, "http://s/", regions)["extras"]
    }
    assert "spatial" not in extras
    assert extras["spatial_codes"] == "000000,520000"
    assert extras["spatial_text"] == "全国、贵州省"
    assert extras["spatial_uri"] == "http://s/dataset/synthetic-001#spatial"
    # Without the region code list the codes name themselves, as in DCAT's label.
    bare = {e["key"]: e["value"] for e in ckan.package_dict(package, "http://s")["extras"]}
    assert bare["spatial_text"] == "000000、520000"
    none = Package.of({**synthetic(1), "spatial": []})
    keys = {e["key"] for e in ckan.package_dict(none, "http://s", regions)["extras"]}
    assert not keys & {"spatial", "spatial_codes", "spatial_text", "spatial_uri"}


def test_resource_dict_parquet_size_is_the_published_file_s() -> None:
    """`parquet_size` is the stored Parquet's size, as DCAT's byteSize gives it (byte_size,
    or `bytes` in a version published before byte_size)."""
    data = synthetic(1)
    data["resources"][0] = {**data["resources"][0], "byte_size": 4321}
    (resource,) = ckan.package_dict(Package.of(data), "http://s")["resources"]
    assert resource["parquet_size"] == 4321
    data["resources"][0] = {**data["resources"][0], "byte_size": None, "bytes": 1234}
    (resource,) = ckan.package_dict(Package.of(data), "http://s")["resources"]
    assert resource["parquet_size"] == 1234


def test_license_of_keeps_an_unknown_license_as_given() -> None:
    licenses = [{"name": "GB-OPEN", "title": "开放许可", "path": "u"}]
    found = ckan.license_of(Package.of({"name": "unknown-license", "licenses": licenses}))
    assert found == {
        "license_id": "GB-OPEN",
        "license_title": "开放许可",
        "license_url": "u",
        "isopen": False,
    }


def test_package_dict_modified_follows_the_one_rule_without_a_build() -> None:
    """docs/descriptor.md: modified is `build.published`, else the version's `created`."""
    document = synthetic(3)
    del document["build"]
    document["created"] = "2024-06-01T08:00:00Z"
    package = ckan.package_dict(Package.of(document), "http://s")
    assert package["metadata_modified"] == "2024-06-01T08:00:00.000000"
    assert package["metadata_created"] == "2024-01-01T00:00:00.000000"  # `issued`, earlier
    assert package["resources"][0]["last_modified"] == package["metadata_modified"]


def test_license_list_and_dcat_name_each_licence_from_one_register() -> None:
    """One home: license_list's titles and urls are catalog.metadata's register, the one DCAT
    names a distribution's licence by (so ckanext-dcat finds license_id by that url)."""
    assert [entry["id"] for entry in ckan.LICENSES] == list(CKAN_LICENCES)
    for entry in ckan.LICENSES:
        assert (entry["title"], entry["url"]) == CKAN_LICENCES[entry["id"]]
    assert SPDX_TO_CKAN["CC-BY-4.0"] == "cc-by"
    assert CKAN_LICENCES["cc-by"] == (
        "Creative Commons Attribution",
        "http://www.opendefinition.org/licenses/cc-by",
    )
    assert ckan.license_of(Package.of({"name": "x-y", "licenses": [{"name": "CC0-1.0"}]})) == {
        "license_id": "cc-zero",
        "license_title": "Creative Commons CCZero",
        "license_url": "http://www.opendefinition.org/licenses/cc-zero",
        "isopen": True,
    }
