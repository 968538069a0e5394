"""Real servers for client tests: `opendata serve` on 127.0.0.1, as scripts/run starts it,
and the store they serve: a folder, or with `OPENDATA_TEST_STORE=s3` a prefix of the
session's moto server (docs/s3.md, "The acceptance suite on the S3 store").

Starting a server and waiting for it is `benchmarks.servers`' work, shared with the
benchmarks; this module adds what the tests want of it: the private state beside the store.

A test names its store by a folder path (`tmp_path / "store"`); `store_location` says where
that store really is. On the folder store it is the folder; on the S3 store it is
`s3://opendata-test/<digest of the path>`, so the same path always names the same prefix,
in the test process and in the servers it starts, and two paths never share one.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from benchmarks import OPENDATA as OPENDATA_PATH
from benchmarks import Server, free_port, running, serve_opendata
from benchmarks.s3server import s3_client
from catalog.state import State, open_state, sqlite_url
from catalog.store import Clock, Store, open_store, utc_now
from catalog.store.s3 import S3Location
from tests.s3.moto import BUCKET

OPENDATA = str(OPENDATA_PATH)
STORE_KINDS = ("folder", "s3")

__all__ = [
    "OPENDATA",
    "Server",
    "copy_test_store",
    "free_port",
    "on_s3",
    "open_test_store",
    "serving",
    "state_database",
    "state_of",
    "store_kind",
    "store_location",
]


def store_kind() -> str:
    """Which store the suite builds into and serves from: OPENDATA_TEST_STORE, `folder` by
    default; any other value stops the run rather than testing the wrong store."""
    kind = os.environ.get("OPENDATA_TEST_STORE", "") or "folder"
    if kind not in STORE_KINDS:
        raise ValueError(f"OPENDATA_TEST_STORE={kind!r}: give one of {', '.join(STORE_KINDS)}")
    return kind


def on_s3() -> bool:
    return store_kind() == "s3"


def store_location(store: Path) -> str:
    """Where the test store named `store` is (the text of OPENDATA_STORE for it)."""
    if not on_s3():
        return str(store)
    digest = hashlib.sha256(str(store.absolute()).encode()).hexdigest()[:16]
    return f"s3://{BUCKET}/t-{digest}"


def open_test_store(store: Path, *, clock: Clock = utc_now) -> Store:
    """The `Store` of the test store named `store` (a `FolderStore` or an `S3Store` reached
    as the environment says: the session fixture `test_store` set it)."""
    return open_store(store_location(store), clock=clock)


def copy_test_store(source: Path, target: Path, slugs: Iterable[str] | None = None) -> Path:
    """The test store named `target` made a copy of the one named `source` (of `slugs`' own
    files only, when given): what a test changes in the copy leaves the session's store as it
    is. A folder is copied file by file; an S3 prefix object by object, inside the server."""
    if not on_s3():
        for part in [""] if slugs is None else list(slugs):
            shutil.copytree(source / part, target / part)
        return target
    client = _bucket_client(os.environ["OPENDATA_S3_ENDPOINT_URL"])
    start, end = (S3Location.parse(store_location(path)) for path in (source, target))
    for part in [""] if slugs is None else [f"{slug}/" for slug in slugs]:
        pages = client.get_paginator("list_objects_v2").paginate(
            Bucket=BUCKET, Prefix=start.key(part)
        )
        for item in (item for page in pages for item in page.get("Contents", [])):
            key = end.key(item["Key"].removeprefix(start.key("")))
            client.copy_object(Bucket=BUCKET, Key=key, CopySource=f"{BUCKET}/{item['Key']}")
    return target


@functools.cache
def _bucket_client(endpoint: str) -> Any:
    """A boto3 client of the session's moto, made once (each costs 0.1-1 s)."""
    return s3_client(endpoint)


def state_of(store: Path) -> Path:
    """The private state folder the test servers of `store` use: a sibling of the store."""
    return store.parent / "state"


@contextmanager
def state_database(store: Path) -> Iterator[State]:
    """The state database (tokens, audit log) of the test servers of `store`, open."""
    state = open_state(sqlite_url(state_of(store)))
    try:
        yield state
    finally:
        state.close()


@contextmanager
def serving(store: Path, *, env: dict[str, str] | None = None) -> Iterator[Server]:
    """Serve `store` until the block ends; fails if the server does not answer /healthz."""
    # Private state (tokens, audit log) beside the store, never in the repository's state/.
    private = {"OPENDATA_STATE": str(state_of(store)), **(env or {})}
    if not on_s3():
        with serve_opendata(store, env=private, timeout=60) as server:
            yield server
        return
    port = free_port()
    command = [OPENDATA, "--store", store_location(store), "serve"]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    with running("ours", command, port, env=private, timeout=60) as server:
        yield server


def require_programs(*programs: str) -> None:
    """Fails naming the Debian programs a test runs that this machine lacks (as root,
    scripts/test installs them), instead of a FileNotFoundError deep inside the test."""
    missing = [program for program in programs if shutil.which(program) is None]
    if missing:
        pytest.fail(
            f"not installed: {', '.join(missing)}; apt-get install nginx openssl wrk "
            "(scripts/test does, as root)"
        )
