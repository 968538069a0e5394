"""Scoped tokens at the CKAN write actions, through ckanapi against a real server, with the
state in SQLite and in PostgreSQL: a token writes only its organizations' datasets; expired,
revoked and read-only tokens are refused; every refusal and grant is in the audit log."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import ckanapi
import pytest

from catalog.state import AuditEntry, TokenStore, open_state
from catalog.store import FolderStore, ManualClock, Publisher
from tests.ckan.test_writes import package_fields
from tests.conftest import write_regions, write_wages
from tests.servers import serving, state_of
from tests.state.conftest import new_database

pytestmark = pytest.mark.slow

REFUSED = "Not authorized to write dataset wages-test of organization test-org"


@dataclass(frozen=True)
class Site:
    url: str
    database: str
    tokens: dict[str, str]  # by name

    def remote(self, name: str) -> ckanapi.RemoteCKAN:
        return ckanapi.RemoteCKAN(self.url, apikey=self.tokens[name])

    def audit(self) -> list[AuditEntry]:
        state = open_state(self.database)
        try:
            return list(state.audit.read())
        finally:
            state.close()

    def token_id(self, name: str) -> str:
        return self.tokens[name].split("_")[1]


def make_tokens(database: str) -> dict[str, str]:
    state = open_state(database)
    try:
        made = {
            name: state.tokens.create(name, scopes)[1]
            for name, scopes in {
                "test-org": ["publish:test-org"],
                "other-org": ["publish:other-org", "read-dataset:wages-test"],
                "reader": ["read-dataset:wages-test", "review-requests"],
                "admin": ["admin"],
                "revoked": ["admin"],
            }.items()
        }
        state.tokens.revoke("revoked")
        # Made a day ago for an hour: expired now.
        past = ManualClock(datetime.now(UTC) - timedelta(days=1))
        made["expired"] = TokenStore(state.database, past).create(
            "expired", ["admin"], timedelta(hours=1)
        )[1]
        return made
    finally:
        state.close()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    root = tmp_path_factory.mktemp("scoped")
    write_regions(root / "datasets")
    write_wages(root / "datasets")
    publisher = Publisher(FolderStore(root / "store"), root / "datasets")
    for source in publisher.plan(list(publisher.sources().values())):
        publisher.build(source)
    database = new_database(request, state_of(root / "store"))
    tokens = make_tokens(database)
    env = {"OPENDATA_DATASETS": str(root / "datasets"), "OPENDATA_DATABASE_URL": database}
    with serving(root / "store", env=env) as running:
        yield Site(running.url, database, tokens)


def test_scoped_token_writes_its_organizations_dataset(site: Site) -> None:
    patched = site.remote("test-org").action.package_patch(id="wages-test", notes="更新")
    assert patched["notes"] == "更新"
    made = site.remote("admin").action.package_patch(id="wages-test", notes="管理员")
    assert made["notes"] == "管理员"


def test_token_of_another_organization_is_refused_403(site: Site) -> None:
    remote = site.remote("other-org")
    with pytest.raises(ckanapi.NotAuthorized, match="wages-test"):
        remote.action.package_patch(id="wages-test", title="not theirs")
    with pytest.raises(ckanapi.NotAuthorized):
        remote.action.package_delete(id="wages-test")
    with pytest.raises(ckanapi.NotAuthorized):  # creating a dataset in an organization not its own
        remote.action.package_create(**package_fields("other-try"))
    assert site.remote("admin").action.package_show(id="wages-test")["title"] != "not theirs"
    entry = next(e for e in site.audit() if e.token == site.token_id("other-org"))
    assert (entry.action, entry.dataset, entry.outcome) == (
        "package_patch",
        "wages-test",
        "refused",
    )
    assert entry.detail == f"Authorization Error: {REFUSED}"


def test_token_cannot_move_a_dataset_out_of_or_into_an_organization(site: Site) -> None:
    moved = {**package_fields("wages-test"), "owner_org": "other-org"}
    with pytest.raises(ckanapi.NotAuthorized, match="other-org"):
        site.remote("test-org").action.package_update(**moved)
    own = {**package_fields("their-own"), "owner_org": "other-org"}
    created = site.remote("other-org").action.package_create(**own)
    assert created["organization"]["name"] == "other-org"
    with pytest.raises(ckanapi.NotAuthorized, match="test-org"):
        site.remote("other-org").action.package_update(**{**own, "owner_org": "test-org"})
    shown = site.remote("admin").action.package_show(id="wages-test")
    assert shown["organization"]["name"] == "test-org"


@pytest.mark.parametrize("name", ["reader", "expired", "revoked"])
def test_read_only_expired_and_revoked_tokens_cannot_write(site: Site, name: str) -> None:
    with pytest.raises(ckanapi.NotAuthorized):
        site.remote(name).action.package_patch(id="wages-test", title="x")
    last = site.audit()[-1]
    assert last.outcome == "refused" and last.action == "package_patch"
    # Expired and revoked tokens are invalid ones; a valid token without the scope is named.
    assert last.token == (site.token_id(name) if name == "reader" else "invalid")
