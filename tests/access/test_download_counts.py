"""The download counts are published as official figures: a client must not add to them
without downloading. Against a real server, flushed when it stops: a 304 and a piece of a
file (206 of a part) are no download; a 200 and a 206 of the whole file are one each."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from catalog.state import UsageKey, UsageLog, usage_day
from tests.conftest import build_all, write_regions, write_wages
from tests.servers import serving, state_database

pytestmark = pytest.mark.slow

CSV = "/api/v1/datasets/wages-test/resources/wages.csv"


def _downloads(store: Path) -> int:
    day = usage_day(datetime.now(UTC))
    with state_database(store) as state:
        counts = UsageLog(state.database).between(day, day)
    return counts.get(UsageKey(day, "wages-test", "download", "rest"), 0)


def test_revalidations_and_pieces_of_a_file_are_no_download(tmp_path: Path) -> None:
    datasets, store = tmp_path / "datasets", tmp_path / "store"
    write_regions(datasets)
    write_wages(datasets)
    build_all(store, datasets)
    with serving(store) as running, httpx.Client(base_url=running.url) as client:
        whole = client.get(CSV)
        assert whole.status_code == 200
        tag, size = whole.headers["etag"], len(whole.content)
        for _ in range(20):
            assert client.get(CSV, headers={"If-None-Match": tag}).status_code == 304
            assert client.get(CSV, headers={"Range": "bytes=0-0"}).status_code == 206
            assert client.get(CSV, headers={"Range": f"bytes=1-{size - 1}"}).status_code == 206
        entire = client.get(CSV, headers={"Range": "bytes=0-"})
        assert entire.status_code == 206 and entire.content == whole.content
    assert _downloads(store) == 2  # the 200 and the 206 of the whole file
