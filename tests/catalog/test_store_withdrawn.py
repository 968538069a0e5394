"""Withdrawn means gone: the store answers Gone for every version of a withdrawn dataset and
for a withdrawn version, and keeps what the tombstone and the change feed need."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from api.caching import HttpCache
from catalog.errors import Conflict, Gone, NotFound
from catalog.query import QueryEngine
from catalog.settings import Settings
from catalog.store import FolderStore
from catalog.store.changes import dataset_changes
from catalog.store.folder import WITHDRAWN
from tests.querydata import WAGE_SCHEMA, wage_rows, write_version
from tests.servers import OPENDATA


def three_versions(root: Path, slug: str = "wages-test") -> FolderStore:
    for version, rows in (("v1", 10), ("v2", 20), ("v3", 30)):
        write_version(root, slug, version, {"wages": (WAGE_SCHEMA, wage_rows(rows))})
    return FolderStore(root)


def test_store_withdrawn_dataset_is_gone_for_every_version(tmp_path: Path) -> None:
    store = three_versions(tmp_path)
    withdrawal = store.withdraw("wages-test", "a mistake")
    assert withdrawal.versions == ("v1", "v2", "v3")
    for version in (None, "v1", "v2", "v3"):
        with pytest.raises(Gone):
            store.version_path("wages-test", version)
        with pytest.raises(Gone):
            store.descriptor("wages-test", version)
    # The tombstone stays: versions are listed (flagged) and the withdrawal is logged.
    assert [(v.version, v.withdrawn) for v in store.versions("wages-test")] == [
        ("v1", True),
        ("v2", True),
        ("v3", True),
    ]
    assert store.withdrawals("wages-test")[0].reason == "a mistake"
    assert store.known_slugs() == ["wages-test"]


def test_store_republished_dataset_keeps_old_versions_gone(tmp_path: Path) -> None:
    store = three_versions(tmp_path)
    store.withdraw("wages-test")
    write_version(store, "wages-test", "v4", {"wages": (WAGE_SCHEMA, wage_rows(5))})
    assert store.version_path("wages-test").name == "v4"
    for version in ("v1", "v2", "v3"):
        with pytest.raises(Gone):
            store.version_path("wages-test", version)


def test_store_superseded_version_stays_readable_when_named(tmp_path: Path) -> None:
    store = three_versions(tmp_path)
    assert store.version_path("wages-test", "v1").name == "v1"
    assert store.descriptor("wages-test", "v2")["version"] == "v2"


def test_store_withdraws_one_superseded_version(tmp_path: Path) -> None:
    store = three_versions(tmp_path)
    withdrawal = store.withdraw("wages-test", "wrong figures", version="v2")
    assert (withdrawal.scope, withdrawal.versions) == ("version", ("v2",))
    with pytest.raises(Gone, match="v2"):
        store.version_path("wages-test", "v2")
    assert store.version_path("wages-test", "v1").name == "v1"
    assert store.version_path("wages-test").name == "v3"
    assert [v.version for v in store.versions("wages-test") if v.withdrawn] == ["v2"]
    with pytest.raises(Gone, match="already"):
        store.withdraw("wages-test", version="v2")


def test_store_refuses_to_withdraw_the_current_version_alone(tmp_path: Path) -> None:
    store = three_versions(tmp_path)
    with pytest.raises(Conflict, match="current version"):
        store.withdraw("wages-test", version="v3")
    with pytest.raises(NotFound):
        store.withdraw("wages-test", version="v9")
    assert store.withdrawals("wages-test") == []


def test_store_version_withdrawal_is_not_in_the_change_feed(tmp_path: Path) -> None:
    store = three_versions(tmp_path)
    store.withdraw("wages-test", version="v1")
    assert all(change.kind != "withdrawn" for change in dataset_changes(store, "wages-test"))


def test_store_legacy_withdrawal_covers_versions_published_before_it(tmp_path: Path) -> None:
    store = three_versions(tmp_path)
    # A WITHDRAWN line as the store wrote it before withdrawals listed their versions.
    line = {
        "slug": "wages-test",
        "version": "v3",
        "withdrawn": "2026-01-01T00:00:00Z",
        "reason": "",
    }
    (tmp_path / "wages-test" / WITHDRAWN).write_text(json.dumps(line) + "\n", encoding="utf-8")
    (tmp_path / "wages-test" / "CURRENT").unlink()
    for version in ("v1", "v2", "v3"):
        with pytest.raises(Gone):
            store.version_path("wages-test", version)


BAD_NAMES = ["..", "../wages-test", "wages-test/..", "a/b", "x\n", "x\x00", ".staging-x", "%2e%2e"]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_store_refuses_names_that_are_not_slugs_or_versions(tmp_path: Path, name: str) -> None:
    store = three_versions(tmp_path)
    with pytest.raises(NotFound) as refused:
        store.version_path(name)
    assert str(tmp_path) not in str(refused.value)
    with pytest.raises(NotFound):
        store.version_path("wages-test", name)
    assert store.current(name) is None
    with pytest.raises(NotFound):
        store.withdraw(name)


def test_store_trailing_newline_is_not_a_version(tmp_path: Path) -> None:
    store = three_versions(tmp_path)
    with pytest.raises(NotFound):
        store.version_path("wages-test", "v1\n")
    with pytest.raises(NotFound):
        store.version_path("wages-test\n", "v1")


def test_store_query_engine_cache_cannot_serve_a_withdrawn_version(tmp_path: Path) -> None:
    store = three_versions(tmp_path)
    engine = QueryEngine(store, Settings(store=tmp_path))
    try:
        assert engine.resource("wages-test", "wages", "v2").version == "v2"
        assert engine.resource("wages-test", "wages").version == "v3"
        store.withdraw("wages-test", version="v2")
        with pytest.raises(Gone):
            engine.resource("wages-test", "wages", "v2")
        store.withdraw("wages-test")
        with pytest.raises(Gone):
            engine.resource("wages-test", "wages")
        assert engine.views() == {}
    finally:
        engine.close()


def test_store_http_cache_has_no_validators_for_a_withdrawn_version(tmp_path: Path) -> None:
    store = three_versions(tmp_path)
    cache = HttpCache(store)
    rows = "/api/v1/datasets/wages-test/resources/wages/rows"
    pinned = cache.validators(rows, [("version", "v1")])
    assert pinned is not None and pinned.pinned
    store.withdraw("wages-test", version="v1")
    assert cache.validators(rows, [("version", "v1")]) is None
    assert cache.validators(rows, []) is not None
    store.withdraw("wages-test")
    assert cache.validators(rows, []) is None
    assert cache.validators("/api/v1/datasets/wages-test/versions/v3", []) is None


@pytest.mark.slow
def test_store_cli_withdraws_one_version_then_the_dataset(tmp_path: Path) -> None:
    three_versions(tmp_path / "store")

    def opendata(*args: str) -> subprocess.CompletedProcess[str]:
        command = [OPENDATA, "--store", str(tmp_path / "store"), *args]
        return subprocess.run(command, capture_output=True, text=True, timeout=120)

    one = opendata("withdraw", "wages-test", "--version", "v1", "--reason", "wrong figures")
    assert one.returncode == 0, one.stderr
    assert "wages-test: version v1 withdrawn" in one.stdout
    current = opendata("withdraw", "wages-test", "--version", "v3")
    assert current.returncode == 1
    assert "is the current version" in current.stderr
    listed = opendata("versions", "wages-test").stdout.splitlines()
    assert [line.split()[0] for line in listed] == ["-", "v2", "*"]
    whole = opendata("withdraw", "wages-test")
    assert whole.returncode == 0, whole.stderr
    assert "with its 3 version(s); v3 was current" in whole.stdout
    assert opendata("withdraw", "wages-test").returncode == 1
