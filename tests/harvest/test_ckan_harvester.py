"""ckanext-harvest 1.6's CKANHarvester gathers from our server what it gathers from a CKAN.

Its gather stage builds `fq` from the source config and pages package_search. CKAN pastes that
`fq` between `+capacity:public ` and ` +state:(active)`, where (Lucene's standard parser,
`q.op=AND`) a clause joined by `OR` is optional beside the required ones and filters nothing:
`groups_filter_include` with several groups gathers every dataset from a CKAN
(ckan/ckanext-harvest#518). We read `fq` as Solr reads an `fq` parameter, a filter of its
own that must match whole, so several included groups or organizations gather exactly their
datasets. The expected sets come from package_show, not from our search.
"""

from __future__ import annotations

import json
from typing import Any

import ckanapi
import pytest

from tests.harvest.conftest import Harvest

pytestmark = pytest.mark.slow
LONG_AGO, LATER = "2001-01-01T00:00:00", "2999-01-01T00:00:00"


@pytest.fixture(scope="module")
def shown(real_server: str) -> dict[str, dict[str, Any]]:
    site = ckanapi.RemoteCKAN(real_server)
    return {name: site.action.package_show(id=name) for name in site.action.package_list()}


def in_group(shown: dict[str, dict[str, Any]], group: str) -> list[str]:
    return sorted(n for n, p in shown.items() if group in {g["name"] for g in p["groups"]})


def gather(harvest: Harvest, config: dict[str, Any], since: str = "") -> dict[str, Any]:
    found: dict[str, Any] = harvest("ckan_gather", json.dumps(config), *([since] if since else []))
    assert len(found["names"]) == len(set(found["names"]))
    return found


def test_gather_without_filters_takes_every_dataset_once(
    harvest: Harvest, shown: dict[str, dict[str, Any]]
) -> None:
    found = gather(harvest, {})
    assert sorted(found["names"]) == sorted(shown)
    assert found["fq"] == [[]]
    assert sorted(found["ids"]) == sorted(p["id"] for p in shown.values())


@pytest.mark.parametrize("group", ["wages", "labour-relations", "reference-data"])
def test_gather_one_included_group_takes_exactly_its_datasets(
    harvest: Harvest, shown: dict[str, dict[str, Any]], group: str
) -> None:
    found = gather(harvest, {"groups_filter_include": [group]})
    assert found["fq"] == [[f"groups:{group}"]]
    assert sorted(found["names"]) == in_group(shown, group)
    assert 1 <= len(found["names"]) < len(shown)


def test_gather_several_included_groups_takes_exactly_their_datasets(
    harvest: Harvest, shown: dict[str, dict[str, Any]]
) -> None:
    found = gather(harvest, {"groups_filter_include": ["labour-relations", "wages"]})
    assert found["fq"] == [["groups:labour-relations OR groups:wages"]]
    expected = set(in_group(shown, "labour-relations")) | set(in_group(shown, "wages"))
    assert sorted(found["names"]) == sorted(expected)
    assert 1 <= len(expected) < len(shown)


def test_gather_excluded_groups_leave_their_datasets(
    harvest: Harvest, shown: dict[str, dict[str, Any]]
) -> None:
    found = gather(harvest, {"groups_filter_exclude": ["wages", "reference-data"]})
    assert found["fq"] == [["-groups:wages", "-groups:reference-data"]]
    left = set(shown) - set(in_group(shown, "wages")) - set(in_group(shown, "reference-data"))
    assert sorted(found["names"]) == sorted(left)
    assert left


def test_gather_organization_filters(
    harvest: Harvest, shown: dict[str, dict[str, Any]], real_server: str
) -> None:
    organization = next(iter(shown.values()))["organization"]["name"]
    included = gather(harvest, {"organizations_filter_include": [organization]})
    assert sorted(included["names"]) == sorted(shown)
    nobody = gather(harvest, {"organizations_filter_include": ["no-such-unit"]})
    assert nobody["names"] == []
    assert nobody["errors"] == [f"No datasets found at CKAN: {real_server}"]
    excluded = gather(harvest, {"organizations_filter_exclude": [organization]})
    assert excluded["names"] == []
    # Several: exactly the datasets of any of them (a CKAN gathers every dataset here).
    several = gather(harvest, {"organizations_filter_include": [organization, "no-such-unit"]})
    assert several["fq"] == [[f"organization:{organization} OR organization:no-such-unit"]]
    assert sorted(several["names"]) == sorted(shown)
    strangers = gather(harvest, {"organizations_filter_include": ["no-such-unit", "nor-this"]})
    assert strangers["names"] == []


def test_gather_a_second_run_asks_for_changes_since_the_last_job(
    harvest: Harvest, shown: dict[str, dict[str, Any]]
) -> None:
    since = gather(harvest, {"groups_filter_include": ["wages"]}, LONG_AGO)
    assert since["fq"] == [["groups:wages", "metadata_modified:[2000-12-31T23:00:00Z TO *]"]]
    assert sorted(since["names"]) == in_group(shown, "wages")
    nothing = gather(harvest, {"groups_filter_include": ["wages"]}, LATER)
    assert (nothing["names"], nothing["ids"], nothing["errors"]) == ([], [], [])
    # Several groups and a date, joined by a space into one `fq`: Lucene's parser with
    # q.op=AND makes the OR'd groups optional beside the required date, so even as a filter
    # of its own this `fq` filters on the date only, as Solr reads it.
    several = gather(harvest, {"groups_filter_include": ["wages", "labour-relations"]}, LONG_AGO)
    assert sorted(several["names"]) == sorted(shown)
