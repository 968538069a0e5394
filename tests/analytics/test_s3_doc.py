"""docs/analytics.md's S3 block, run against a real S3-protocol server (moto on loopback)
holding the shipped store's `national-hrss-bulletin` as an s3:// store lays it out (the
folder store's layout under a prefix: tests/s3 checks that the two agree byte for byte)."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest

from tests.analytics.doc import blocks, run_python
from tests.analytics.published import published
from tests.s3.moto import BUCKET, fresh_location

pytestmark = pytest.mark.slow
SLUG = "national-hrss-bulletin"


def upload(store: Path, endpoint: str, location: str) -> None:
    """The dataset's folder as `opendata build` would have written it into the bucket."""
    prefix = location.removeprefix(f"s3://{BUCKET}/")
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    for path in sorted((store / SLUG).rglob("*")):
        if path.is_file() and not path.name.startswith("."):
            key = f"{prefix}/{path.relative_to(store).as_posix()}"
            client.upload_file(str(path), BUCKET, key)


def test_the_s3_block_reads_the_current_version_with_duckdb_and_polars(
    real_store: Path, s3_endpoint: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    [block] = blocks("python s3")
    location = fresh_location()
    upload(real_store, s3_endpoint, location)
    monkeypatch.setenv("OPENDATA_STORE", location)
    monkeypatch.setenv("OPENDATA_S3_ENDPOINT_URL", s3_endpoint)
    printed = run_python(block, tmp_path).splitlines()
    [rows] = [r.rows for r in published(real_store) if r.slug == SLUG and r.name == "observations"]
    assert printed == [f"{rows} rows, as {rows}", f"{rows} rows read by polars"]
