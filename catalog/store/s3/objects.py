"""The objects of one bucket, through boto3: the one place an S3 error becomes ours.

boto3 is imported when a store is opened, never at import time: a server over a local
folder does not pay its memory. Every call goes through `Objects`, which translates the
client's errors once (`StoreUnavailable` for a server that fails, hangs or refuses, `Conflict` for a
conditional write that lost) and never puts a credential or a key in a public message.
"""

from __future__ import annotations

import functools
import importlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from catalog.errors import StoreError, StoreUnavailable
from catalog.store.base import READERS
from catalog.store.s3.location import ADDRESSING_STYLES, S3Location, S3Options

CHUNK = 1 << 20
# Requests a store makes at once when it reads many small objects (a dataset folder's
# listing, CURRENT or a descriptor of each dataset): one after the other, 300 datasets wait a
# minute on S3 (20-50 ms a request); the client is thread-safe and pools this many connections.
# What the client's credentials come from: a client is shared only while these stay the same.
ENVIRONMENT = (
    "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
    "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE",
)  # fmt: skip
# Statuses of a conditional write that lost: precondition failed (412), a concurrent
# conditional write on the same key (409), or the key gone since it was read (404).
LOST = {"412", "409", "404", "PreconditionFailed", "ConditionalRequestConflict", "NoSuchKey"}
MISSING = {"404", "NoSuchKey", "NotFound"}
UNSUPPORTED = {"501", "NotImplemented"}
# What an operator does about a refusal: the bucket or the credentials are wrong.
FIXES = {
    "NoSuchBucket": "create the bucket, or name an existing one in OPENDATA_STORE",
    "AccessDenied": "give AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY the right to read it",
    "InvalidAccessKeyId": "check AWS_ACCESS_KEY_ID",
    "SignatureDoesNotMatch": "check AWS_SECRET_ACCESS_KEY (and AWS_REGION)",
    "403": "check the credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) and their rights",
}


@dataclass(frozen=True)
class Blob:
    """An object read whole: its bytes, its ETag (for a conditional write) and its time."""

    data: bytes
    etag: str
    modified: datetime

    def text(self) -> str:
        return self.data.decode("utf-8")


class Listed(NamedTuple):
    """An object as a listing names it: when it was last written, and its size."""

    modified: datetime
    size: int


class Objects:
    """Reads and writes the keys of one bucket (keys are given whole, prefix included)."""

    def __init__(self, location: S3Location, options: S3Options) -> None:
        self.bucket = location.bucket
        self._where = options.endpoint_url or "AWS S3"
        self._client = _client(options)
        self._errors: type[Exception] = importlib.import_module("botocore.exceptions").BotoCoreError
        self._refused: type[Exception] = importlib.import_module("botocore.exceptions").ClientError

    def read(self, key: str) -> Blob | None:
        """The object `key`, or None when there is none."""
        try:
            answer = self._client.get_object(Bucket=self.bucket, Key=key)
            data = answer["Body"].read()
        except Exception as exc:
            self._unless_missing(exc, key)
            return None
        return Blob(data, answer["ETag"], answer["LastModified"])

    def modified(self, key: str) -> datetime | None:
        """When `key` was last written, or None when there is none (one HEAD)."""
        try:
            answer = self._client.head_object(Bucket=self.bucket, Key=key)
        except Exception as exc:
            self._unless_missing(exc, key)
            return None
        modified: datetime = answer["LastModified"]
        return modified

    def download(self, key: str, target: Path) -> bool:
        """Copy `key` to the local file `target` (written whole or not at all); False when
        there is no such object."""
        try:
            answer = self._client.get_object(Bucket=self.bucket, Key=key)
        except Exception as exc:
            self._unless_missing(exc, key)
            return False
        partial = target.with_name(f".{target.name}.{os.getpid()}.{id(answer)}.part")
        try:
            with partial.open("wb") as out:
                for chunk in answer["Body"].iter_chunks(CHUNK):
                    out.write(chunk)
            os.replace(partial, target)
        except Exception as exc:
            partial.unlink(missing_ok=True)
            raise self._failed(exc, f"reading {key}") from exc
        return True

    def write(self, key: str, data: bytes) -> None:
        """Write `key`, whatever was there."""
        try:
            self._client.put_object(Bucket=self.bucket, Key=key, Body=data)
        except Exception as exc:
            raise self._failed(exc, f"writing {key}") from exc

    def swap(self, key: str, data: bytes, etag: str | None) -> bool:
        """Write `key` only if it is still the object read (its `etag`; None: still missing),
        by a conditional PUT the server decides: False when another writer came first."""
        condition = {"IfMatch": etag} if etag else {"IfNoneMatch": "*"}
        try:
            self._client.put_object(Bucket=self.bucket, Key=key, Body=data, **condition)
        except Exception as exc:
            if _code(exc) in LOST:
                return False
            if _code(exc) in UNSUPPORTED:
                raise StoreError(
                    f"the object store at {self._where} cannot write conditionally"
                    " (If-Match / If-None-Match), which publishing needs"
                ) from exc
            raise self._failed(exc, f"writing {key}") from exc
        return True

    def upload(self, key: str, source: Path) -> None:
        """Write the local file `source` as `key` (multipart when large)."""
        try:
            self._client.upload_file(str(source), self.bucket, key, Config=_transfer())
        except Exception as exc:
            raise self._failed(exc, f"writing {key}") from exc

    def listing(self, prefix: str) -> tuple[list[str], list[str]]:
        """The folders and the objects right under `prefix/` (names only, not keys)."""
        folders, files = self.listed(prefix)
        return folders, list(files)

    def listed(self, prefix: str, *, deep: bool = False) -> tuple[list[str], dict[str, Listed]]:
        """`listing`, each object with its time and size as the listing gives them (no HEAD);
        `deep`: every object below `prefix/` (named by its path under it), and no folders."""
        folders: list[str] = []
        files: dict[str, Listed] = {}
        start = f"{prefix}/" if prefix else ""
        for page in self._pages(start, "" if deep else "/"):
            common = page.get("CommonPrefixes", [])
            folders += [p["Prefix"][len(start) :].rstrip("/") for p in common]
            files.update(
                (o["Key"][len(start) :], Listed(o["LastModified"], o["Size"]))
                for o in page.get("Contents", [])
            )
        return folders, files

    def _pages(self, start: str, delimiter: str = "/") -> Iterator[dict[str, Any]]:
        try:
            pages = self._client.get_paginator("list_objects_v2")
            yield from pages.paginate(Bucket=self.bucket, Prefix=start, Delimiter=delimiter)
        except Exception as exc:
            raise self._failed(exc, f"listing {start or '/'}") from exc

    def _unless_missing(self, exc: Exception, key: str) -> None:
        """Return for a missing key; anything else is the server failing."""
        if isinstance(exc, self._refused) and _code(exc) in MISSING:
            return
        raise self._failed(exc, f"reading {key}") from exc

    def _failed(self, exc: Exception, doing: str) -> StoreError:
        """The store did not do it: `StoreUnavailable` (503 to callers), its message naming
        the server, the bucket and what to do, for the log and the command line."""
        where = f"the object store at {self._where} (bucket {self.bucket!r})"
        if isinstance(exc, self._refused):
            code = _code(exc)
            fix = FIXES.get(code, "see the server's own log")
            return StoreUnavailable(f"{where} refused {doing}: {code}; {fix}")
        if isinstance(exc, self._errors | OSError):
            return StoreUnavailable(
                f"{where} failed {doing}: {exc}; is the server up and"
                " OPENDATA_S3_ENDPOINT_URL right?"
            )
        return StoreUnavailable(f"{where} failed {doing}: {type(exc).__name__}")


def _code(exc: Exception) -> str:
    response = getattr(exc, "response", None) or {}
    error = response.get("Error", {})
    return str(error.get("Code") or response.get("ResponseMetadata", {}).get("HTTPStatusCode"))


def _client(options: S3Options) -> Any:
    """A boto3 S3 client for `options` (credentials from the standard environment): one per
    process for the same server, settings and credentials. Making one costs 0.1-1 s (botocore
    reads the service's model anew for each session), and a client is thread-safe: a process
    opening many stores (the tests, ~1 s an opening under load) shares it."""
    if options.addressing_style not in ADDRESSING_STYLES:
        raise StoreError(
            f"OPENDATA_S3_ADDRESSING_STYLE is {options.addressing_style!r}; give one of"
            f" {', '.join(ADDRESSING_STYLES)}"
        )
    environment = tuple(os.environ.get(name, "") for name in ENVIRONMENT)
    return _shared_client(
        options.endpoint_url, options.region, options.addressing_style,
        options.timeout_seconds, environment,
    )  # fmt: skip


@functools.lru_cache(maxsize=8)
def _shared_client(
    endpoint_url: str, region: str, addressing_style: str, seconds: float, _environment: Any
) -> Any:
    boto3 = importlib.import_module("boto3")
    config = importlib.import_module("botocore.config").Config(
        s3={"addressing_style": addressing_style},
        # A hung server (stopped, a black-holed route) must give a prompt 503, not hold a
        # request for minutes: each wait for a connection or for the next bytes is bounded,
        # and a call is tried twice at most (docs/s3.md, "Time limits").
        connect_timeout=min(seconds, 2.0),
        read_timeout=seconds,
        retries={"total_max_attempts": 2, "mode": "standard"},
        max_pool_connections=READERS,  # `read_each`: one connection per reader
        # Checksums only where S3 requires them: S3-compatible servers (OSS, older MinIO)
        # refuse the trailing checksums boto3 sends by default.
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )
    return boto3.session.Session().client(
        "s3", endpoint_url=endpoint_url or None, region_name=region or "us-east-1", config=config
    )


def _transfer() -> Any:
    transfer = importlib.import_module("boto3.s3.transfer")
    return transfer.TransferConfig(multipart_threshold=64 * CHUNK, use_threads=False)
