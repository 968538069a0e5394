"""moto's S3-protocol server for the suite (`benchmarks.s3server`: a real HTTP server on
127.0.0.1 the store reaches through boto3, never an in-process patch), bucket `BUCKET` made.

Shared by tests/s3 (the S3 store's own tests) and by the acceptance suite run on the S3
store (`OPENDATA_TEST_STORE=s3`, tests/servers.py): one server per pytest session serves both.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from benchmarks.s3server import CREDENTIALS, serving_s3

BUCKET = "opendata-test"
ENDPOINT_VARIABLE = "OPENDATA_S3_ENDPOINT_URL"

__all__ = ["BUCKET", "CREDENTIALS", "fresh_location", "moto_server"]


@contextmanager
def moto_server() -> Iterator[str]:
    """The URL of a moto server holding `BUCKET`, with the AWS_* variables and
    OPENDATA_S3_ENDPOINT_URL set in this process (so its children reach it too) until the
    block ends."""
    with serving_s3(BUCKET) as server, _environment({**CREDENTIALS, ENDPOINT_VARIABLE: server.url}):
        yield server.url


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def fresh_location() -> str:
    """A prefix of its own for each store a test makes: tests never see each other's."""
    return f"s3://{BUCKET}/t-{uuid.uuid4().hex[:12]}"
