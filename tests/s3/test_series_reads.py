"""A server over an S3 store asks the bucket for a series' Parquet once, not per request.

A series request reads the series' rows from every indicator table that prints it, in place
(`catalog.series`, `Store.files`). The files are immutable versions, so what DuckDB read of
them (footers, column chunks) is kept in its external file cache, keyed by the object's key
and validated by the time `RangeFiles` kept for it: after the first series has loaded the
catalogue, asking every other series of a dataset reads no Parquet from the bucket. Counted
at the server itself, in the request log of a moto of this test's own.
"""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import httpx
import pytest

from benchmarks.s3server import CREDENTIALS, serving_s3
from tests.conftest import REPO
from tests.s3.served import opendata
from tests.s3.served import serving_s3 as serving_opendata

pytestmark = pytest.mark.slow

BUCKET = "opendata-series"
DATASETS = ("indicator-codes", "region-codes", "hrss-sources", "national-hrss-bulletin")
FLOW = "national-hrss-bulletin"
ASKED = 25  # series asked after the first
COLOURS = re.compile(r"\x1b\[[0-9;]*m")  # werkzeug colours its log lines by status


def series_of(dataset: Path) -> list[tuple[str, str]]:
    """Every (indicator, region) the dataset's observations print, from its source CSV."""
    with (dataset / "data" / "observations.csv").open(encoding="utf-8") as rows:
        return sorted({(row["indicator_code"], row["region_code"]) for row in csv.DictReader(rows)})


def requests_since(log: Path, start: int) -> list[str]:
    """The requests (`METHOD /bucket/key`) the server answered after the `start`th line."""
    lines = COLOURS.sub("", log.read_text(encoding="utf-8", errors="replace")).splitlines()
    return [line.split('"')[1].rsplit(" ", 1)[0] for line in lines[start:] if f"/{BUCKET}/" in line]


def test_series_after_the_first_read_no_parquet_from_the_bucket(tmp_path: Path) -> None:
    datasets = tmp_path / "datasets"
    for slug in DATASETS:
        shutil.copytree(REPO / "datasets" / slug, datasets / slug)
    pairs = series_of(datasets / FLOW)
    assert len(pairs) > ASKED
    log = tmp_path / "moto.log"
    with serving_s3(BUCKET, log=log) as moto:
        env = {
            **CREDENTIALS,
            "OPENDATA_S3_ENDPOINT_URL": moto.url,
            "OPENDATA_STORE": f"s3://{BUCKET}/store",
        }
        built = {**env, "OPENDATA_DATASETS": str(datasets), "OPENDATA_STATE": str(tmp_path)}
        opendata("build", env=built)
        replica = {**env, "OPENDATA_STATE": str(tmp_path / "replica")}
        with serving_opendata(replica) as server, httpx.Client(base_url=server.url) as client:

            def ask(pair: tuple[str, str]) -> list[str]:
                start = len(log.read_text(encoding="utf-8", errors="replace").splitlines())
                params = {"indicator": pair[0], "region": pair[1]}
                answer = client.get("/api/v1/series", params=params, timeout=60)
                assert answer.status_code == 200 and answer.json()["points"], pair
                return requests_since(log, start)

            first = ask(pairs[0])
            assert any(".parquet" in request for request in first)  # read in place, then kept
            later = [request for pair in pairs[1 : ASKED + 1] for request in ask(pair)]
    assert [request for request in later if ".parquet" in request] == []
    # What else a request may ask: GENERATION, at most once a refresh (every second).
    assert {request.rsplit("/", 1)[-1] for request in later} <= {"GENERATION"}
    assert len(later) <= ASKED
