"""CKAN writes through two servers over one store, with `opendata build` running beside them:
real processes; no write is lost and every version that became current is in HISTORY."""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import ckanapi
import pytest

from catalog.store import Publisher
from catalog.store.changes import dataset_changes
from tests.ckan.test_writes import make_token
from tests.conftest import write_regions, write_wages
from tests.servers import OPENDATA, Server, open_test_store, serving, store_location

pytestmark = pytest.mark.slow

PATCHES = 4


@dataclass(frozen=True)
class Sites:
    root: Path
    token: str
    servers: tuple[Server, Server]


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sites]:
    root = tmp_path_factory.mktemp("concurrent")
    write_regions(root / "datasets")
    write_wages(root / "datasets")
    publisher = Publisher(open_test_store(root / "store"), root / "datasets")
    for source in publisher.plan(list(publisher.sources().values())):
        publisher.build(source)
    token = make_token(root / "store", "steward")
    env = {"OPENDATA_DATASETS": str(root / "datasets")}
    with serving(root / "store", env=env) as one, serving(root / "store", env=env) as two:
        yield Sites(root, token, (one, two))


def patch_many(url: str, token: str, field: str, label: str, failures: list[str]) -> None:
    with ckanapi.RemoteCKAN(url, apikey=token) as site:
        for number in range(PATCHES):
            try:
                site.action.package_patch(id="wages-test", **{field: f"{label} {number}"})
            except ckanapi.CKANAPIError as exc:  # noted, asserted empty by the test
                failures.append(f"{field} {number}: {exc}")


def cli_build(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            *(OPENDATA, "--datasets", str(root / "datasets")),
            *("--store", store_location(root / "store"), "build", "wages-test"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_writes_through_two_servers_beside_cli_builds_lose_nothing(sites: Sites) -> None:
    failures: list[str] = []
    writers = [
        threading.Thread(target=patch_many, args=(server.url, sites.token, field, label, failures))
        for server, field, label in (
            (sites.servers[0], "title", "标题"),
            (sites.servers[1], "notes", "说明"),
        )
    ]
    for writer in writers:
        writer.start()
    builds = []
    while any(writer.is_alive() for writer in writers):
        builds.append(cli_build(sites.root))
    for writer in writers:
        writer.join()
    builds.append(cli_build(sites.root))
    assert failures == []
    # Each patch changed one field and kept the other's latest value: none was lost.
    shown = ckanapi.RemoteCKAN(sites.servers[0].url).action.package_show(id="wages-test")
    assert (shown["title"], shown["notes"]) == (f"标题 {PATCHES - 1}", f"说明 {PATCHES - 1}")
    # The CLI reads the folder the servers write: it never publishes over them.
    for build in builds:
        output = build.stdout + build.stderr
        assert "wages-test: published" not in output, output
        if build.returncode == 0:
            assert "wages-test: unchanged" in output or "already published" in output, output
    assert builds[-1].returncode == 0
    store = open_test_store(sites.root / "store")
    served = [s.version for s in store.history("wages-test")]
    assert len(served) == 1 + 2 * PATCHES == len(set(served))
    assert sorted(served) == sorted(v.version for v in store.versions("wages-test"))
    assert served[-1] == store.current("wages-test")
    assert [c.version for c in dataset_changes(store, "wages-test")] == served
