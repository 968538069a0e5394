"""ckanext-dcat 2.4 parses our catalogue in each DCAT-AP profile it ships."""

from __future__ import annotations

from typing import Any

import ckanapi
import pytest

from tests.harvest.conftest import Harvest

pytestmark = pytest.mark.slow

PROFILES = ["euro_dcat_ap", "euro_dcat_ap_2", "euro_dcat_ap_3"]


def extra(dataset: dict[str, Any], key: str) -> Any:
    return next(item["value"] for item in dataset["extras"] if item["key"] == key)


@pytest.mark.parametrize("profile", PROFILES)
def test_every_dataset_arrives_once_with_its_identifier(
    harvest: Harvest, real_server: str, profile: str
) -> None:
    parsed = harvest("dcat_parse", "/catalog.ttl", profile, "turtle")
    names = ckanapi.RemoteCKAN(real_server).action.package_list()
    assert sorted(extra(dataset, "identifier") for dataset in parsed) == sorted(names)
