"""One publish at a time per dataset: the store's lock, compare-and-swap commits, and the
HISTORY log that makes the change feed list every version that was ever current."""

from __future__ import annotations

import fcntl
import json
import threading
from pathlib import Path

import pytest

from catalog.errors import Conflict, StoreError
from catalog.store import FolderStore, Publisher, load_dataset
from catalog.store.changes import dataset_changes
from catalog.store.folder import HISTORY, LOCK
from tests.conftest import WAGE_CSV, write_wages

CHANGED_CSV = WAGE_CSV + "520200,2022,310,81000.00,2023-06-01\n"


def publish_all(datasets_dir: Path, store: FolderStore) -> Publisher:
    publisher = Publisher(store, datasets_dir)
    for source in publisher.plan(list(publisher.sources().values())):
        publisher.build(source)
    return publisher


def lock_is_free(store: FolderStore, slug: str) -> bool:
    """Whether another open file description could take the dataset's flock now."""
    with (store.root / slug / LOCK).open("a") as other:
        try:
            fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(other, fcntl.LOCK_UN)
        return True


def test_store_lock_is_held_for_the_whole_block_and_reentrant(tmp_path: Path) -> None:
    store = FolderStore(tmp_path / "store")
    with store.locked("wages-test"):
        assert not lock_is_free(store, "wages-test")
        with store.writing("wages-test") as staging:  # the same thread takes it again
            assert staging.is_dir()
            assert store.holds_lock("wages-test")
        assert not lock_is_free(store, "wages-test")
    assert lock_is_free(store, "wages-test")
    assert not store.holds_lock("wages-test")


def test_store_lock_is_not_shared_with_another_thread(tmp_path: Path) -> None:
    store = FolderStore(tmp_path / "store")
    seen: list[bool] = []
    with store.locked("wages-test"):
        worker = threading.Thread(target=lambda: seen.append(store.holds_lock("wages-test")))
        worker.start()
        worker.join()
    assert seen == [False]


def test_store_commit_refuses_without_the_lock(datasets_dir: Path, store_dir: Path) -> None:
    store = FolderStore(store_dir)
    publish_all(datasets_dir, store)
    staging = store_dir / "wages-test" / ".staging-by-hand"
    staging.mkdir()
    with pytest.raises(StoreError, match="lock"):
        store.commit("wages-test", staging, "v9", expected_current=store.current("wages-test"))


def test_store_commit_is_a_compare_and_swap(datasets_dir: Path, store_dir: Path) -> None:
    store = FolderStore(store_dir)
    publish_all(datasets_dir, store)
    current = store.current("wages-test")
    with (
        store.writing("wages-test") as staging,
        pytest.raises(Conflict) as refused,
    ):
        store.commit("wages-test", staging, "v9", expected_current="20200101T000000Z-0000000000")
    assert str(refused.value) == (
        "dataset wages-test changed since you read version 20200101T000000Z-0000000000;"
        f" now {current}"
    )
    assert store.current("wages-test") == current
    assert not (store_dir / "wages-test" / "v9").exists()


def test_publish_with_a_stale_base_fails_and_changes_nothing(
    datasets_dir: Path, store_dir: Path
) -> None:
    store = FolderStore(store_dir)
    publish_all(datasets_dir, store)
    first = store.current("wages-test")
    write_wages(datasets_dir, CHANGED_CSV)
    source = load_dataset(datasets_dir / "wages-test")
    with pytest.raises(Conflict, match=f"changed since you read version old; now {first}"):
        Publisher(store, datasets_dir).build(source, base="old")
    assert store.current("wages-test") == first
    assert len(store.versions("wages-test")) == 1


def test_publish_second_build_of_the_same_inputs_reports_the_other(
    datasets_dir: Path, store_dir: Path
) -> None:
    store = FolderStore(store_dir)
    publish_all(datasets_dir, store)
    write_wages(datasets_dir, CHANGED_CSV)
    # Both publishers read the store before either published, as two processes started together.
    first, second = Publisher(store, datasets_dir), Publisher(store, datasets_dir)
    source = load_dataset(datasets_dir / "wages-test")
    made = first.build(source)
    again = second.build(source)
    assert made.created and not made.concurrent
    assert (again.created, again.concurrent, again.version) == (False, True, made.version)
    assert second.build(source).concurrent is False  # now it knows: plainly unchanged


def test_publish_of_other_inputs_after_a_concurrent_publish_conflicts(
    datasets_dir: Path, store_dir: Path, tmp_path: Path
) -> None:
    store = FolderStore(store_dir)
    publish_all(datasets_dir, store)
    before = store.current("wages-test")
    other_dir = tmp_path / "other"
    write_wages(other_dir, CHANGED_CSV)
    late = Publisher(store, datasets_dir)  # read the store first, its folder is then stale
    write_wages(datasets_dir, WAGE_CSV.replace("1000", "1001"))
    won = Publisher(store, other_dir).build(load_dataset(other_dir / "wages-test"))
    with pytest.raises(Conflict, match=f"read version {before}; now {won.version}"):
        late.build(load_dataset(datasets_dir / "wages-test"))
    assert store.current("wages-test") == won.version


def test_history_records_every_version_that_was_current(
    datasets_dir: Path, store_dir: Path
) -> None:
    store = FolderStore(store_dir)
    publish_all(datasets_dir, store)
    versions = [store.current("wages-test")]
    for workers in ("1001", "1002", "1003"):
        write_wages(datasets_dir, WAGE_CSV.replace("1000", workers))
        publish_all(datasets_dir, store)
        versions.append(store.current("wages-test"))
    store.withdraw("wages-test")
    assert [served.version for served in store.history("wages-test")] == versions
    times = [served.time for served in store.history("wages-test")]
    assert times == sorted(times) and len(set(times)) == len(times)
    kinds = [(c.kind, c.version) for c in dataset_changes(store, "wages-test")]
    assert kinds == [
        ("published", versions[0]),
        ("updated", versions[1]),
        ("updated", versions[2]),
        ("updated", versions[3]),
        ("withdrawn", versions[3]),
    ]


def test_history_of_an_old_store_is_seeded_from_publish_times(
    datasets_dir: Path, store_dir: Path
) -> None:
    store = FolderStore(store_dir)
    publish_all(datasets_dir, store)
    first = store.current("wages-test")
    (store_dir / "wages-test" / HISTORY).unlink()  # as a store written before HISTORY
    assert [s.version for s in store.history("wages-test")] == [first]
    write_wages(datasets_dir, CHANGED_CSV)
    publish_all(datasets_dir, store)
    second = store.current("wages-test")
    lines = (store_dir / "wages-test" / HISTORY).read_text(encoding="utf-8").splitlines()
    assert [(json.loads(x)["version"], json.loads(x).get("seeded", False)) for x in lines] == [
        (first, True),
        (second, False),
    ]
