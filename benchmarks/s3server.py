"""moto's S3 server on 127.0.0.1: `python -m benchmarks.s3server PORT [--threaded]`.

The S3-protocol server the S3 store's tests (`tests/s3/conftest.py`) and the replica benchmark
start: a real HTTP server reached through boto3 like any other, never an in-process patch.

`python -m moto.server` serves each request in a thread of its own, and moto checks a
conditional PUT's If-Match / If-None-Match and then stores the object without a lock, so two
racing conditional writes can both pass the check (docs/s3.md, "What moto lacks"). Real S3,
MinIO, OSS and OBS decide them atomically; serving one request at a time gives the tests
that same atomicity, so a race they lose is our bug, not moto's. The replica benchmark, with
one publisher and many concurrent readers, asks for a thread per request (`--threaded`), as
a real server answers reads concurrently.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from benchmarks.servers import Server, free_port, running

REGION = "us-east-1"
# moto takes any credentials; these make boto3 sign with them rather than look for others.
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_REGION": REGION,
}


@contextmanager
def serving_s3(bucket: str, *, threaded: bool = False, timeout: float = 60.0) -> Iterator[Server]:
    """A moto S3 server on a free port holding the empty bucket `bucket`, until the block
    ends: one request at a time, or a thread per request. Its clients sign with
    `CREDENTIALS`."""
    port = free_port()
    command = [sys.executable, "-m", "benchmarks.s3server", str(port)]
    command += ["--threaded"] if threaded else []
    with running("moto", command, port, ready_path="/", timeout=timeout) as server:
        make_bucket(server.url, bucket)
        yield server


def make_bucket(endpoint: str, bucket: str) -> None:
    s3_client(endpoint).create_bucket(Bucket=bucket)


def s3_client(endpoint: str) -> Any:
    """A boto3 S3 client of the server at `endpoint`, signing with `CREDENTIALS`."""
    import boto3  # the S3 client, only when an S3 server is asked for

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )


def main(port: int, threaded: bool) -> None:
    """Serve moto's S3 on 127.0.0.1:`port` until killed."""
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import run_simple

    application = DomainDispatcherApplication(create_backend_app)
    run_simple(
        "127.0.0.1", port, application, threaded=threaded, request_handler=MotoRequestHandler
    )


if __name__ == "__main__":
    main(int(sys.argv[1]), threaded="--threaded" in sys.argv[2:])
