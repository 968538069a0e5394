"""Where an object-storage store is: `s3://bucket/prefix`, and how to reach and cache it.

The location says the bucket and the prefix; the rest comes from the environment as every
S3 client reads it (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`,
`AWS_REGION`), plus `OPENDATA_S3_ENDPOINT_URL` for a server that is not AWS (MinIO, Alibaba
OSS, Huawei OBS), `OPENDATA_S3_ADDRESSING_STYLE` (`path` for MinIO, `virtual` for OSS) and
`OPENDATA_S3_TIMEOUT_SECONDS` (how long a call waits for the server's next bytes).
The local copies of the files a store hands out go under the state folder
(`OPENDATA_STATE`), else under the system's temporary folder.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from catalog.errors import StoreError

# A bucket name as S3 allows it (3-63 lowercase letters, digits, dots and hyphens).
BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
# Prefix segments: the characters of slugs and version names, and a few more.
SEGMENT = re.compile(r"[A-Za-z0-9._-]+")
ADDRESSING_STYLES = ("auto", "path", "virtual")
DEFAULT_CACHE_MB = 10_240
DEFAULT_KEPT_MB = 32
DEFAULT_TIMEOUT_SECONDS = 3.0
MAX_TIMEOUT_SECONDS = 120.0


@dataclass(frozen=True)
class S3Location:
    """`s3://bucket/prefix`: the bucket, and the prefix every key starts with ("" or `a/b`)."""

    bucket: str
    prefix: str = ""

    @classmethod
    def parse(cls, location: str) -> S3Location:
        if not location.startswith("s3://"):
            raise StoreError(f"{location!r} is not an s3:// location")
        bucket, _, prefix = location.removeprefix("s3://").partition("/")
        segments = [s for s in prefix.split("/") if s]
        if not BUCKET.fullmatch(bucket) or not all(SEGMENT.fullmatch(s) for s in segments):
            raise StoreError(
                f"{location!r} is not s3://bucket/prefix (a bucket name as S3 spells it, then"
                " segments of letters, digits, '.', '_' and '-')"
            )
        if any(s in (".", "..") for s in segments):
            raise StoreError(f"{location!r}: a prefix segment cannot be '.' or '..'")
        return cls(bucket, "/".join(segments))

    def key(self, *parts: str) -> str:
        """The object key of `parts` under the prefix."""
        return "/".join([self.prefix, *parts] if self.prefix else parts)

    def __str__(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"


@dataclass(frozen=True)
class S3Options:
    """How to reach the server and where to keep the local copies."""

    endpoint_url: str = ""
    region: str = ""
    addressing_style: str = "auto"
    cache: Path | None = None
    cache_mb: int = DEFAULT_CACHE_MB
    # Memory for the small version files read whole and kept (`catalog.store.s3.ranges`).
    kept_mb: int = DEFAULT_KEPT_MB
    # How long a server answers from what it last read of CURRENT and WITHDRAWN
    # (`catalog.store.s3.pointers`); 0 (the command line, tests) reads them every time.
    refresh_seconds: float = 0.0
    # Longest wait for a connection or for the server's next bytes; a call is tried twice at
    # most, so a hung server is given up within about twice this (`objects._client`).
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS

    def __post_init__(self) -> None:
        if self.endpoint_url and not re.match(r"https?://[^/\s]", self.endpoint_url):
            raise StoreError(
                f"OPENDATA_S3_ENDPOINT_URL is {self.endpoint_url!r}: give a URL with its scheme,"
                f" such as http://{self.endpoint_url.split('://')[-1] or '127.0.0.1:9000'}"
            )
        if not 0 < self.timeout_seconds <= MAX_TIMEOUT_SECONDS:
            raise StoreError(
                f"OPENDATA_S3_TIMEOUT_SECONDS is {self.timeout_seconds:g}: give seconds between"
                f" 0 and {MAX_TIMEOUT_SECONDS:g}"
            )

    @classmethod
    def from_env(cls, environ: os._Environ[str] | dict[str, str] = os.environ) -> S3Options:
        """The options the environment gives (what `open_store` uses when handed none)."""
        state = environ.get("OPENDATA_STATE")
        cache_mb = environ.get("OPENDATA_S3_CACHE_MB", "")
        kept_mb = environ.get("OPENDATA_S3_KEPT_MB", "")
        return cls(
            endpoint_url=environ.get("OPENDATA_S3_ENDPOINT_URL", ""),
            region=environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION", ""),
            addressing_style=environ.get("OPENDATA_S3_ADDRESSING_STYLE", "auto") or "auto",
            cache=Path(state) / "store-cache" if state else None,
            cache_mb=int(cache_mb) if cache_mb.isdigit() else DEFAULT_CACHE_MB,
            kept_mb=int(kept_mb) if kept_mb.isdigit() else DEFAULT_KEPT_MB,
            timeout_seconds=_seconds(environ.get("OPENDATA_S3_TIMEOUT_SECONDS", "")),
        )

    def cache_root(self, location: S3Location) -> Path:
        """The folder of this store's local copies: one per server, bucket and prefix, so two
        stores never share (or evict) each other's files."""
        base = self.cache or Path(tempfile.gettempdir()) / f"opendata-store-cache-{os.getuid()}"
        which = f"{self.endpoint_url}\n{location.bucket}\n{location.prefix}"
        return base / f"s3-{hashlib.sha256(which.encode()).hexdigest()[:16]}"


def _seconds(text: str) -> float:
    """`OPENDATA_S3_TIMEOUT_SECONDS`: a number of seconds, or the default when unset."""
    if not text.strip():
        return DEFAULT_TIMEOUT_SECONDS
    try:
        return float(text)
    except ValueError:
        raise StoreError(
            f"OPENDATA_S3_TIMEOUT_SECONDS is {text!r}: give a number of seconds"
        ) from None
