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


def run_s3_block(
    language: str, real_store: Path, endpoint: str, cwd: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[list[str], int]:
    """The lines the doc's block `language` printed over a bucket holding the dataset, and
    the rows its observations have."""
    [block] = blocks(language)
    location = fresh_location()
    upload(real_store, endpoint, location)
    monkeypatch.setenv("OPENDATA_STORE", location)
    monkeypatch.setenv("OPENDATA_S3_ENDPOINT_URL", endpoint)
    printed = run_python(block, cwd).splitlines()
    [rows] = [r.rows for r in published(real_store) if r.slug == SLUG and r.name == "observations"]
    return printed, rows


def test_the_s3_block_reads_the_current_version_with_duckdb_and_polars(
    real_store: Path, s3_endpoint: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    printed, rows = run_s3_block("python s3", real_store, s3_endpoint, tmp_path, monkeypatch)
    assert printed == [f"{rows} rows, as {rows}", f"{rows} rows read by polars"]
