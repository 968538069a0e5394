"""The two stores the replica benchmark serves: one S3 bucket, one folder, the same versions.

The shipped catalogue (a copy of the checkout's `datasets/`) and the SYNTHETIC hotline log of
`--rows` rows are built by `opendata build` into an S3 store on moto (`OPENDATA_STORE=
s3://...` and the documented settings, nothing else), and the bucket is copied key by key into
a folder, as `aws s3 sync` copies it (docs/s3.md: a folder store reads that copy unchanged).
So both stores hold the very same versions, and every answer can be compared byte for byte.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

from benchmarks import hotline
from benchmarks.s3server import CREDENTIALS, s3_client
from benchmarks.servers import OPENDATA, ROOT

BUCKET = "opendata-bench"
PREFIX = "store"


class Preparation(TypedDict):
    datasets: int
    synthetic_rows: int
    build_into_s3_seconds: float
    copy_to_folder_seconds: float
    objects: int
    bytes: int


@dataclass(frozen=True)
class Stores:
    """What `opendata` needs to reach each store: its settings, by store name."""

    env: Mapping[str, Mapping[str, str]]
    datasets: Path


def s3_settings(endpoint: str) -> dict[str, str]:
    """The documented settings of an s3:// store (docs/s3.md), for moto on 127.0.0.1."""
    return {
        "OPENDATA_STORE": f"s3://{BUCKET}/{PREFIX}",
        "OPENDATA_S3_ENDPOINT_URL": endpoint,
        "OPENDATA_S3_ADDRESSING_STYLE": "path",
        **CREDENTIALS,
    }


def write_datasets(folder: Path, rows: int) -> int:
    """The checkout's datasets and the synthetic log, as dataset folders; how many."""
    shutil.copytree(ROOT / "datasets", folder)
    hotline.write_dataset(folder, rows)
    return sum(1 for entry in folder.iterdir() if (entry / "datapackage.yaml").is_file())


def build(datasets: Path, env: Mapping[str, str]) -> float:
    """`opendata build` of every dataset into the store `env` names; seconds it took."""
    started = time.monotonic()
    done = subprocess.run(
        [str(OPENDATA), "--datasets", str(datasets), "build"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"opendata build failed:\n{(done.stdout + done.stderr)[-4000:]}")
    return round(time.monotonic() - started, 2)


def copy_bucket(endpoint: str, target: Path) -> tuple[int, int]:
    """Every object under the store's prefix into the folder `target`, key by key; how many
    objects and bytes."""
    client = s3_client(endpoint)
    objects = size = 0
    pages = client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=PREFIX + "/")
    for page in pages:
        for item in page.get("Contents", []):
            path = target / item["Key"][len(PREFIX) + 1 :]
            path.parent.mkdir(parents=True, exist_ok=True)
            client.download_file(BUCKET, item["Key"], str(path))
            objects, size = objects + 1, size + item["Size"]
    return objects, size


def prepare(tmp: Path, endpoint: str, rows: int) -> tuple[Stores, Preparation]:
    """Both stores built, each with a private state folder (the replicas of a store share
    it, and its state database)."""
    datasets = tmp / "datasets"
    count = write_datasets(datasets, rows)
    s3 = {**s3_settings(endpoint), "OPENDATA_STATE": str(tmp / "build-state")}
    built = build(datasets, s3)
    started = time.monotonic()
    objects, size = copy_bucket(endpoint, tmp / "folder")
    copied = round(time.monotonic() - started, 2)
    env = {"local": {"OPENDATA_STORE": str(tmp / "folder")}, "s3": s3_settings(endpoint)}
    preparation = Preparation(
        datasets=count,
        synthetic_rows=rows,
        build_into_s3_seconds=built,
        copy_to_folder_seconds=copied,
        objects=objects,
        bytes=size,
    )
    return Stores(env=env, datasets=datasets), preparation
