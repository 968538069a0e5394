"""ckanext-harvest 1.6's CKANHarvester gathers from our server what it gathers from a CKAN.

Its gather stage builds `fq` from the source config and pages package_search; CKAN hands
that `fq` to Solr after `+capacity:public ` and before ` +state:(active)`, parsed by Lucene's
standard parser with `q.op=AND`. There a clause joined by `OR` is optional and, beside the
required ones, filters nothing: `groups_filter_include` with several groups gathers every
dataset from a CKAN (ckan/ckanext-harvest#518), and so from us; with one group, exactly its
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


def test_gather_several_included_groups_takes_all_as_ckans_solr_does(
    harvest: Harvest, shown: dict[str, dict[str, Any]]
) -> None:
    found = gather(harvest, {"groups_filter_include": ["labour-relations", "wages"]})
    assert found["fq"] == [["groups:labour-relations OR groups:wages"]]
    assert sorted(found["names"]) == sorted(shown)


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


def test_gather_a_second_run_asks_for_changes_since_the_last_job(
    harvest: Harvest, shown: dict[str, dict[str, Any]]
) -> None:
    since = gather(harvest, {"groups_filter_include": ["wages"]}, LONG_AGO)
    assert since["fq"] == [["groups:wages", "metadata_modified:[2000-12-31T23:00:00Z TO *]"]]
    assert sorted(since["names"]) == in_group(shown, "wages")
    nothing = gather(harvest, {"groups_filter_include": ["wages"]}, LATER)
    assert (nothing["names"], nothing["ids"], nothing["errors"]) == ([], [], [])
    # Several groups and a date: the groups are optional beside the date, as in Solr.
    several = gather(harvest, {"groups_filter_include": ["wages", "labour-relations"]}, LONG_AGO)
    assert sorted(several["names"]) == sorted(shown)
