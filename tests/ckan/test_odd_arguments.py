"""Arguments of the wrong type or shape get CKAN's Validation Error, never a 500.

Found by fuzzing the Action API: a lone surrogate (`"\\ud800"` in JSON) reached DuckDB, and
`fq`, `fl` or `fq_list` of the wrong JSON type reached the Solr parser and the result filter.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.ckan.conftest import SYNTHETIC

pytestmark = pytest.mark.anyio


async def post(client: httpx.AsyncClient, action: str, body: str) -> httpx.Response:
    headers = {"Content-Type": "application/json"}
    return await client.post(f"/api/3/action/{action}", content=body.encode(), headers=headers)


def error(answer: httpx.Response) -> dict[str, Any]:
    body = answer.json()
    assert body["success"] is False
    found: dict[str, Any] = body["error"]
    return found


@pytest.mark.parametrize(
    ("action", "body"),
    [
        ("package_search", r'{"q": "\ud800"}'),
        ("package_search", r'{"fq": "tags:\udfff"}'),
        ("package_show", r'{"id": "\ud800x"}'),
        ("package_search", r'{"fq_list": ["ok", "\ud800"]}'),
        ("package_search", r'{"\ud800": 1}'),
        ("datastore_search", r'{"resource_id": "x", "filters": {"a": "\ud800"}}'),
    ],
)
async def test_action_lone_surrogate_is_a_json_error(
    client: httpx.AsyncClient, action: str, body: str
) -> None:
    # Refused where the body is read, as CKAN refuses JSON it cannot decode: 400 with the
    # reason as the body, before any action sees the text.
    answer = await post(client, action, body)
    assert answer.status_code == 400, answer.text
    assert answer.json().startswith("Bad request: JSON Error")
    assert "lone surrogate" in answer.text


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ('{"fl": 5}', "fl", "Not a list"),
        ('{"fl": {"name": 1}}', "fl", "Not a list"),
        ('{"fq_list": [5]}', "fq_list", "Not a string: 5"),
        ('{"fq_list": {"a": 1}}', "fq_list", "Not a list"),
    ],
)
async def test_package_search_list_arguments_of_other_types_are_409(
    client: httpx.AsyncClient, body: str, field: str, message: str
) -> None:
    answer = await post(client, "package_search", body)
    assert answer.status_code == 409, answer.text
    assert error(answer)[field] == [message]


async def test_package_search_text_arguments_of_other_types_are_read_as_text(
    client: httpx.AsyncClient,
) -> None:
    """CKAN's `unicode_safe`: `q: 5` searches for "5"; `fq: {...}` is Solr text that fails."""
    answer = await post(client, "package_search", '{"q": 5}')
    assert answer.status_code == 200, answer.text
    answer = await post(client, "package_search", '{"fq": {"a": 1}}')
    assert answer.status_code == 409, answer.text
    assert error(answer)["__type"] == "Search Error"


async def test_package_search_fl_string_and_list_pick_the_same_keys(
    client: httpx.AsyncClient,
) -> None:
    by_text = (await post(client, "package_search", '{"fl": "name,title", "rows": 2}')).json()
    by_list = (await post(client, "package_search", '{"fl": ["name", "title"], "rows": 2}')).json()
    assert by_text["result"]["results"] == by_list["result"]["results"]
    assert set(by_text["result"]["results"][0]) == {"name", "title"}


async def test_package_search_offsets_past_any_engine_integer_are_empty_pages(
    client: httpx.AsyncClient,
) -> None:
    # As URL arguments: a JSON body with integers past 64 bits is refused where it is read.
    huge = str(10**30)
    params = {"start": huge, "rows": huge, "facet.limit": huge, "facet.mincount": huge}
    answer = await client.get("/api/3/action/package_search", params=params)
    assert answer.status_code == 200, answer.text
    result = answer.json()["result"]
    assert result["count"] >= SYNTHETIC
    assert result["results"] == []


async def test_action_json_nested_too_deep_is_a_bare_bad_request(
    client: httpx.AsyncClient,
) -> None:
    answer = await post(client, "package_search", "[" * 100_000 + "]" * 100_000)
    assert answer.status_code == 400, answer.text
    assert answer.json().startswith("Bad request: JSON Error:")


async def test_action_empty_multipart_form_reads_as_no_arguments(
    client: httpx.AsyncClient,
) -> None:
    headers = {"Content-Type": "multipart/form-data; boundary=x"}
    answer = await client.post("/api/3/action/package_search", content=b"--x\r\n", headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["result"]["count"] >= SYNTHETIC
