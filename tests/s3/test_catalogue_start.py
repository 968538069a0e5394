"""A replica over an s3:// store loads its catalogue index in few requests a dataset, several
at once, and still sees a withdrawal made elsewhere within the refresh delay.

Before (issue 17), the first load read about seven objects a dataset one after the other
(CURRENT, a HEAD of CURRENT and one of WITHDRAWN for its time, WITHDRAWN, the descriptor, a
HEAD for a file): ~10 s over moto for the CKAN tests' 302 datasets, a minute on S3. Now the
times and the files of each version come from the listing each dataset's folder already
needed, WITHDRAWN is read only where the listing holds one, and what must be read is read
`READERS` at a time.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from catalog.errors import Gone
from catalog.search import CatalogueIndex
from catalog.store import S3Store
from tests.conftest import descriptor
from tests.querydata import write_descriptor
from tests.s3.conftest import fresh_location
from tests.s3.test_pointers import counting, replica

DATASETS = 24
VERSION = "20260101T090000Z-aaaaaaaaaa"


def synthetic(number: int) -> dict[str, Any]:
    """A descriptor whose file was never written (a `has_file` asks the bucket for it)."""
    resource = {
        "name": "values",
        "path": "values.parquet",
        "format": "parquet",
        "bytes": 100,
        "hash": f"sha256:{number:064x}",
        "rows": 1,
        "schema": {"fields": [{"name": "value", "type": "integer"}]},
    }
    return descriptor(f"synthetic-{number:02d}", [resource])


@pytest.fixture
def location(s3_endpoint: str, tmp_path: Path) -> str:
    """A store of `DATASETS` datasets, each one version of metadata alone."""
    found = fresh_location()
    writer = replica(s3_endpoint, found, tmp_path / "w", 0)
    for number in range(DATASETS):
        slug = f"synthetic-{number:02d}"
        with writer.writing(slug) as staging:
            write_descriptor(staging, synthetic(number))
            writer.commit(slug, staging, VERSION, expected_current=None)
    return found


def test_a_replica_loads_its_catalogue_in_three_requests_a_dataset_several_at_once(
    s3_endpoint: str, location: str, tmp_path: Path
) -> None:
    serving = replica(s3_endpoint, location, tmp_path / "r", refresh=60)
    reads = counting(serving)
    assert len(CatalogueIndex(serving, refresh_seconds=60).packages()) == DATASETS
    # A listing of its folder, CURRENT and the descriptor a dataset; the prefix's listing,
    # GENERATION and its time once. The times, which files a version holds and that there is
    # no WITHDRAWN come from the listings.
    assert sum(reads.values()) <= 3 * DATASETS + 3, reads
    assert reads["HEAD"] <= 1 and reads["WITHDRAWN"] == 0
    assert reads.most_at_once > 1


def test_state_time_comes_from_a_listing_not_a_head_each(
    s3_endpoint: str, location: str, tmp_path: Path
) -> None:
    alone = replica(s3_endpoint, location, tmp_path / "a", refresh=0)
    reads = counting(alone)
    changed = alone.state_time("synthetic-03")
    assert reads == {"LIST": 1}  # its folder's listing: CURRENT's time (no WITHDRAWN)
    assert changed > datetime(2026, 1, 1, tzinfo=UTC)
    serving = replica(s3_endpoint, location, tmp_path / "r", refresh=60)
    serving.slugs()
    reads = counting(serving)
    times = [serving.state_time(f"synthetic-{number:02d}") for number in range(DATASETS)]
    assert times[3] == changed and min(times) > datetime(2026, 1, 1, tzinfo=UTC)
    assert sum(reads.values()) == 0  # from the listing the slugs were read from


def test_two_readers_at_once_list_the_datasets_once(
    s3_endpoint: str, location: str, tmp_path: Path
) -> None:
    # A server's start: the index's load and /healthz's served versions ask together.
    serving = replica(s3_endpoint, location, tmp_path / "r", refresh=60)
    reads = counting(serving)
    start = threading.Barrier(2)
    answers: list[list[str]] = []

    def read() -> None:
        start.wait()
        answers.append(serving.slugs())

    threads = [threading.Thread(target=read) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers[0] == answers[1] and len(answers[0]) == DATASETS
    assert reads["LIST"] == 1 + DATASETS and reads["CURRENT"] == DATASETS


def test_a_withdrawal_elsewhere_is_seen_within_the_refresh(
    s3_endpoint: str, location: str, tmp_path: Path
) -> None:
    slug = "synthetic-05"
    serving = replica(s3_endpoint, location, tmp_path / "r", refresh=0.5)
    index = CatalogueIndex(serving, refresh_seconds=0.5)
    before = serving.state_time(slug)
    assert slug in index.packages() and serving.withdrawals(slug) == []
    writer: S3Store = replica(s3_endpoint, location, tmp_path / "w", 0)
    writer.withdraw(slug, "synthetic")
    withdrawn = time.monotonic()
    while slug in index.packages():
        assert time.monotonic() - withdrawn < 0.5 + 5, "not seen within the refresh"
        time.sleep(0.05)
    assert [w.scope for w in serving.withdrawals(slug)] == ["dataset"]
    assert serving.state_time(slug) > before
    with pytest.raises(Gone):
        serving.served_version(slug)
