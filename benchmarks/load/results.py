"""The shapes of what the load benchmark writes to `load.json`, part by part."""

from __future__ import annotations

from typing import NotRequired, TypedDict

from benchmarks.report import Checkout, Machine
from benchmarks.timing import Percentiles


class Built(TypedDict):
    """One `opendata build`: its exit code, duration and the tail of its output."""

    exit_code: int
    seconds: float
    output: str


class Preparation(TypedDict):
    generate_seconds: float
    build: Built


class Published(Built):
    """The publish in the middle of the load."""

    dataset: str
    started_at_s: float


class LoadPlan(TypedDict):
    downloads_per_format: int
    synthetic_downloads_per_format: int
    synthetic_xlsx: bool
    formats: list[str]
    sql_queries: int
    stalled_readers: int
    publish: str
    publish_after_s: float
    client_timeout_s: float
    kill_rss_mb: int
    seed: int


class Samples(TypedDict):
    """What the monitor process hands back: RSS (s, kB), /healthz polls (s, ms, status)."""

    rss: list[tuple[float, int]]
    health: list[tuple[float, float | None, str]]
    hwm_kb: int | None
    killed_at_kb: list[int]


class ServerState(TypedDict):
    server_exit_code: int | None
    store_current: str | None
    served_current: NotRequired[str | None]


class Memory(TypedDict):
    budget_mb: int
    peak_rss_mb: float
    peak_source: str
    rss_at_start_mb: float | None
    under_budget: bool
    killed_at_mb: float | None


class Healthz(Percentiles):
    polls: int
    answered_200: int
    failed: int
    failures: dict[str, int]


class ByKind(TypedDict):
    """Verdict counts and timings, keyed by `<kind> (<target>)`."""

    by_kind: dict[str, dict[str, int]]
    seconds_by_kind: dict[str, Percentiles]


class Summary(ByKind):
    requests: int
    status_counts: dict[str, int]
    server_errors_5xx_except_503: int
    refused_429: int
    refused_503: int
    refused_without_retry_after: int
    truncated_bodies: int
    wrong_bytes: int
    timeouts: int
    connection_errors: int
    etag_conflicts: int
    memory: Memory
    healthz: Healthz


class Failure(TypedDict):
    """An outcome other than ok or held, without the tail of its body."""

    kind: str
    target: str
    status: int | None
    verdict: str
    seconds: float
    size: int
    note: str
    retry_after: bool
    etag: str | None
    sha256: str | None
    body_head: str


class LoadMachine(Machine):
    load_1min_before_after: list[float]


class Target(TypedDict):
    target: str
    value: str
    met: bool


class LoadResults(TypedDict):
    """`load.json`; `main` adds how long the run took and the verdicts."""

    data: str
    rows: int
    plan: LoadPlan
    machine: LoadMachine
    code: Checkout
    preparation: Preparation
    load_seconds: float
    publish: Published
    after: ServerState
    references: int
    results: Summary
    failures: list[Failure]
    server_logged_errors: dict[str, int]
    run_seconds: NotRequired[float]
    targets: NotRequired[list[Target]]
