"""Drafts and private datasets in package_show and package_search, as CKAN 2.12 answers them
(ckan/logic/auth/get.py `package_show`, permission labels; logic/action/get.py
`package_search`): a draft is shown to its organization's publishers and to admins, refused
(Authorization Error) to anyone else; this catalogue has no private datasets, so
`include_private` changes nothing for anyone."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from catalog.search import catalogue_uuid
from tests.ckan.test_writes import package_fields
from tests.conftest import build_all, write_regions, write_wages
from tests.servers import serving, state_database

pytestmark = pytest.mark.slow

DRAFT = "draft-wages"


@dataclass(frozen=True)
class Drafts:
    url: str
    tokens: dict[str, str]

    def action(self, action: str, token: str | None, **data: object) -> httpx.Response:
        headers = {"Authorization": self.tokens[token]} if token else {}
        with httpx.Client(base_url=self.url, headers=headers, timeout=60) as client:
            return client.post(f"/api/3/action/{action}", json=data)


SCOPES = {
    "admin": ["admin"],
    "publisher": ["publish:test-org"],
    "other publisher": ["publish:other-org"],
    "reader": ["read-dataset:wages-test"],
}


@pytest.fixture(scope="module")
def drafts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Drafts]:
    root = tmp_path_factory.mktemp("drafts")
    datasets, store = root / "datasets", root / "store"
    write_regions(datasets)
    write_wages(datasets)
    build_all(store, datasets)
    tokens = _tokens(store)
    with serving(store, env={"OPENDATA_DATASETS": str(datasets)}) as server:
        site = Drafts(server.url, tokens)
        made = site.action("package_create", "admin", **package_fields(DRAFT), state="draft")
        assert made.json()["result"]["state"] == "draft", made.text
        yield site


def _tokens(store: Path) -> dict[str, str]:
    with state_database(store) as state:
        return {name: state.tokens.create(name, scopes)[1] for name, scopes in SCOPES.items()}


@pytest.mark.parametrize("who", ["publisher", "admin"])
def test_a_draft_is_shown_to_its_organizations_publishers_and_admins(
    drafts: Drafts, who: str
) -> None:
    for key in (DRAFT, catalogue_uuid("dataset", DRAFT)):
        shown = drafts.action("package_show", who, id=key).json()
        assert shown["success"] is True and shown["result"]["state"] == "draft"


@pytest.mark.parametrize("who", [None, "reader", "other publisher"])
def test_a_draft_is_an_authorization_error_to_anyone_else(drafts: Drafts, who: str | None) -> None:
    response = drafts.action("package_show", who, id=DRAFT)
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["__type"] == "Authorization Error"
    assert catalogue_uuid("dataset", DRAFT) in error["message"]


def test_an_unknown_dataset_stays_not_found(drafts: Drafts) -> None:
    response = drafts.action("package_show", "admin", id="no-such-dataset")
    assert response.status_code == 404


@pytest.mark.parametrize("who", [None, "publisher", "admin"])
def test_include_private_changes_nothing_where_nothing_is_private(
    drafts: Drafts, who: str | None
) -> None:
    plain = drafts.action("package_search", who, q="*:*").json()["result"]
    private = drafts.action("package_search", who, q="*:*", include_private=True).json()
    assert private["result"]["count"] == plain["count"] == 2
    assert [p["name"] for p in private["result"]["results"]] == [
        p["name"] for p in plain["results"]
    ]
    assert all(p["private"] is False for p in plain["results"])


@pytest.mark.parametrize("who", [None, "reader", "other publisher"])
def test_include_drafts_finds_no_draft_for_whom_may_not_see_it(
    drafts: Drafts, who: str | None
) -> None:
    found = drafts.action("package_search", who, q="*:*", include_drafts=True).json()
    assert found["result"]["count"] == 2
    assert DRAFT not in [p["name"] for p in found["result"]["results"]]
    assert DRAFT not in drafts.action("package_list", who).json()["result"]


def _names(result: dict[str, Any]) -> list[str]:
    return [package["name"] for package in result["results"]]


@pytest.mark.parametrize("who", ["publisher", "admin"])
def test_include_drafts_finds_the_draft_for_its_publishers_and_admins(
    drafts: Drafts, who: str
) -> None:
    plain = drafts.action("package_search", who, q="*:*").json()["result"]
    assert plain["count"] == 2 and DRAFT not in _names(plain)
    every = drafts.action(
        "package_search", who, q="*:*", include_drafts="true", sort="name asc",
        **{"facet.field": ["organization", "tags"]},
    ).json()["result"]  # fmt: skip
    assert every["count"] == 3
    assert _names(every) == sorted([*_names(plain), DRAFT])
    shown = next(p for p in every["results"] if p["name"] == DRAFT)
    assert shown == drafts.action("package_show", who, id=DRAFT).json()["result"]
    assert shown["state"] == "draft"
    # Counted in the facets like any dataset: its tag 测试 is its own.
    assert every["facets"]["tags"]["测试"] >= 1 + plain_facet(drafts, who, "测试")


def plain_facet(drafts: Drafts, who: str, tag: str) -> int:
    found = drafts.action("package_search", who, q="*:*", **{"facet.field": ["tags"]}).json()[
        "result"
    ]
    return int(found["facets"]["tags"].get(tag, 0))


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ({"fq": "state:draft"}, [DRAFT]),
        ({"fq": "state:active", "sort": "name asc"}, ["regions-test", "wages-test"]),
        ({"q": "name:draft-wages"}, [DRAFT]),
        ({"q": "*:*", "rows": 1, "start": 2, "sort": "name asc"}, ["wages-test"]),
        ({"q": "*:*", "rows": 1, "start": 0, "sort": "name asc"}, [DRAFT]),
    ],
)
def test_a_draft_is_matched_filtered_and_paged_as_published_ones_are(
    drafts: Drafts, search: dict[str, object], expected: list[str]
) -> None:
    found = drafts.action("package_search", "publisher", include_drafts=True, **search).json()
    assert "result" in found, found
    assert _names(found["result"]) == expected
