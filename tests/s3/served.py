"""Helpers of the served tests: `opendata` against an s3:// store, and a bucket as a folder."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import boto3

from benchmarks import Server, free_port, running
from catalog.store.s3 import S3Location
from tests.servers import OPENDATA


def opendata(*args: str, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    """Run the CLI with `env` on top of this process's environment; fail on a non-zero exit."""
    done = subprocess.run(
        [OPENDATA, *args], env={**os.environ, **env}, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return done


@contextmanager
def serving_s3(env: Mapping[str, str], log: Path | None = None) -> Iterator[Server]:
    """`opendata serve` of the s3:// store `env` names (OPENDATA_STORE), until the block ends."""
    port = free_port()
    command = [OPENDATA, "serve", "--host", "127.0.0.1", "--port", str(port)]
    with running("ours-s3", command, port, env=env, log=log, timeout=120) as server:
        yield server


def mirror(endpoint: str, location: str, target: Path) -> Path:
    """Copy every object under the location's prefix into the folder `target`, key by key:
    the bucket read as a folder (what an analyst's `aws s3 sync` makes)."""
    where = S3Location.parse(location)
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    pages = client.get_paginator("list_objects_v2").paginate(
        Bucket=where.bucket, Prefix=where.prefix + "/"
    )
    for page in pages:
        for item in page.get("Contents", []):
            path = target / item["Key"][len(where.prefix) + 1 :]
            path.parent.mkdir(parents=True, exist_ok=True)
            client.download_file(where.bucket, item["Key"], str(path))
    return target
