"""The S3 store's tests: each `Store` implementation side by side, and what an `opendata`
process needs to reach the session's moto server (tests/s3/moto.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from catalog.store import FolderStore, ManualClock, S3Options, S3Store, Store
from catalog.store.s3 import S3Location
from tests.s3.moto import BUCKET, CREDENTIALS, fresh_location

# The server itself is the session fixture `s3_endpoint` of tests/conftest.py (tests/s3/moto.py),
# shared with the acceptance suite when it runs on the S3 store.
__all__ = ["BUCKET", "fresh_location", "s3_options"]

StoreMaker = Callable[[Path, ManualClock], Store]


def s3_options(endpoint: str, cache: Path) -> S3Options:
    return S3Options(endpoint_url=endpoint, region="us-east-1", cache=cache)


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
