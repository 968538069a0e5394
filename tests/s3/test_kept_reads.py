"""A server over an S3 store reads a small version file from the bucket once, not per request.

A series or an SDMX data request reads rows of the published Parquet in place
(`Store.files`). Version files never change, so a small one is read whole by one GET on first
use and kept (`OPENDATA_S3_KEPT_MB`, docs/s3.md): after the first request, asking every
other series of a dataset, or its SDMX data again, reads no Parquet from the bucket, even
right after the publish (DuckDB's own cache trusts a file only once it is ten seconds old,
and an SDMX read opens a DuckDB of its own per request). The kept bytes are checked against
the object's own, and their bound against a store that keeps 1 MB. Requests are counted at
the server itself, in the request log of a moto of this module's own.
"""

from __future__ import annotations

import csv
import random
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import httpx
import pytest

from benchmarks.s3server import CREDENTIALS, s3_client, serving_s3
from catalog.store import S3Options, S3Store
from catalog.store.s3 import S3Location
from tests.conftest import REPO
from tests.s3.served import opendata
from tests.s3.served import serving_s3 as serving_opendata

pytestmark = pytest.mark.slow

BUCKET = "opendata-kept"
DATASETS = ("indicator-codes", "region-codes", "hrss-sources", "national-hrss-bulletin")
FLOW = "national-hrss-bulletin"
ASKED = 25  # series asked after the first
COLOURS = re.compile(r"\x1b\[[0-9;]*m")  # werkzeug colours its log lines by status
KB = 1024


class Moto(NamedTuple):
    url: str
    log: Path

    def lines(self) -> int:
        return len(self.log.read_text(encoding="utf-8", errors="replace").splitlines())

    def requests_since(self, start: int) -> list[str]:
        """The requests (`METHOD /bucket/key`) it answered after its `start`th log line."""
        text = COLOURS.sub("", self.log.read_text(encoding="utf-8", errors="replace"))
        lines = text.splitlines()[start:]
        return [line.split('"')[1].rsplit(" ", 1)[0] for line in lines if f"/{BUCKET}/" in line]


class Served(NamedTuple):
    moto: Moto
    url: str  # a replica serving the store
    datasets: Path


@pytest.fixture(scope="module")
def moto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Moto]:
    log = tmp_path_factory.mktemp("moto") / "requests.log"
    with serving_s3(BUCKET, log=log) as server:
        yield Moto(server.url, log)


@pytest.fixture(scope="module")
def served(moto: Moto, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    scratch = tmp_path_factory.mktemp("kept")
    datasets = scratch / "datasets"
    for slug in DATASETS:
        shutil.copytree(REPO / "datasets" / slug, datasets / slug)
    env = {
        **CREDENTIALS,
        "OPENDATA_S3_ENDPOINT_URL": moto.url,
        "OPENDATA_STORE": f"s3://{BUCKET}/store",
    }
    opendata(
        "build", env={**env, "OPENDATA_DATASETS": str(datasets), "OPENDATA_STATE": str(scratch)}
    )
    replica = {**env, "OPENDATA_STATE": str(scratch / "replica")}
    with serving_opendata(replica) as server:
        yield Served(moto, server.url, datasets)


def series_of(dataset: Path) -> list[tuple[str, str]]:
    """Every (indicator, region) the dataset's observations print, from its source CSV."""
    with (dataset / "data" / "observations.csv").open(encoding="utf-8") as rows:
        return sorted({(row["indicator_code"], row["region_code"]) for row in csv.DictReader(rows)})


def asked(served: Served, path: str, params: dict[str, str]) -> list[str]:
    """What the replica asked the bucket to answer `path`, checked to answer 200."""
    start = served.moto.lines()
    answer = httpx.get(served.url + path, params=params, timeout=60)
    assert answer.status_code == 200, (path, params, answer.text[:300])
    return served.moto.requests_since(start)


def parquet(requests: list[str]) -> list[str]:
    return [request for request in requests if request.endswith(".parquet")]


def test_kept_series_after_the_first_read_no_parquet_from_the_bucket(served: Served) -> None:
    pairs = series_of(served.datasets / FLOW)
    assert len(pairs) > ASKED
    first = asked(served, "/api/v1/series", {"indicator": pairs[0][0], "region": pairs[0][1]})
    assert parquet(first)  # read in place, then kept
    later = [
        request
        for indicator, region in pairs[1 : ASKED + 1]
        for request in asked(served, "/api/v1/series", {"indicator": indicator, "region": region})
    ]
    assert parquet(later) == []
    # What else a request may ask: GENERATION, at most once a refresh (every second).
    assert {request.rsplit("/", 1)[-1] for request in later} <= {"GENERATION"}
    assert len(later) <= ASKED


def test_kept_sdmx_data_after_the_first_reads_no_parquet_from_the_bucket(served: Served) -> None:
    keys = [f"{indicator}.{region}." for indicator, region in series_of(served.datasets / FLOW)]
    asked(served, f"/sdmx/data/{FLOW}/{keys[0]}", {})
    later = [
        request for key in keys[1:11] for request in asked(served, f"/sdmx/data/{FLOW}/{key}", {})
    ]
    assert parquet(later) == []


def test_kept_bytes_are_the_objects_and_stay_within_their_bound(
    moto: Moto, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in CREDENTIALS.items():  # what pyarrow signs with, as a server's would
        monkeypatch.setenv(name, value)
    options = S3Options(endpoint_url=moto.url, region="us-east-1", cache=tmp_path, kept_mb=1)
    store = S3Store(S3Location.parse(f"s3://{BUCKET}/bound"), options)
    chance = random.Random(17)
    objects = {f"f{n}.parquet": chance.randbytes(300 * KB) for n in range(4)}
    objects["large.parquet"] = chance.randbytes(1100 * KB)  # past 1 MiB: read by ranges
    client = s3_client(moto.url)
    for name, data in objects.items():
        client.put_object(Bucket=BUCKET, Key=f"bound/slug/v1/{name}", Body=data)
    client.put_object(Bucket=BUCKET, Key="bound/slug/CURRENT", Body=b"v1\n")
    places = {name: store.place("slug", "v1", name) for name in objects}

    def gets(name: str, reads: int = 8) -> int:
        """GETs to read `name` at `reads` random places, each checked against the object."""
        start, data = moto.lines(), objects[name]
        with store.files().open(places[name]) as file:
            for _ in range(reads):
                at = chance.randrange(len(data))
                size = chance.randrange(1, 64 * KB)
                file.seek(at)
                assert file.read(size) == data[at : at + size]
        return sum(r.startswith("GET ") for r in moto.requests_since(start))

    assert [gets(name) for name in ("f0.parquet", "f1.parquet", "f2.parquet")] == [1, 1, 1]
    assert gets("f0.parquet") == gets("f2.parquet") == 0  # kept: read again, nothing asked
    assert gets("f3.parquet") == 1  # 1,200 kB kept would pass 1 MB: the least recent drops
    assert gets("f1.parquet") == 1
    assert gets("large.parquet", reads=3) == 3  # never kept whole: one ranged GET a read
    assert gets("large.parquet", reads=3) == 3
    # Outside a version folder nothing is kept: CURRENT changes under the same key.
    pointer = f"s3://{BUCKET}/bound/slug/CURRENT"
    for _ in range(2):
        start = moto.lines()
        with store.files().open(pointer) as file:
            assert file.read() == b"v1\n"
        assert sum(r.startswith("GET ") for r in moto.requests_since(start)) == 1
