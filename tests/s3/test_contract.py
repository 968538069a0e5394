"""The `Store` contract, run against the folder store and the S3 store alike.

The interface tests of tests/catalog that take `make_store` run here again over both
implementations (`make_store` of tests/s3/conftest.py); the tests below add what the two
must both answer: publishing, versions, withdrawals, history, the compare-and-swap.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from catalog.errors import Conflict, Gone, NotFound, StoreError
from catalog.store import DESCRIPTOR, REPORT, ManualClock, Publisher, Store, load_dataset
from tests.catalog.test_store_interface import (
    test_store_clock_keeps_history_in_order_when_it_steps_back as test_clock_steps_back,
)
from tests.catalog.test_store_interface import (
    test_store_has_every_member_of_the_protocol as test_every_member,
)
from tests.catalog.test_store_interface import (
    test_store_versions_and_history_are_stamped_by_its_clock as test_stamped_by_its_clock,
)
from tests.catalog.test_store_interface import (
    test_store_withdrawn_version_has_no_report_nor_descriptor as test_withdrawn_has_no_documents,
)
from tests.conftest import WAGE_CSV, write_wages
from tests.s3.conftest import StoreMaker

START = datetime(2026, 3, 1, 8, 0, 0, 250_000, tzinfo=UTC)

__all__ = [
    "test_clock_steps_back",
    "test_every_member",
    "test_stamped_by_its_clock",
    "test_withdrawn_has_no_documents",
]


def publish_all(store: Store, datasets_dir: Path) -> Publisher:
    publisher = Publisher(store, datasets_dir)
    for source in publisher.plan(list(publisher.sources().values())):
        publisher.build(source)
    return publisher


def republish_wages(store: Store, datasets_dir: Path, clock: ManualClock, workers: str) -> str:
    """Publish other inputs of wages-test a second later; the new version's name."""
    write_wages(datasets_dir, WAGE_CSV.replace("1000", workers))
    clock.next_second()
    return Publisher(store, datasets_dir).build(load_dataset(datasets_dir / "wages-test")).version


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


def test_contract_publish_serves_the_version_with_its_files(
    make_store: StoreMaker, datasets_dir: Path, store_dir: Path, clock: ManualClock
) -> None:
    store = make_store(store_dir, clock)
    assert store.slugs() == [] and store.generation() == ""
    publish_all(store, datasets_dir)
    assert store.slugs() == ["regions-test", "wages-test"] == store.known_slugs()
    version = store.served_version("wages-test")
    assert store.current("wages-test") == version and store.generation() != ""
    assert store.package("wages-test").name == "wages-test"
    assert store.descriptor("wages-test", version)["name"] == "wages-test"
    assert store.report("wages-test")["valid"] is True
    local = store.local_path("wages-test", version, "wages.parquet")
    assert local.is_file() and local.is_relative_to(store.readable_root())
    assert store.has_file("wages-test", version, REPORT)
    assert not store.has_file("wages-test", version, "nothing.parquet")
    assert not store.local_path("wages-test", version, "nothing.parquet").exists()
    # Only the last segment counts: a resource's path cannot lead out of its version.
    assert store.local_path("wages-test", version, "../../x/wages.parquet") == local
    assert store.published_at("wages-test", version) - START < timedelta(seconds=1)


def test_contract_versions_history_and_a_superseded_version(
    make_store: StoreMaker, datasets_dir: Path, store_dir: Path, clock: ManualClock
) -> None:
    store = make_store(store_dir, clock)
    publish_all(store, datasets_dir)
    first = store.served_version("wages-test")
    second = republish_wages(store, datasets_dir, clock, "1001")
    assert second != first and store.current("wages-test") == second
    infos = store.versions("wages-test")
    assert [(i.version, i.current) for i in infos] == [(first, False), (second, True)]
    assert [s.version for s in store.history("wages-test")] == [first, second]
    assert store.served_version("wages-test", first) == first  # superseded, still readable
    assert store.version_exists("wages-test", first)
    assert not store.version_exists("wages-test", "20200101T000000Z-0000000000")


def test_contract_unknown_names_are_not_found(
    make_store: StoreMaker, datasets_dir: Path, store_dir: Path, clock: ManualClock
) -> None:
    store = publish_all(make_store(store_dir, clock), datasets_dir).store
    for slug, version in [("nothing", None), ("../etc", None), ("wages-test", "v1"),
                          ("wages-test", "20200101T000000Z-0000000000")]:  # fmt: skip
        with pytest.raises(NotFound):
            store.served_version(slug, version)
    with pytest.raises(NotFound):
        store.versions("nothing")
    with pytest.raises(NotFound):
        store.local_path("wages-test", "../v1", DESCRIPTOR)
    assert store.current("nothing") is None and store.current("../x") is None


def test_contract_withdrawals(
    make_store: StoreMaker, datasets_dir: Path, store_dir: Path, clock: ManualClock
) -> None:
    store = make_store(store_dir, clock)
    publish_all(store, datasets_dir)
    first = store.served_version("wages-test")
    second = republish_wages(store, datasets_dir, clock, "1001")
    with pytest.raises(Conflict, match="current version"):
        store.withdraw("wages-test", "no", version=second)
    store.withdraw("wages-test", "bad figures", version=first)
    with pytest.raises(Gone):
        store.served_version("wages-test", first)
    assert store.withdrawn_versions("wages-test") == {first}
    assert store.withdrawal("wages-test") is None
    withdrawal = store.withdraw("wages-test", "retired")
    assert store.withdrawal("wages-test") == withdrawal
    assert set(withdrawal.versions or ()) == {first, second}
    assert store.slugs() == ["regions-test"]
    assert store.known_slugs() == ["regions-test", "wages-test"]
    with pytest.raises(Gone):
        store.served_version("wages-test")
    assert all(info.withdrawn for info in store.versions("wages-test"))
    assert [w.reason for w in store.withdrawals("wages-test")] == ["bad figures", "retired"]


def test_contract_commit_is_a_compare_and_swap(
    make_store: StoreMaker, datasets_dir: Path, store_dir: Path, clock: ManualClock
) -> None:
    store = make_store(store_dir, clock)
    publish_all(store, datasets_dir)
    current = store.current("wages-test")
    with store.writing("wages-test") as staging:
        (staging / DESCRIPTOR).write_text("{}", encoding="utf-8")
        with pytest.raises(Conflict, match="changed since"):
            store.commit("wages-test", staging, "20260301T090000Z-aaaaaaaaaa",
                         expected_current="20200101T000000Z-0000000000")  # fmt: skip
        with pytest.raises(StoreError, match="immutable"):
            store.commit("wages-test", staging, str(current), expected_current=current)
    assert store.current("wages-test") == current
    with pytest.raises(StoreError, match="without holding its lock"):
        store.commit("wages-test", store_dir, "20260301T090000Z-aaaaaaaaaa",
                     expected_current=current)  # fmt: skip


def test_contract_times_of_state_and_generation(
    make_store: StoreMaker, datasets_dir: Path, store_dir: Path, clock: ManualClock
) -> None:
    store = make_store(store_dir, clock)
    assert store.generation_time() == datetime(1970, 1, 1, tzinfo=UTC)
    assert store.state_time("wages-test") == datetime(1970, 1, 1, tzinfo=UTC)
    publish_all(store, datasets_dir)
    changed = store.generation_time()
    assert changed > datetime(2000, 1, 1, tzinfo=UTC)
    assert store.state_time("wages-test") <= changed + timedelta(seconds=1)
