"""An S3-protocol server for the S3 store's tests: moto's, started on 127.0.0.1 once per
session (a real HTTP server the store reaches through boto3, never an in-process patch)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from benchmarks.s3server import CREDENTIALS, serving_s3
from catalog.store import FolderStore, ManualClock, S3Options, S3Store, Store
from catalog.store.s3 import S3Location

BUCKET = "opendata-test"
StoreMaker = Callable[[Path, ManualClock], Store]


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """The URL of a moto S3 server holding the bucket `BUCKET`, with the AWS_* variables set."""
    saved = {name: os.environ.get(name) for name in CREDENTIALS}
    os.environ.update(CREDENTIALS)
    try:
        with serving_s3(BUCKET) as server:
            yield server.url
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def s3_options(endpoint: str, cache: Path) -> S3Options:
    return S3Options(endpoint_url=endpoint, region="us-east-1", cache=cache)


def fresh_location() -> str:
    """A prefix of its own for each store a test makes: tests never see each other's."""
    return f"s3://{BUCKET}/t-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def s3_env(s3_endpoint: str) -> dict[str, str]:
    """What an `opendata` process needs to reach the server (the AWS_* are set already)."""
    return {"OPENDATA_S3_ENDPOINT_URL": s3_endpoint, **CREDENTIALS}


@pytest.fixture(params=["folder", "s3"])
def make_store(request: pytest.FixtureRequest) -> StoreMaker:
    """Each implementation of `Store`, over a scratch folder (the S3 store keeps its local
    copies there and its objects under a fresh prefix)."""
    if request.param == "folder":
        return lambda scratch, clock: FolderStore(scratch, clock=clock)
    endpoint = request.getfixturevalue("s3_endpoint")

    def make(scratch: Path, clock: ManualClock) -> Store:
        location = S3Location.parse(fresh_location())
        return S3Store(location, s3_options(endpoint, scratch / "copies"), clock=clock)

    return make
