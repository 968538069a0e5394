"""moto's S3-protocol server for the suite: started on 127.0.0.1 (a real HTTP server the
store reaches through boto3, never an in-process patch), with the bucket `BUCKET` made.

Shared by tests/s3 (the S3 store's own tests) and by the acceptance suite run on the S3
store (`OPENDATA_TEST_STORE=s3`, tests/servers.py): one server per pytest session serves both.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from benchmarks import free_port, running

BUCKET = "opendata-test"
# moto takes any credentials; these make boto3 sign with them rather than look for others.
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_REGION": "us-east-1",
}
ENDPOINT_VARIABLE = "OPENDATA_S3_ENDPOINT_URL"


@contextmanager
def moto_server() -> Iterator[str]:
    """The URL of a moto server holding `BUCKET`, with the AWS_* variables and
    OPENDATA_S3_ENDPOINT_URL set in this process (so its children reach it too) until the
    block ends."""
    port = free_port()
    command = [sys.executable, "-m", "tests.s3.motoserver", str(port)]
    with running("moto", command, port, ready_path="/", timeout=60) as server:
        _make_bucket(server.url)
        with _environment({**CREDENTIALS, ENDPOINT_VARIABLE: server.url}):
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


def _make_bucket(endpoint: str) -> None:
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=CREDENTIALS["AWS_REGION"],
        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )
    client.create_bucket(Bucket=BUCKET)


def fresh_location() -> str:
    """A prefix of its own for each store a test makes: tests never see each other's."""
    return f"s3://{BUCKET}/t-{uuid.uuid4().hex[:12]}"
