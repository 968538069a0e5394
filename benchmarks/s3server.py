"""moto's S3 server on 127.0.0.1: `python -m benchmarks.s3server PORT [--threaded]`.

The S3-protocol server the S3 store's tests (`tests/s3/conftest.py`) and the replica benchmark
start: a real HTTP server reached through boto3 like any other, never an in-process patch.

`python -m moto.server` serves each request in a thread of its own, and moto checks a
conditional PUT's If-Match / If-None-Match and then stores the object without a lock, so two
racing conditional writes can both pass the check (docs/s3.md, "What moto lacks"). Real S3,
MinIO, OSS and OBS decide them atomically. So by default this server answers reads (GET,
HEAD) together, each in its own thread, and every other request alone (`OneWriter`): no read
waits behind another read, and a write meets no other request, which gives the tests the
atomicity real servers have (a race they lose is our bug, not moto's) and keeps moto's
dictionaries from changing under a listing. The replica benchmark, with one publisher and
many concurrent readers, asks for every request in a thread of its own (`--threaded`).
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from benchmarks.servers import Server, free_port, running

REGION = "us-east-1"
# moto takes any credentials; these make boto3 sign with them rather than look for others.
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_REGION": REGION,
}
READS = frozenset({"GET", "HEAD"})

Application = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


@contextmanager
def serving_s3(
    bucket: str, *, threaded: bool = False, timeout: float = 60.0, log: Path | None = None
) -> Iterator[Server]:
    """A moto S3 server on a free port holding the empty bucket `bucket`, until the block
    ends: reads together and each write alone, or (`threaded`) every request at once. Its
    clients sign with `CREDENTIALS`. With a `log`, each request it answers is a line there
    (`"GET /bucket/key HTTP/1.1" 206`)."""
    port = free_port()
    command = [sys.executable, "-m", "benchmarks.s3server", str(port)]
    command += ["--threaded"] if threaded else []
    with running("moto", command, port, ready_path="/", log=log, timeout=timeout) as server:
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


class OneWriter:
    """A WSGI application answering reads together and any other request alone: a write
    waits for the reads under way and holds back new ones (a waiting write goes first, so a
    stream of reads cannot starve it). The answer is read whole inside the turn."""

    def __init__(self, application: Application) -> None:
        self._application = application
        self._turns = threading.Condition()
        self._reading = 0
        self._writing = False
        self._writers_waiting = 0

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        with self._turn(environ.get("REQUEST_METHOD", "") not in READS):
            answer = self._application(environ, start_response)
            try:
                return [b"".join(answer)]
            finally:
                close = getattr(answer, "close", None)
                if close is not None:
                    close()

    @contextmanager
    def _turn(self, write: bool) -> Iterator[None]:
        with self._turns:
            if write:
                self._writers_waiting += 1
                self._turns.wait_for(lambda: not self._writing and not self._reading)
                self._writers_waiting -= 1
                self._writing = True
            else:
                self._turns.wait_for(lambda: not self._writing and not self._writers_waiting)
                self._reading += 1
        try:
            yield
        finally:
            with self._turns:
                if write:
                    self._writing = False
                else:
                    self._reading -= 1
                self._turns.notify_all()


def main(port: int, threaded: bool) -> None:
    """Serve moto's S3 on 127.0.0.1:`port` until killed, each request in a thread of its
    own; unless `threaded`, writes one at a time (`OneWriter`)."""
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import run_simple

    application = DomainDispatcherApplication(create_backend_app)
    served = application if threaded else OneWriter(application)
    run_simple("127.0.0.1", port, served, threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main(int(sys.argv[1]), threaded="--threaded" in sys.argv[2:])
