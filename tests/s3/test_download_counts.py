"""Counting a download (`opendata_downloads_total`, `api.metrics`) over an s3:// store asks
the bucket nothing, and never fails the download (issue 17's attack on two replicas).

The metrics middleware checks that a download's dataset is served, at the response's start.
It read the store's GENERATION for that at every download, past the server's one reader
(`OPENDATA_REFRESH_SECONDS`): a GET of the bucket per download, and with the store away the
read raised inside a 200 already under way, which cut the download and logged a traceback
(22 tracebacks in the attack, beside 61 500s, with moto stopped under 100 clients)."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import httpx
import pytest

from tests.ops.running import on_a_thread
from tests.s3.moto import CREDENTIALS
from tests.s3.test_operations import own_moto, published, serving_app, wait_ready
from tests.s3.test_pointers import counting

pytestmark = pytest.mark.slow

DOWNLOAD = "/api/v1/datasets/wages-test/resources/wages.csv"


def test_downloads_are_counted_without_reading_the_bucket_s_generation(
    s3_endpoint: str, tmp_path: Path
) -> None:
    app = serving_app(published(s3_endpoint, tmp_path), s3_endpoint, tmp_path)
    with on_a_thread(app) as url, httpx.Client(base_url=url, timeout=60) as client:
        wait_ready(url)
        first = client.get(DOWNLOAD)
        reads = counting(app.state.store)
        answers = [client.get(DOWNLOAD) for _ in range(20)]
        exported = client.get("/metrics").text
    assert first.status_code == 200
    assert all(a.status_code == 200 and a.content == first.content for a in answers)
    assert reads["GENERATION"] == 0, reads  # one refresh of 60 s: nothing to read again
    assert 'opendata_downloads_total{dataset="wages-test",format="csv"} 21.0' in exported


def test_a_download_answered_while_the_store_hangs_is_not_cut_by_its_count(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    with own_moto() as moto:
        app = serving_app(published(moto.url, tmp_path), moto.url, tmp_path, s3_timeout_seconds=1)
        with on_a_thread(app) as url, httpx.Client(base_url=url, timeout=60) as client:
            wait_ready(url)
            before = client.get(DOWNLOAD)  # copied locally, pointers remembered for 60 s
            os.kill(moto.process.pid, signal.SIGSTOP)
            try:
                began = time.monotonic()
                during = client.get(DOWNLOAD)
                took = time.monotonic() - began
            finally:
                os.kill(moto.process.pid, signal.SIGCONT)
    assert before.status_code == 200
    assert during.status_code == 200 and during.content == before.content
    assert took < 1.0, took  # it waited on no read of the hung store
