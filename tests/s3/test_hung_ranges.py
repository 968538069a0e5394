"""The query engine's reads of an s3:// store, by byte ranges through pyarrow's S3 filesystem
(`catalog.store.s3.ranges`), give up on a hung server within `OPENDATA_S3_TIMEOUT_SECONDS`
twice, as boto3's reads do (docs/s3.md, "Time limits").

Found by issue 17's attack: with moto SIGSTOPped, one read of a Parquet not read before took
182 s with the limit at 1 s (pyarrow's own defaults: a minute per try, three tries), holding
a request, and a DuckDB thread, for three minutes."""

from __future__ import annotations

import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from catalog.store import S3Options, S3Store
from catalog.store.s3 import S3Location
from tests.s3.moto import CREDENTIALS
from tests.s3.test_operations import own_moto, published

pytestmark = pytest.mark.slow


def test_a_ranged_read_of_a_hung_store_gives_up_within_twice_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    with own_moto() as moto, ThreadPoolExecutor(1) as pool:
        location = published(moto.url, tmp_path)
        options = S3Options(endpoint_url=moto.url, cache=tmp_path / "c", timeout_seconds=1.0)
        store = S3Store(S3Location.parse(location), options)
        version = store.served_version("wages-test")
        place = store.place("wages-test", version, "wages.parquet")
        os.kill(moto.process.pid, signal.SIGSTOP)
        try:
            began = time.monotonic()
            reading = pool.submit(lambda: store.files().open(place).read(4))
            try:
                reading.result(timeout=10)
                failed: Exception | None = None
            except Exception as exc:  # the read's OSError, or still waiting (TimeoutError)
                failed = exc
            took = time.monotonic() - began
        finally:
            os.kill(moto.process.pid, signal.SIGCONT)
    assert isinstance(failed, OSError) and not isinstance(failed, TimeoutError), failed
    assert took < 5.0, took
