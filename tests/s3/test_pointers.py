"""A serving replica over an s3:// store reads CURRENT and WITHDRAWN at most once per
generation seen, and the generation at most every refresh (`catalog.store.s3.pointers`): a
publish through another machine is served within that delay, one through itself at once."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from catalog.errors import Conflict
from catalog.search import CatalogueIndex
from catalog.store import Publisher, S3Store
from catalog.store.s3 import S3Location
from tests.conftest import WAGE_CSV
from tests.s3.conftest import fresh_location, s3_options
from tests.s3.test_publishing import publish_everything, sources

SLUG = "wages-test"


def replica(endpoint: str, location: str, scratch: Path, refresh: float) -> S3Store:
    options = dataclasses.replace(s3_options(endpoint, scratch), refresh_seconds=refresh)
    return S3Store(S3Location.parse(location), options)


class Requests(Counter[str]):
    """The objects a store read (by their last key segment), its listings (`LIST`) and its
    HEADs (`HEAD`), and the most it had under way at once."""

    most_at_once = 0


def counting(store: S3Store) -> Requests:
    """Counts the requests `store` makes to the bucket, as they go through its `objects`."""
    reads = Requests()
    under_way = [0]
    lock = threading.Lock()

    def counted(name: str, call: Callable[..., Any]) -> Callable[..., Any]:
        def count(key: str, **options: Any) -> Any:
            with lock:
                reads[name or key.rsplit("/", 1)[-1]] += 1
                under_way[0] += 1
                reads.most_at_once = max(reads.most_at_once, under_way[0])
            try:
                return call(key, **options)
            finally:
                with lock:
                    under_way[0] -= 1

        return count

    objects = store.objects
    objects.read = counted("", objects.read)  # type: ignore[method-assign]
    objects.listed = counted("LIST", objects.listed)  # type: ignore[method-assign]
    objects.modified = counted("HEAD", objects.modified)  # type: ignore[method-assign]
    return reads


def republish(store: S3Store, datasets: Path, workers: str) -> None:
    (datasets / SLUG / "data" / "wages.csv").write_text(
        WAGE_CSV.replace("1000", workers), encoding="utf-8"
    )
    publish_everything(store, datasets)


def test_a_replica_reads_current_once_per_generation(s3_endpoint: str, tmp_path: Path) -> None:
    location = fresh_location()
    publish_everything(
        replica(s3_endpoint, location, tmp_path / "w", 0), sources(tmp_path / "d", "1000")
    )
    serving = replica(s3_endpoint, location, tmp_path / "r", refresh=60)
    reads = counting(serving)
    answers = {serving.current(SLUG) for _ in range(50)}
    for _ in range(50):
        serving.served_version(SLUG)
    assert len(answers) == 1 and None not in answers
    assert reads["CURRENT"] == 1 and reads["GENERATION"] == 1
    assert reads["WITHDRAWN"] == 0  # the dataset's listing holds none: nothing to read


def test_a_replica_lists_each_dataset_and_reads_its_current_once_per_generation(
    s3_endpoint: str, tmp_path: Path
) -> None:
    # What a server reads at start (/healthz's served versions, the unknown names' listing):
    # each a request per dataset, one after the other, so a catalogue of 300 datasets took
    # 1,200 requests (19 s over moto) before the server answered at all.
    location = fresh_location()
    publish_everything(
        replica(s3_endpoint, location, tmp_path / "w", 0), sources(tmp_path / "d", "1000")
    )
    serving = replica(s3_endpoint, location, tmp_path / "r", refresh=60)
    reads = counting(serving)
    served = {slug: serving.current(slug) for slug in serving.slugs()}
    assert sorted(serving.known_slugs()) == sorted(served) and None not in served.values()
    assert reads["LIST"] == 1 + len(served)  # the prefix, then each dataset's folder
    assert reads["CURRENT"] == len(served)


def test_a_publish_elsewhere_is_served_within_the_refresh(s3_endpoint: str, tmp_path: Path) -> None:
    location = fresh_location()
    datasets = sources(tmp_path / "d", "1000")
    writer = replica(s3_endpoint, location, tmp_path / "w", 0)
    publish_everything(writer, datasets)
    slow = replica(s3_endpoint, location, tmp_path / "slow", refresh=60)
    quick = replica(s3_endpoint, location, tmp_path / "quick", refresh=0.5)
    before = slow.current(SLUG)
    assert quick.current(SLUG) == before
    republish(writer, datasets, "1007")
    after = writer.current(SLUG)
    assert after != before
    assert slow.current(SLUG) == before  # within its refresh: what it read last
    published = time.monotonic()
    while quick.current(SLUG) != after:
        assert time.monotonic() - published < 0.5 + 5, "not seen within the refresh"
        time.sleep(0.05)


def test_a_replica_sees_its_own_publish_at_once_and_decides_on_the_bucket(
    s3_endpoint: str, tmp_path: Path
) -> None:
    location = fresh_location()
    datasets = sources(tmp_path / "d", "1000")
    serving = replica(s3_endpoint, location, tmp_path / "r", refresh=60)
    publish_everything(serving, datasets)
    first = serving.current(SLUG)
    republish(serving, datasets, "1003")
    assert serving.current(SLUG) not in (None, first)
    # Another machine publishes; this one still remembers its own version, but a publish
    # based on it is refused by what the bucket says, not by what it remembers.
    other = replica(s3_endpoint, location, tmp_path / "o", 0)
    republish(other, datasets, "1005")
    remembered = serving.current(SLUG)
    assert remembered != other.current(SLUG)
    source = Publisher(serving, datasets).sources()[SLUG]
    with pytest.raises(Conflict):
        Publisher(serving, datasets).build(source, base=remembered)


def test_an_index_that_sees_a_new_generation_indexes_the_version_it_names(
    s3_endpoint: str, tmp_path: Path
) -> None:
    """The catalogue index reads GENERATION on a clock of its own (`catalog.query.Generation`)
    and then marks each dataset through the store's memo, which reads GENERATION on another.
    Both run every OPENDATA_REFRESH_SECONDS, in different phases: under steady traffic the
    index often sees a publish first. It must then index the new version, not what the memo
    still holds; else it keeps serving the old one until the next publish (issue 17 trial:
    package_show and search stale for minutes on both replicas, the data routes current)."""
    location = fresh_location()
    datasets = sources(tmp_path / "d", "1000")
    writer = replica(s3_endpoint, location, tmp_path / "w", 0)
    publish_everything(writer, datasets)
    serving = replica(s3_endpoint, location, tmp_path / "r", refresh=60)
    index = CatalogueIndex(serving, refresh_seconds=0)  # the index's clock looks first
    before = index.packages()[SLUG].version
    republish(writer, datasets, "1009")
    after = writer.current(SLUG)
    assert after not in (None, before)
    assert index.packages()[SLUG].version == after
    assert serving.current(SLUG) == after  # and every reader of the store after it
