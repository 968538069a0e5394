"""package_search's license_id is package_show's (CKAN's default register), in `fq`, the facet
and `sort`; a sort CKAN's Solr refuses is CKAN's Search Error."""

from __future__ import annotations

import httpx
import pytest

from tests.ckan.conftest import SYNTHETIC

pytestmark = pytest.mark.anyio
SEARCH = "/api/3/action/package_search"


async def test_licence_fq_facet_and_show_agree_on_ckans_id(client: httpx.AsyncClient) -> None:
    shown = (await client.get("/api/3/action/package_show?id=wages-test")).json()["result"]
    assert shown["license_id"] == "cc-by"
    assert shown["license_url"] == "http://www.opendefinition.org/licenses/cc-by"
    params = {"fq": "license_id:cc-by", "rows": "0", "facet.field": '["license_id"]'}
    found = (await client.get(SEARCH, params=params)).json()["result"]
    assert found["count"] == SYNTHETIC + 2
    assert found["facets"] == {"license_id": {"cc-by": SYNTHETIC + 2}}
    items = found["search_facets"]["license_id"]["items"]
    assert items == [
        {"name": "cc-by", "display_name": "Creative Commons Attribution", "count": SYNTHETIC + 2}
    ]
    spdx = (await client.get(SEARCH, params={"fq": "license_id:CC-BY-4.0"})).json()["result"]
    assert spdx["count"] == 0  # the descriptor's SPDX name is not what CKAN stores


async def test_licence_every_id_shown_is_in_license_list(client: httpx.AsyncClient) -> None:
    listed = (await client.get("/api/3/action/license_list")).json()["result"]
    by_id = {entry["id"]: entry for entry in listed}
    assert by_id["cc-by"]["url"] == "http://www.opendefinition.org/licenses/cc-by"
    assert by_id["cc-by"]["title"] == "Creative Commons Attribution"


@pytest.mark.parametrize("field", ["tags", "groups", "res_format", "text", "vocab_x"])
async def test_sort_on_a_multivalued_field_is_ckans_search_error(
    client: httpx.AsyncClient, field: str
) -> None:
    response = await client.get(SEARCH, params={"sort": f"{field} asc"})
    assert response.status_code == 409
    assert response.json()["error"] == {
        "__type": "Search Error",
        "message": f"Search error: ('can not sort on multivalued field: {field}',)",
    }


async def test_sort_on_a_name_of_ckans_dynamic_field_sorts_nothing(
    client: httpx.AsyncClient,
) -> None:
    # CKAN's schema ends with `<dynamicField name="*" type="string">`: any other name is a
    # single-valued field, empty here, so the order is the next key's.
    named = await client.get(SEARCH, params={"sort": "no_such_field asc, name desc", "rows": 3})
    assert named.status_code == 200
    names = [row["name"] for row in named.json()["result"]["results"]]
    assert names == ["wages-test", "synthetic-299", "synthetic-298"]


async def test_sort_by_license_id_uses_ckans_id(client: httpx.AsyncClient) -> None:
    found = await client.get(SEARCH, params={"sort": "license_id asc, name asc", "rows": 1})
    assert found.json()["result"]["results"][0]["license_id"] == "cc-by"


async def test_fq_is_a_filter_of_its_own_so_a_top_level_or_filters(
    client: httpx.AsyncClient,
) -> None:
    # CKAN pastes `fq` between `+capacity:public` and `+state:(active)` with q.op=AND, where
    # top-level OR'd clauses are optional and filter nothing (ckan/ckanext-harvest#518). Here
    # `fq`, like each `fq_list` item, is a filter of its own, as Solr reads an `fq`.
    fq = "groups:wages OR groups:social-insurance"
    alone = (await client.get(SEARCH, params={"fq": fq, "rows": 0})).json()
    grouped = (await client.get(SEARCH, params={"fq": f"+({fq})", "rows": 0})).json()
    listed = (await client.post(SEARCH, json={"fq_list": [fq], "rows": 0})).json()
    every = (await client.get(SEARCH, params={"rows": 0})).json()
    assert every["result"]["count"] == SYNTHETIC + 2
    # synthetic datasets take the themes in turn; wages-test and regions-test: employment
    counts = {answer["result"]["count"] for answer in (alone, grouped, listed)}
    assert counts == {2 * SYNTHETIC // 3}
    both = {"fq": fq, "fq_list": ["-groups:wages"], "rows": 0}
    assert (await client.post(SEARCH, json=both)).json()["result"]["count"] == SYNTHETIC // 3
    for bad in ({"fq_list": ["groups:("]}, {"fq": "groups:("}):
        error = (await client.post(SEARCH, json=bad)).json()["error"]
        assert error["message"].startswith("Search error: (\"Cannot parse 'groups:('")
