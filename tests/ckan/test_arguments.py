"""CKAN's argument validators, one of each: the Action API and the DataStore read an argument
the same way, taking every value either of CKAN's readings accepts."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from catalog.ckan import arguments
from catalog.errors import InvalidFields
from catalog.search import catalogue_uuid

WAGES = catalogue_uuid("resource", "wages-test/wages")
TRUE = ["true", "True", "yes", "on", " on ", "y", "t", "1", True, 1, 2]
FALSE = ["false", "no", "off", "n", "f", "0", "maybe", False, 0, 1.0, [], {}]


@pytest.mark.parametrize("value", TRUE)
def test_arguments_boolean_true(value: Any) -> None:
    assert arguments.boolean(value) is True


@pytest.mark.parametrize("value", FALSE)
def test_arguments_boolean_false(value: Any) -> None:
    assert arguments.boolean(value, default=True) is False


@pytest.mark.parametrize("value", [None, ""])
def test_arguments_boolean_missing_or_empty_is_the_default(value: Any) -> None:
    assert arguments.boolean(value, default=True) is True
    assert arguments.boolean(value) is False


@pytest.mark.parametrize(
    ("value", "expected"),
    [("7", 7), (" 7 ", 7), ("+7", 7), (7, 7), (7.0, 7), (True, 1), (None, None), ("  ", None)],
)
def test_arguments_integer_reads_whole_numbers(value: Any, expected: int | None) -> None:
    assert arguments.integer(value, "n") == expected


@pytest.mark.parametrize("value", ["7.0", "7.5", 7.5, "x", [7], {"a": 1}, float("inf")])
def test_arguments_integer_refuses_anything_else(value: Any) -> None:
    with pytest.raises(InvalidFields) as refused:
        arguments.integer(value, "n")
    assert refused.value.errors == {"n": ["Invalid integer"]}


def test_arguments_natural_messages() -> None:
    assert arguments.natural("0", "n") == 0
    with pytest.raises(InvalidFields) as negative:
        arguments.natural("-1", "n")
    assert negative.value.errors == {"n": ["Must be a natural number"]}
    with pytest.raises(InvalidFields) as zero:
        arguments.natural(0, "n", positive=True)
    assert zero.value.errors == {"n": ["Must be a positive integer"]}
    with pytest.raises(InvalidFields) as large:
        arguments.natural(11, "n", most=10)
    assert large.value.errors == {"n": ["Must be at most 10"]}


def test_arguments_strings_and_names() -> None:
    assert arguments.strings("a") == (["a"], "")
    assert arguments.strings(["a", 5]) == ([], "Not a string: 5")
    assert arguments.strings(5) == ([], "Not a list")
    assert arguments.names(" a, b ,", "fields") == ["a", "b"]
    with pytest.raises(InvalidFields):
        arguments.names(5, "fields")


# -- the same values through both kinds of action ---------------------------------------------


async def action(client: httpx.AsyncClient, name: str, **data: Any) -> httpx.Response:
    return await client.post(f"/api/3/action/{name}", json=data)


@pytest.mark.anyio
@pytest.mark.parametrize("value", ["t", "on", 1, True])
async def test_arguments_true_reads_the_same_in_actions_and_datastore(
    client: httpx.AsyncClient, value: Any
) -> None:
    groups = await action(client, "group_list", all_fields=value)
    assert isinstance(groups.json()["result"][0], dict)
    found = await action(client, "datastore_search", resource_id=WAGES, include_total=value)
    assert "total" in found.json()["result"]


@pytest.mark.anyio
@pytest.mark.parametrize("value", ["f", "off", "maybe", 0, False])
async def test_arguments_false_reads_the_same_in_actions_and_datastore(
    client: httpx.AsyncClient, value: Any
) -> None:
    groups = await action(client, "group_list", all_fields=value)
    assert isinstance(groups.json()["result"][0], str)
    found = await action(client, "datastore_search", resource_id=WAGES, include_total=value)
    assert found.status_code == 200, found.text
    assert "total" not in found.json()["result"]


@pytest.mark.anyio
async def test_arguments_empty_boolean_takes_the_default(client: httpx.AsyncClient) -> None:
    found = await action(client, "datastore_search", resource_id=WAGES, include_total="")
    assert "total" in found.json()["result"]
    info = await action(client, "datastore_info", id=WAGES, include_meta="")
    assert "meta" in info.json()["result"]
    info = await action(client, "datastore_info", id=WAGES, include_meta="off")
    assert "meta" not in info.json()["result"]


@pytest.mark.anyio
@pytest.mark.parametrize("value", ["2", " 2 ", 2, 2.0])
async def test_arguments_limit_reads_the_same_in_actions_and_datastore(
    client: httpx.AsyncClient, value: Any
) -> None:
    names = await action(client, "package_list", limit=value)
    assert len(names.json()["result"]) == 2
    found = await action(client, "datastore_search", resource_id=WAGES, limit=value)
    assert len(found.json()["result"]["records"]) == 2


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("value", "message"),
    [("2.5", "Invalid integer"), ("x", "Invalid integer"), (-1, "Must be a natural number")],
)
async def test_arguments_bad_offset_is_the_same_error_in_actions_and_datastore(
    client: httpx.AsyncClient, value: Any, message: str
) -> None:
    for name, data in (
        ("package_list", {}),
        ("package_search", {}),
        ("datastore_search", {"resource_id": WAGES}),
    ):
        key = "start" if name == "package_search" else "offset"
        answer = await action(client, name, **data, **{key: value})
        assert answer.status_code == 409, (name, answer.text)
        assert answer.json()["error"][key] == [message], name


@pytest.mark.anyio
async def test_arguments_dump_bom_reads_as_every_boolean(client: httpx.AsyncClient) -> None:
    for value, marked in (("t", True), ("on", True), ("off", False), ("", False)):
        dumped = await client.get(f"/datastore/dump/{WAGES}", params={"bom": value})
        assert dumped.content.startswith(b"\xef\xbb\xbf") is marked, value
