"""Publishing into an S3 store: two publishers on two machines race on CURRENT and exactly
one wins; a publisher killed between its objects and CURRENT leaves the old version served;
the local copies stay within their bound without losing a served version's files."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from catalog.errors import Conflict, Gone
from catalog.store import DESCRIPTOR, Publisher, S3Store, load_dataset
from catalog.store.s3 import S3Location
from tests.conftest import REPO, WAGE_CSV, write_regions, write_wages
from tests.s3.conftest import fresh_location, s3_options
from tests.s3.served import serving_s3


def machine(endpoint: str, location: str, scratch: Path) -> S3Store:
    """A store as one machine opens it: its own local copies and its own local lock."""
    return S3Store(S3Location.parse(location), s3_options(endpoint, scratch))


def sources(root: Path, workers: str) -> Path:
    write_regions(root)
    write_wages(root, WAGE_CSV.replace("1000", workers))
    return root


def publish_everything(store: S3Store, datasets: Path) -> None:
    publisher = Publisher(store, datasets)
    for source in publisher.plan(list(publisher.sources().values())):
        publisher.build(source)


@pytest.mark.parametrize("round_", range(3))
def test_publishing_two_machines_racing_on_current_exactly_one_wins(
    s3_endpoint: str, tmp_path: Path, round_: int
) -> None:
    location = fresh_location()
    first = machine(s3_endpoint, location, tmp_path / "a")
    publish_everything(first, sources(tmp_path / "base", "1000"))
    before = first.current("wages-test")
    stores = [first, machine(s3_endpoint, location, tmp_path / "b")]
    inputs = [sources(tmp_path / f"in-{n}", f"100{n + 1}") for n in range(2)]
    both_uploaded = threading.Barrier(2, timeout=60)
    outcomes: list[str] = []

    def publish(store: S3Store, datasets: Path) -> None:
        source = load_dataset(datasets / "wages-test")
        try:
            result = Publisher(store, datasets).build(
                source, base=before, before_switch=both_uploaded.wait
            )
            outcomes.append(f"won {result.version}")
        except Conflict:
            outcomes.append("conflict")

    pairs = zip(stores, inputs, strict=True)
    threads = [threading.Thread(target=publish, args=pair) for pair in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(o.split()[0] for o in outcomes) == ["conflict", "won"]
    winner = next(o.split()[1] for o in outcomes if o.startswith("won"))
    assert first.current("wages-test") == winner
    assert [s.version for s in first.history("wages-test")] == [before, winner]
    loser = [i.version for i in first.versions("wages-test")
             if i.version not in (before, winner)]  # fmt: skip
    assert len(loser) == 1  # written whole, never served


def test_publishing_killed_between_objects_and_current_leaves_the_old_version_served(
    s3_endpoint: str, tmp_path: Path
) -> None:
    location = fresh_location()
    store = machine(s3_endpoint, location, tmp_path / "copies")
    publish_everything(store, sources(tmp_path / "old", "1000"))
    old = store.current("wages-test")
    new = sources(tmp_path / "new", "1001")
    command = [sys.executable, "-c", KILLED_PUBLISH, s3_endpoint, location, str(new)]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    killed = subprocess.run(
        [*command, str(tmp_path / "killed")], cwd=REPO, env=env, capture_output=True, timeout=120
    )
    assert killed.returncode == -9, killed.stderr.decode()[-2000:]
    assert store.current("wages-test") == old
    written = [v for v in store._version_names("wages-test") if v != old]
    assert len(written) == 1  # every object of it, descriptor last, yet never current
    assert [s.version for s in store.history("wages-test")] == [old]
    env = {
        "OPENDATA_S3_ENDPOINT_URL": s3_endpoint,
        "OPENDATA_STORE": location,
        "OPENDATA_STATE": str(tmp_path / "state"),
    }
    with serving_s3(env) as server:
        answer = httpx.get(f"{server.url}/api/v1/datasets/wages-test", timeout=30)
        assert answer.status_code == 200 and answer.json()["version"] == old
    # The next publish is not held up by the dead one (its lock died with it).
    publish_everything(store, new)
    assert store.current("wages-test") not in (old, None)


# Publish `argv[3]` into the store, and die by SIGKILL once the version's objects are written,
# before CURRENT is (the `before_switch` hook runs exactly there).
KILLED_PUBLISH = """
import os, signal, sys
from pathlib import Path
from catalog.store import Publisher, S3Store, load_dataset
from catalog.store.s3 import S3Location, S3Options
endpoint, location, datasets, cache = sys.argv[1:5]
store = S3Store(S3Location.parse(location), S3Options(endpoint_url=endpoint, cache=Path(cache)))
source = load_dataset(Path(datasets) / "wages-test")
Publisher(store, Path(datasets)).build(
    source, before_switch=lambda: os.kill(os.getpid(), signal.SIGKILL)
)
"""


def test_publishing_local_copies_are_evicted_but_never_a_served_version(
    s3_endpoint: str, tmp_path: Path
) -> None:
    location = fresh_location()
    store = machine(s3_endpoint, location, tmp_path / "copies")
    publish_everything(store, sources(tmp_path / "one", "1000"))
    old = store.current("wages-test")
    publish_everything(store, sources(tmp_path / "two", "1001"))
    new = store.current("wages-test")
    assert old and new and old != new
    reader = machine(s3_endpoint, location, tmp_path / "reader")  # nothing copied yet
    reader.copies._limit = 0  # every copy is over the bound
    stale = reader.local_path("wages-test", old, "wages.parquet")
    assert stale.is_file()
    os.utime(stale, (time.time() - 3600, time.time() - 3600))  # handed out an hour ago
    served = reader.local_path("wages-test", new, "wages.parquet")
    assert served.is_file() and not stale.exists()  # the old copy went, the served stayed
    os.utime(served, (time.time() - 3600, time.time() - 3600))
    reader.local_path("wages-test", new, "validation.json")
    assert served.is_file()  # long unused, but of a served version: kept
    assert reader.local_path("wages-test", old, "wages.parquet").is_file()  # copied again
    assert reader.local_path("wages-test", new, DESCRIPTOR).is_file()


def test_publishing_no_reader_sees_a_version_before_all_its_objects_are_written(
    s3_endpoint: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    location = fresh_location()
    store = machine(s3_endpoint, location, tmp_path / "writer")
    publish_everything(store, sources(tmp_path / "old", "1000"))
    old = store.current("wages-test")
    reader = machine(s3_endpoint, location, tmp_path / "reader")
    seen: list[tuple[str, str | None, list[str]]] = []
    upload = store.objects.upload

    def upload_then_look(key: str, source: Path) -> None:
        upload(key, source)  # the real upload; then what another machine reads right now
        listed = [info.version for info in reader.versions("wages-test")]
        seen.append((key.rsplit("/", 1)[-1], reader.current("wages-test"), listed))

    monkeypatch.setattr(store.objects, "upload", upload_then_look)
    publish_everything(store, sources(tmp_path / "new", "1001"))
    new = store.current("wages-test")
    assert new != old and seen[-1][0] == DESCRIPTOR and len(seen) > 3  # only wages changed
    for name, current, listed in seen:
        assert current == old  # CURRENT moves only after every object
        assert (new in listed) == (name == DESCRIPTOR)  # listed only once complete


class PublishingMeanwhile:
    """The objects of a machine withdrawing a dataset, with another machine's publish landing
    after its read of CURRENT, as it logs the withdrawal (a race no local lock can stop)."""

    def __init__(self, objects: Any, publish: Callable[[], None]) -> None:
        self._objects = objects
        self._publish: Callable[[], None] | None = publish

    def __getattr__(self, name: str) -> Any:
        return getattr(self._objects, name)

    def _meanwhile(self, key: str) -> None:
        if key.endswith("/WITHDRAWN") and self._publish is not None:
            publish, self._publish = self._publish, None
            publish()

    def swap(self, key: str, data: bytes, etag: str | None) -> bool:
        self._meanwhile(key)
        return bool(self._objects.swap(key, data, etag))


def test_publishing_a_version_while_another_machine_withdraws_leaves_it_withdrawn(
    s3_endpoint: str, tmp_path: Path
) -> None:
    location = fresh_location()
    withdrawing = machine(s3_endpoint, location, tmp_path / "a")
    publishing = machine(s3_endpoint, location, tmp_path / "b")
    publish_everything(publishing, sources(tmp_path / "one", "1000"))
    old = publishing.current("wages-test")
    published: list[str | None] = []

    def publish() -> None:
        publish_everything(publishing, sources(tmp_path / "two", "1001"))
        published.append(publishing.current("wages-test"))

    withdrawing.objects = PublishingMeanwhile(withdrawing.objects, publish)  # type: ignore[assignment]
    withdrawing.withdraw("wages-test", "withdrawn while a new version landed")
    new = published[0]
    assert new not in (old, None)
    reader = machine(s3_endpoint, location, tmp_path / "reader")
    assert reader.current("wages-test") is None
    assert "wages-test" not in reader.slugs()
    assert {old, new} <= reader.withdrawn_versions("wages-test")
    for version in (old, new):
        with pytest.raises(Gone):
            reader.served_version("wages-test", version)
    # Publishing again serves the dataset again, from the emptied CURRENT.
    publish_everything(publishing, sources(tmp_path / "three", "1002"))
    assert reader.current("wages-test") not in (old, new, None)
    assert "wages-test" in reader.slugs()
