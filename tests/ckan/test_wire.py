"""The Action API wire in process: envelope, request forms, CKAN's errors and statuses."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.ckan.conftest import SYNTHETIC

pytestmark = pytest.mark.anyio
HELP = "http://ckan.test/api/3/action/help_show?name="


async def test_action_envelope_has_help_success_result(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/3/action/package_list")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json;charset=utf-8"
    body = response.json()
    assert list(body) == ["help", "success", "result"]
    assert body["help"] == HELP + "package_list"
    assert body["success"] is True
    assert len(body["result"]) == SYNTHETIC + 2


async def test_action_unversioned_path_and_post_json_answer_alike(
    client: httpx.AsyncClient,
) -> None:
    first = (await client.get("/api/3/action/package_show?id=wages-test")).json()
    second = (await client.post("/api/action/package_show", json={"id": "wages-test"})).json()
    assert first == second
    assert second["help"] == HELP + "package_show"


async def test_action_post_form_and_json_form_key(client: httpx.AsyncClient) -> None:
    form = await client.post("/api/action/package_list", data={"limit": "2", "offset": "1"})
    assert form.json()["result"] == ["synthetic-000", "synthetic-001"]
    legacy = await client.post(
        "/api/action/package_list",
        content=json.dumps({"limit": 1}) + "=1",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert legacy.json()["result"] == ["regions-test"]


async def test_action_unknown_name_is_a_bare_bad_request(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/3/action/no_such_action", json={})
    assert response.status_code == 400
    assert response.json() == "Bad request: Action name not known: no_such_action"


async def test_action_write_by_get_is_refused_as_ckan_refuses_it(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/api/3/action/package_create?name=x")
    assert response.status_code == 400
    assert response.json() == (
        "Bad request: JSON Error: Invalid request. Please use POST method for your request"
    )
    anonymous = await client.post("/api/3/action/package_create", json={"name": "x"})
    assert anonymous.status_code == 403
    assert anonymous.json()["error"]["__type"] == "Authorization Error"


async def test_action_not_found_is_404_not_found_error(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/3/action/package_show?id=nope")
    assert response.status_code == 404
    assert response.json() == {
        "help": HELP + "package_show",
        "error": {"message": "Not found", "__type": "Not Found Error"},
        "success": False,
    }


async def test_action_missing_argument_is_409_validation_error(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/api/3/action/package_show")
    assert response.status_code == 409
    assert response.json()["error"] == {
        "name_or_id": ["Missing value"],
        "__type": "Validation Error",
    }
    paging = await client.get("/api/3/action/package_list?limit=-1")
    assert paging.status_code == 409
    assert paging.json()["error"]["limit"] == ["Must be a natural number"]


async def test_package_search_unknown_parameter_is_search_query_error(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/api/3/action/package_search?foo=1")
    assert response.status_code == 400
    assert response.json()["error"] == {
        "__type": "Search Query Error",
        "message": "Search Query is invalid: (\"Invalid search parameters: ['foo']\",)",
    }
    sort = await client.get("/api/3/action/package_search?sort=name")
    assert sort.status_code == 400
    assert sort.json()["error"]["message"] == (
        "Search Query is invalid: ('Invalid \"sort\" parameter',)"
    )


async def test_package_search_unparsable_fq_is_409_search_error(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/api/3/action/package_search", params={"fq": "name:(a"})
    assert response.status_code == 409
    assert response.json()["error"]["__type"] == "Search Error"


async def test_api_version_roots_never_redirect(client: httpx.AsyncClient) -> None:
    for path, version in (("/api/3", 3), ("/api/3/", 3), ("/api", 1), ("/api/2", 2)):
        response = await client.get(path)
        assert (response.status_code, response.json()) == (200, {"version": version}), path


async def test_action_jsonp_callback_wraps_a_get(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/3/action/site_read?callback=cb")
    assert response.headers["content-type"] == "application/javascript;charset=utf-8"
    assert response.text.startswith("cb({") and response.text.endswith("});")


async def test_package_search_rows_are_capped_at_1000(client: httpx.AsyncClient) -> None:
    body = (await client.get("/api/3/action/package_search?rows=5000")).json()["result"]
    assert body["count"] == SYNTHETIC + 2
    assert len(body["results"]) == SYNTHETIC + 2
    assert body["sort"] == "score desc, metadata_modified desc"
    assert body["facets"] == {} and body["search_facets"] == {}


async def test_package_search_facets_as_ckan_shapes_them(client: httpx.AsyncClient) -> None:
    params = {
        "fq": "tags:测试",
        "rows": "0",
        "facet.field": '["organization", "groups", "res_format", "no_such"]',
        "facet.limit": "2",
    }
    body = (await client.get("/api/3/action/package_search", params=params)).json()["result"]
    assert body["results"] == []
    assert body["facets"]["organization"] == {"org-a": 100, "org-b": 100}
    assert body["facets"]["res_format"] == {"CSV": SYNTHETIC + 2}
    assert body["facets"]["no_such"] == {}
    items = body["search_facets"]["groups"]["items"]
    assert [item["display_name"] for item in items] == ["社会保险", "就业创业"]  # descending
    assert items[0] == {"name": "social-insurance", "display_name": "社会保险", "count": 100}


async def test_package_search_q_plain_and_fielded(client: httpx.AsyncClient) -> None:
    async def count(**params: str) -> int:
        response = await client.get("/api/3/action/package_search", params=params)
        result: int = response.json()["result"]["count"]
        return result

    assert await count(q="wages") == 1
    assert await count(q="批次1 测试") == 60
    assert await count(q="name:wages-test") == 1
    assert await count(q="organization:org-a OR organization:org-b") == 200
    assert await count(q="*:*") == SYNTHETIC + 2


async def test_package_search_sorts_by_id_and_modified(client: httpx.AsyncClient) -> None:
    async def names(sort: str) -> list[str]:
        params = {"sort": sort, "rows": "1000", "fq": "organization:org-a"}
        response = await client.get("/api/3/action/package_search", params=params)
        return [p["id"] for p in response.json()["result"]["results"]]

    by_id = await names("id asc")
    assert by_id == sorted(by_id)
    response = await client.get(
        "/api/3/action/package_search", params={"sort": "metadata_modified desc", "rows": "3"}
    )
    modified = [p["metadata_modified"] for p in response.json()["result"]["results"]]
    assert modified == sorted(modified, reverse=True)


async def test_read_actions_answer(client: httpx.AsyncClient) -> None:
    async def result(action: str, **params: str) -> object:
        response = await client.get(f"/api/3/action/{action}", params=params)
        assert response.status_code == 200, response.text
        return response.json()["result"]

    assert await result("organization_list") == ["org-a", "org-b", "org-c", "test-org"]
    org = await result("organization_show", id="org-a", include_datasets="true")
    assert isinstance(org, dict) and org["package_count"] == 100 and len(org["packages"]) == 10
    assert await result("group_list") == ["employment", "wages", "social-insurance"]  # by title
    group = await result("group_show", id="wages")
    assert isinstance(group, dict) and group["title"] == "工资收入"
    assert "测试" in await result("tag_list")  # type: ignore[operator]
    licenses = await result("license_list")
    assert isinstance(licenses, list) and licenses[5]["id"] == "cc-by"
    status = await result("status_show")
    assert isinstance(status, dict) and status["ckan_version"].startswith("2.12")
    assert await result("site_read") is True
    page = await result("current_package_list_with_resources", limit="2")
    assert isinstance(page, list)  # published just now, after every synthetic dataset
    assert {p["name"] for p in page} == {"regions-test", "wages-test"}
    package = await result("package_show", id="wages-test")
    assert isinstance(package, dict)
    resource = await result("resource_show", id=package["resources"][0]["id"])
    assert resource == package["resources"][0]
    assert len(package["resources"]) == 2  # the regions code list is embedded
    help_text = await result("help_show", name="package_search")
    assert isinstance(help_text, str) and "Solr" in help_text


async def test_help_show_of_a_write_action_is_its_docstring(client: httpx.AsyncClient) -> None:
    answer = await client.get("/api/3/action/help_show", params={"name": "package_create"})
    assert answer.json()["result"].startswith("Create a dataset from a package dict")
