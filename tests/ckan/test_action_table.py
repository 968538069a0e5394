"""The table of actions (`catalog.ckan.ACTIONS`) is what the Action API serves and README lists."""

from __future__ import annotations

import re

import httpx
import pytest

from catalog.ckan import ACTIONS, WRITE_ACTIONS
from tests.test_architecture import REPO

pytestmark = pytest.mark.anyio
# README's list: one line per kind, each name in backticks, continued on indented lines.
KINDS = {
    "read": "read",
    "DataStore": "datastore",
    "DCAT": "dcat",
    "write (POST with an API token)": "write",
}
LISTED = re.compile(
    r"^- (read|DataStore|DCAT|write \(POST with an API token\))(?: \([^)]*\))?: (.*?)(?=^\S)",
    re.M | re.S,
)


def readme_actions() -> dict[str, str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    return {
        name: KINDS[kind]
        for kind, names in LISTED.findall(text)
        for name in re.findall(r"`([a-z_]+)`", names)
    }


def test_readme_lists_exactly_the_table_of_actions() -> None:
    assert readme_actions() == ACTIONS


def test_the_served_writes_are_ckans_write_actions_and_nothing_else_is() -> None:
    writes = {name for name, kind in ACTIONS.items() if kind == "write"}
    assert writes <= WRITE_ACTIONS
    assert not (set(ACTIONS) - writes) & WRITE_ACTIONS


async def test_help_show_knows_exactly_the_table(client: httpx.AsyncClient) -> None:
    for name in ACTIONS:
        answer = await client.get(f"/api/3/action/help_show?name={name}")
        assert answer.status_code == 200, name
        assert answer.json()["result"], name
    for name in sorted(WRITE_ACTIONS - set(ACTIONS)):
        answer = await client.get(f"/api/3/action/help_show?name={name}")
        assert answer.json()["error"]["__type"] == "Not Found Error", name


async def test_the_routes_serve_each_action_of_the_table(client: httpx.AsyncClient) -> None:
    for name, kind in ACTIONS.items():
        if kind == "write":
            answer = await client.post(f"/api/3/action/{name}", json={})
            assert answer.json()["error"]["__type"] == "Authorization Error", name
        else:
            answer = await client.get(f"/api/3/action/{name}")
            assert answer.json()["help"].endswith(f"help_show?name={name}"), name
    unknown = await client.get("/api/3/action/no_such_action")
    assert unknown.json() == "Bad request: Action name not known: no_such_action"
