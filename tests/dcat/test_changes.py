"""The change feed: publishes, updates and withdrawals since a time, as JSON and Atom."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.etree import ElementTree

import httpx
import pytest

from catalog.errors import Conflict, NotFound
from catalog.store import ManualClock, Publisher, changes_since
from tests.dcat.conftest import SERIES, History
from tests.servers import open_test_store

pytestmark = pytest.mark.anyio
ATOM = "{http://www.w3.org/2005/Atom}"


async def test_changes_since_lists_publishes_updates_and_withdrawals(
    client: httpx.AsyncClient, history: History
) -> None:
    body = (await client.get("/api/v1/changes", params={"since": history.since})).json()
    found = {(change["type"], change["dataset"]) for change in body["changes"]}
    assert found == (
        {("updated", slug) for slug in history.updated}
        | {("published", slug) for slug in history.added}
        | {("withdrawn", slug) for slug in history.withdrawn}
    )
    assert body["count"] == len(found)
    times = [change["time"] for change in body["changes"]]
    assert times == sorted(times) and all(t >= history.since for t in times)
    withdrawn = next(c for c in body["changes"] if c["type"] == "withdrawn")
    assert withdrawn["version"] and withdrawn["dcat"].endswith("/dataset/series-07.ttl")


async def test_changes_without_since_replay_the_whole_history(
    client: httpx.AsyncClient, history: History
) -> None:
    body = (await client.get("/api/v1/changes")).json()
    kinds = [change["type"] for change in body["changes"]]
    assert kinds.count("published") == 2 + SERIES + 1
    assert kinds.count("updated") == len(history.updated)
    assert kinds.count("withdrawn") == 1
    bad = await client.get("/api/v1/changes", params={"since": "last tuesday"})
    assert bad.status_code == 400


async def test_atom_feed_lists_changes_since(client: httpx.AsyncClient, history: History) -> None:
    response = await client.get("/feeds/changes.atom", params={"since": history.since})
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = ElementTree.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    for tag in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{tag}") is not None
    entries = feed.findall(f"{ATOM}entry")
    kinds = sorted(e.find(f"{ATOM}category").get("term", "") for e in entries)  # type: ignore[union-attr]
    assert kinds == ["published", "updated", "updated", "withdrawn"]
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(set(ids)) == len(ids)
    updated = [e.findtext(f"{ATOM}updated") or "" for e in entries]
    assert updated == sorted(updated, reverse=True)


def test_store_withdraw_then_publish_again_is_a_new_publish(
    datasets_dir: Path, store_dir: Path
) -> None:
    clock = ManualClock(datetime.now(UTC))
    store = open_test_store(store_dir, clock=clock)
    publisher = Publisher(store, datasets_dir)
    for source in publisher.plan(list(publisher.sources().values())):
        publisher.build(source)
    withdrawal = store.withdraw("wages-test", reason="superseded")
    assert store.current("wages-test") is None
    assert "wages-test" not in store.slugs() and "wages-test" in store.known_slugs()
    assert store.withdrawals("wages-test") == [withdrawal]
    with pytest.raises(NotFound):
        store.withdraw("wages-test")
    clock.advance(timedelta(seconds=1))  # a version is named by its second and its inputs
    again = Publisher(store, datasets_dir)
    with pytest.raises(Conflict, match=r"withdrawn \(superseded\).*--republish"):
        again.build(again.sources()["wages-test"])
    assert store.current("wages-test") is None
    again.build(again.sources()["wages-test"], republish=True)
    history = [(c.kind, c.version) for c in changes_since(store) if c.dataset == "wages-test"]
    assert [kind for kind, _ in history] == ["published", "withdrawn", "published"]
    assert history[1][1] == withdrawal.version
