"""The `Store` interface: every implementation answers all of it, and nothing else builds paths.

The tests that take `make_store` run over each implementation in `IMPLEMENTATIONS` (the
folder store); tests/s3/test_contract.py runs them again over the folder and the S3 store,
which needs the S3 server its conftest starts. The others check the folder store's own files.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import catalog.store
from catalog.errors import Gone, NotFound, StoreError
from catalog.settings import Settings
from catalog.store import (
    DESCRIPTOR,
    REPORT,
    FolderStore,
    ManualClock,
    Publisher,
    Store,
    open_store,
)
from tests.conftest import REPO

START = datetime(2026, 3, 1, 8, 0, 0, 250_000, tzinfo=UTC)
StoreMaker = Callable[[Path, ManualClock], Store]
# Each implementation of `Store`, made over a scratch folder it may use as it likes.
IMPLEMENTATIONS: dict[str, StoreMaker] = {
    "folder": lambda scratch, clock: FolderStore(scratch, clock=clock),
}


@pytest.fixture(params=sorted(IMPLEMENTATIONS))
def make_store(request: pytest.FixtureRequest) -> StoreMaker:
    return IMPLEMENTATIONS[request.param]


def publish_all(store: Store, datasets_dir: Path) -> Store:
    publisher = Publisher(store, datasets_dir)
    for source in publisher.plan(list(publisher.sources().values())):
        publisher.build(source)
    return store


def published(datasets_dir: Path, store_dir: Path, clock: ManualClock) -> FolderStore:
    store = FolderStore(store_dir, clock=clock)
    publish_all(store, datasets_dir)
    return store


def protocol_members() -> set[str]:
    members = {name for name in vars(Store) if not name.startswith("_")}
    return members | set(Store.__annotations__)


def test_store_has_every_member_of_the_protocol(make_store: StoreMaker, tmp_path: Path) -> None:
    store = make_store(tmp_path, ManualClock(START))
    missing = [name for name in sorted(protocol_members()) if not hasattr(store, name)]
    assert missing == []
    assert {"served_version", "local_path", "report", "package", "clock"} <= protocol_members()


def test_store_opened_by_location_is_a_folder_store_for_a_path(tmp_path: Path) -> None:
    assert isinstance(open_store(tmp_path), FolderStore)
    assert isinstance(open_store(str(tmp_path / "store")), FolderStore)
    assert Settings(store=tmp_path / "store", state=tmp_path / "state").store == str(
        tmp_path / "store"
    )


@pytest.mark.parametrize("location", ["gs://bucket", "file://x/y"])  # s3://: tests/s3
def test_store_location_of_no_known_kind_is_refused_by_name(location: str) -> None:
    settings = Settings(store=location)  # a location, not yet a store: nothing local to check
    assert settings.store == location
    with pytest.raises(StoreError, match=f"{location.split(':')[0]}:// locations"):
        open_store(settings.store)


def test_store_package_names_exactly_its_public_surface() -> None:
    exported = set(catalog.store.__all__)
    assert len(exported) == len(catalog.store.__all__)
    public = {name for name in vars(catalog.store) if not name.startswith("_")}
    modules = {name for name in public if type(getattr(catalog.store, name)).__name__ == "module"}
    assert exported == public - modules
    assert {"CURRENT", "GENERATION", "WITHDRAWN"}.isdisjoint(exported)  # the folder's own


def test_store_versions_and_history_are_stamped_by_its_clock(
    make_store: StoreMaker, datasets_dir: Path, store_dir: Path
) -> None:
    clock = ManualClock(START)
    store = publish_all(make_store(store_dir, clock), datasets_dir)
    version = store.served_version("wages-test")
    assert version.startswith("20260301T080000Z-")
    assert store.published_at("wages-test", version) - START < timedelta(milliseconds=1)
    clock.advance(timedelta(days=1))
    withdrawal = store.withdraw("wages-test", "synthetic")
    assert withdrawal.withdrawn.startswith("2026-03-02T08:00:00.")
    assert [served.time[:19] for served in store.history("regions-test")] == ["2026-03-01T08:00:00"]


def test_store_clock_keeps_history_in_order_when_it_steps_back(
    make_store: StoreMaker, datasets_dir: Path, store_dir: Path
) -> None:
    clock = ManualClock(START)
    store = publish_all(make_store(store_dir, clock), datasets_dir)
    first = store.history("wages-test")[-1].time
    clock.advance(timedelta(hours=-1))
    store.withdraw("wages-test", "synthetic")
    assert store.withdrawals("wages-test")[0].withdrawn > first


def test_store_manual_clock_ticks_and_jumps() -> None:
    clock = ManualClock(START)
    first, second = clock(), clock()
    assert second - first == timedelta(microseconds=1)
    assert clock.next_second() == datetime(2026, 3, 1, 8, 0, 1, tzinfo=UTC)
    assert clock.advance(timedelta(minutes=1)) == datetime(2026, 3, 1, 8, 1, 1, tzinfo=UTC)
    with pytest.raises(ValueError, match="timezone-aware"):
        ManualClock(datetime(2026, 3, 1))  # a naive time


def test_store_files_of_a_version_are_local_paths_inside_it(
    datasets_dir: Path, store_dir: Path
) -> None:
    store = published(datasets_dir, store_dir, ManualClock(START))
    version = store.served_version("wages-test")
    folder = (store_dir / "wages-test" / version).resolve()
    assert store.local_path("wages-test", version, "wages.parquet") == folder / "wages.parquet"
    # Only the last segment counts: a resource's path cannot lead out of its version.
    assert store.local_path("wages-test", version, "../../x/passwd") == folder / "passwd"
    assert store.has_file("wages-test", version, DESCRIPTOR)
    assert store.has_file("wages-test", version, REPORT)
    assert not store.has_file("wages-test", version, "passwd")
    assert store.local_path("wages-test", version, "x").is_relative_to(
        store.readable_root().resolve()
    )
    with pytest.raises(NotFound):
        store.local_path("wages-test", "../v1", DESCRIPTOR)


def test_store_report_is_the_validation_report(datasets_dir: Path, store_dir: Path) -> None:
    store = published(datasets_dir, store_dir, ManualClock(START))
    assert store.report("wages-test")["valid"] is True
    version = store.served_version("wages-test")
    (store_dir / "wages-test" / version / REPORT).write_text("{", encoding="utf-8")
    with pytest.raises(StoreError, match="unreadable validation report"):
        store.report("wages-test", version)


def test_store_withdrawn_version_has_no_report_nor_descriptor(
    make_store: StoreMaker, datasets_dir: Path, store_dir: Path
) -> None:
    store = publish_all(make_store(store_dir, ManualClock(START)), datasets_dir)
    store.withdraw("wages-test", "synthetic")
    for read in (store.report, store.descriptor, store.package, store.served_version):
        with pytest.raises(Gone):
            read("wages-test")


def test_store_times_of_state_and_generation_follow_the_files(
    datasets_dir: Path, store_dir: Path
) -> None:
    assert FolderStore(store_dir).generation_time() == datetime(1970, 1, 1, tzinfo=UTC)
    store = published(datasets_dir, store_dir, ManualClock(START))
    changed = store.generation_time()
    assert changed > datetime(2000, 1, 1, tzinfo=UTC)
    assert store.state_time("wages-test") <= changed
    old = datetime(2001, 1, 1, tzinfo=UTC).timestamp()
    os.utime(store_dir / "wages-test" / "CURRENT", (old, old))
    assert store.state_time("wages-test") == datetime(2001, 1, 1, tzinfo=UTC)


def test_store_publish_time_falls_back_to_when_the_version_was_written(tmp_path: Path) -> None:
    folder = tmp_path / "hand-made" / "v1"
    folder.mkdir(parents=True)
    (folder / DESCRIPTOR).write_text('{"name": "hand-made", "resources": []}', "utf-8")
    (tmp_path / "hand-made" / "CURRENT").write_text("v1\n", encoding="utf-8")
    written = datetime(2002, 2, 2, tzinfo=UTC).timestamp()
    os.utime(folder / DESCRIPTOR, (written, written))
    assert FolderStore(tmp_path).published_at("hand-made", "v1") == datetime(2002, 2, 2, tzinfo=UTC)


# Ways of reaching into a store's folder that only `catalog/store/` may use.
BY_HAND = re.compile(
    r"store\.root\b|\.version_path\("
    r"|/ (?:CURRENT|GENERATION|WITHDRAWN|HISTORY|DESCRIPTOR|REPORT)\b"
    r"|/ f?\"[^\"]*(?:datapackage\.json|validation\.json|\.parquet)\""
    r"|import .*\b(?:CURRENT|GENERATION|WITHDRAWN|HISTORY)\b"
)


def test_store_paths_are_built_only_inside_the_store_package() -> None:
    found = []
    for package in ("api", "web", "cli", "catalog"):
        for path in sorted((REPO / package).rglob("*.py")):
            if path.is_relative_to(REPO / "catalog" / "store"):
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                code = line.split("#", 1)[0]
                if BY_HAND.search(code):
                    found.append(f"{path.relative_to(REPO)}:{number}: {line.strip()}")
    assert found == []
