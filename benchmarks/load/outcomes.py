"""One request of the load benchmark, and how it ended, judged against a reference download."""

from __future__ import annotations

import asyncio
import hashlib
import time
from dataclasses import dataclass, field

import httpx

TAIL = 65_557  # bytes kept of each body: enough for a zip's end of central directory


@dataclass(frozen=True)
class Reference:
    sha256: str
    size: int
    etag: str | None


@dataclass
class Outcome:
    kind: str  # download format, "sql" or "stalled"
    target: str
    status: int | None = None
    verdict: str = ""  # ok, truncated, wrong_bytes, refused, client_error, server_error, ...
    seconds: float = 0.0
    size: int = 0
    note: str = ""
    retry_after: bool = False
    etag: str | None = None
    sha256: str | None = None
    tail: bytes = field(default=b"", repr=False)
    body_head: str = ""  # of an error answer


@dataclass(frozen=True)
class Job:
    kind: str
    target: str
    url: str
    params: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """What its reference download is filed under."""
        return self.url + repr(self.params)


def client(timeout: float) -> httpx.AsyncClient:
    """A client with no pool limit (every job is a client of its own), asking for identity.

    Identity: the benchmark measures the server's work, not gzip's.
    """
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=0)
    return httpx.AsyncClient(
        timeout=httpx.Timeout(timeout, connect=timeout),
        limits=limits,
        headers={"Accept-Encoding": "identity"},
    )


async def fetch(client: httpx.AsyncClient, job: Job, references: dict[str, Reference]) -> Outcome:
    """GET `job` and judge the answer against its reference."""
    outcome = Outcome(job.kind, job.target)
    started = time.monotonic()
    try:
        async with client.stream("GET", job.url, params=job.params) as response:
            await read(response, outcome)
            declared = response.headers.get("content-length")
            outcome.verdict = judge(outcome, declared, references.get(job.key))
            if response.status_code >= 400:
                outcome.body_head = outcome.tail[:300].decode("utf-8", "replace")
    except httpx.TimeoutException as exc:
        outcome.verdict, outcome.note = "timeout", type(exc).__name__
    except httpx.HTTPError as exc:
        outcome.verdict, outcome.note = "connection_error", f"{type(exc).__name__}: {exc}"
    outcome.seconds = round(time.monotonic() - started, 3)
    return outcome


async def read(response: httpx.Response, outcome: Outcome) -> None:
    """Read the whole body into `outcome`'s digest, size and tail; note a cut-off."""
    outcome.status = response.status_code
    outcome.retry_after = "retry-after" in response.headers
    outcome.etag = response.headers.get("etag")
    digest = hashlib.sha256()
    try:
        async for chunk in response.aiter_bytes():
            digest.update(chunk)
            outcome.size += len(chunk)
            outcome.tail = (outcome.tail + chunk)[-TAIL:]
    except httpx.HTTPError as exc:
        outcome.note = f"cut off after {outcome.size} bytes: {type(exc).__name__}"
    outcome.sha256 = digest.hexdigest()


def judge(outcome: Outcome, declared: str | None, reference: Reference | None) -> str:
    status = outcome.status or 0
    if status in (429, 503):
        return "refused"
    if status >= 500:
        return "server_error"
    if status >= 400:
        return "client_error"
    if outcome.note:
        return "truncated"
    if declared is not None and int(declared) != outcome.size:
        outcome.note = f"{outcome.size} of {declared} bytes (Content-Length)"
        return "truncated"
    if reference is None:
        return "unchecked"
    if outcome.sha256 == reference.sha256:
        return "ok"
    if not ends_whole(outcome.kind, outcome.tail):
        outcome.note = f"{outcome.size} bytes, reference {reference.size}; no proper end"
        return "truncated"
    outcome.note = f"{outcome.size} bytes, reference {reference.size}; other bytes, whole file"
    return "wrong_bytes"


def ends_whole(kind: str, tail: bytes) -> bool:
    """Whether a body of `kind` ends as a whole file does: a truncated one does not."""
    if kind in ("zip", "xlsx"):
        return b"PK\x05\x06" in tail[-65_557:]  # end of central directory (+ comment)
    if kind == "parquet":
        return tail.endswith(b"PAR1")
    if kind in ("json", "sql"):
        return tail.rstrip().endswith((b"]", b"}"))
    return tail.endswith(b"\n")


async def stall(client: httpx.AsyncClient, job: Job, release: asyncio.Event) -> Outcome:
    """Open a download and read nothing until `release`; then let go of it."""
    outcome = Outcome(job.kind, job.target)
    started = time.monotonic()
    try:
        async with client.stream("GET", job.url, params=job.params) as response:
            outcome.status = response.status_code
            outcome.retry_after = "retry-after" in response.headers
            await release.wait()
        outcome.verdict = judge_stalled(outcome.status)
    except httpx.HTTPError as exc:
        outcome.verdict, outcome.note = "connection_error", f"{type(exc).__name__}: {exc}"
    outcome.seconds = round(time.monotonic() - started, 3)
    return outcome


def judge_stalled(status: int) -> str:
    if status in (429, 503):
        return "refused"
    return "server_error" if status >= 500 else "held" if status < 400 else "client_error"
