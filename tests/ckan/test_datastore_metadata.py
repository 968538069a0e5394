"""CKAN's whitelisted `_table_metadata` table, and the user actions an anonymous caller is
refused, as CKAN 2.12 answers them."""

from __future__ import annotations

import csv
import hashlib
import io
import json

import httpx
import pytest

pytestmark = pytest.mark.anyio
SEARCH = "/api/3/action/datastore_search"


def ckan_id(name: str, alias_of: str | None) -> str:
    """CKAN's view: substr(md5(name || coalesce(alias_of, '')), 0, 17)."""
    text = name + (alias_of or "")
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()[:16]


async def test_table_metadata_lists_each_table_and_its_alias(client: httpx.AsyncClient) -> None:
    shown = (await client.get("/api/3/action/package_show?id=wages-test")).json()["result"]
    resource_id = shown["resources"][0]["id"]
    info = await client.get("/api/3/action/datastore_info", params={"id": resource_id})
    [alias] = info.json()["result"]["meta"]["aliases"]
    response = await client.get(
        SEARCH,
        params={"resource_id": "_table_metadata", "filters": f'{{"alias_of": "{resource_id}"}}'},
    )
    assert response.status_code == 200
    result = response.json()["result"]
    assert [f["id"] for f in result["fields"]] == ["_id", "name", "oid", "alias_of"]
    assert [f["type"] for f in result["fields"]] == ["text", "text", "oid", "text"]
    [row] = result["records"]
    assert (row["_id"], row["name"], row["alias_of"]) == (
        ckan_id(alias, resource_id), alias, resource_id
    )  # fmt: skip
    assert result["total"] == 1
    tables = await client.get(
        SEARCH, params={"resource_id": "_table_metadata", "filters": f'{{"name": "{resource_id}"}}'}
    )
    [table] = tables.json()["result"]["records"]
    assert (table["_id"], table["alias_of"]) == (ckan_id(resource_id, None), None)


async def test_table_metadata_pages_and_counts_every_table(client: httpx.AsyncClient) -> None:
    page = await client.get(SEARCH, params={"resource_id": "_table_metadata", "limit": 2})
    result = page.json()["result"]
    assert len(result["records"]) == 2
    # A row per table (each resource is one, `datastore_active`) and one per its alias.
    listed = await client.get(
        "/api/3/action/current_package_list_with_resources", params={"limit": 1000}
    )
    resources = [r for p in listed.json()["result"] for r in p["resources"]]
    assert all(r["datastore_active"] for r in resources)
    assert result["total"] == 2 * len(resources)
    bad = await client.get(SEARCH, params={"resource_id": "_table_metadata", "fields": "x"})
    assert bad.status_code == 409
    assert bad.json()["error"]["fields"] == ['field "x" not in table']


@pytest.mark.parametrize("action", ["user_list", "user_show"])
async def test_user_actions_refuse_an_anonymous_caller(
    client: httpx.AsyncClient, action: str
) -> None:
    response = await client.get(f"/api/3/action/{action}", params={"id": "admin"})
    assert response.status_code == 403
    assert response.json()["error"] == {"__type": "Authorization Error", "message": "Access denied"}


async def test_csv_records_print_numbers_as_the_json_records(client: httpx.AsyncClient) -> None:
    shown = (await client.get("/api/3/action/package_show?id=wages-test")).json()["result"]
    params = {"resource_id": shown["resources"][0]["id"], "sort": "_id"}
    as_json = await client.get(SEARCH, params={**params, "records_format": "lists"})
    # Each number as the JSON text prints it (`88000.50`), not as a float reads it.
    lists = json.loads(as_json.text, parse_float=str, parse_int=str)["result"]["records"]
    as_csv = await client.get(SEARCH, params={**params, "records_format": "csv"})
    rows = list(csv.reader(io.StringIO(as_csv.json()["result"]["records"])))
    assert [row[:4] for row in rows] == [[str(v) for v in row[:4]] for row in lists]
    assert [row[4] for row in rows] == ["88000.50", "95000.25", "80000.00"]


async def test_search_and_info_take_the_alias_the_server_advertises(
    client: httpx.AsyncClient,
) -> None:
    shown = (await client.get("/api/3/action/package_show?id=wages-test")).json()["result"]
    resource_id = shown["resources"][0]["id"]
    info = (await client.get("/api/3/action/datastore_info", params={"id": resource_id})).json()
    [alias] = info["result"]["meta"]["aliases"]
    by_alias = await client.get("/api/3/action/datastore_info", params={"id": alias})
    assert by_alias.status_code == 200, by_alias.text
    assert by_alias.json()["result"] == info["result"]
    params = {"sort": "_id", "limit": 2}
    searched = await client.get(SEARCH, params={"resource_id": resource_id, **params})
    aliased = await client.get(SEARCH, params={"resource_id": alias, **params})
    assert aliased.status_code == 200, aliased.text
    # As CKAN: asked by the alias, the answer names the real id; its `_links` repeat the
    # request's own URL (CKAN's `_insert_links` reads CKAN_CURRENT_URL).
    mine, real = aliased.json()["result"], searched.json()["result"]
    assert mine.pop("_links")["start"].endswith(f"resource_id={alias}&sort=_id&limit=2")
    real.pop("_links")
    assert mine == real
    unknown = await client.get(SEARCH, params={"resource_id": "no_such_alias"})
    assert unknown.status_code == 404
    assert "no_such_alias" in unknown.json()["error"]["message"]
