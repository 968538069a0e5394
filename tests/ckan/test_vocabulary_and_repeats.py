"""tag_list with a vocabulary and package_show with a repeated id answer as CKAN 2.12 does (or,
where CKAN fails with a 500, with a Validation Error), against a real server."""

from __future__ import annotations

import ckanapi
import httpx
import pytest


def action(server: str, name: str, params: list[tuple[str, str]]) -> httpx.Response:
    return httpx.get(f"{server}/api/3/action/{name}", params=params, timeout=60)


def test_tag_list_of_an_unknown_vocabulary_is_not_found(ckan_server: str) -> None:
    answer = action(ckan_server, "tag_list", [("vocabulary_id", "x")])
    assert answer.status_code == 404
    assert answer.json()["error"] == {
        "__type": "Not Found Error",
        "message": "Not found: could not find vocabulary 'x'",
    }
    with pytest.raises(ckanapi.NotFound):
        ckanapi.RemoteCKAN(ckan_server).action.tag_list(vocabulary_id="x")


def test_tag_list_without_a_vocabulary_lists_the_free_tags(ckan_server: str) -> None:
    assert "测试" in action(ckan_server, "tag_list", []).json()["result"]
    assert "测试" in action(ckan_server, "tag_list", [("vocabulary_id", "")]).json()["result"]


def test_tag_list_searched_in_an_unknown_vocabulary_finds_no_tags(ckan_server: str) -> None:
    # CKAN's `_tag_search`: a vocabulary it cannot find gives no tags; an empty one is missing.
    found = action(ckan_server, "tag_list", [("vocabulary_id", "x"), ("query", "测")])
    assert found.status_code == 200 and found.json()["result"] == []
    missing = action(ckan_server, "tag_list", [("vocabulary_id", ""), ("query", "测")])
    assert missing.status_code == 409
    assert missing.json()["error"]["vocabulary_id"] == ["Missing value"]


def test_package_show_with_a_repeated_id_is_a_validation_error(ckan_server: str) -> None:
    answer = action(ckan_server, "package_show", [("id", "wages-test"), ("id", "wages-test")])
    assert answer.status_code == 409
    assert answer.json()["error"] == {
        "__type": "Validation Error",
        "id": ["Must be a single name or id, not a list or an object"],
    }
    shown = action(ckan_server, "package_show", [("id", "wages-test")])
    assert shown.status_code == 200 and shown.json()["result"]["name"] == "wages-test"
