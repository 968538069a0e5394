"""The shapes of what the API benchmark writes to `api.json`, measurement by measurement.

Each timing is a `benchmarks.timing.Timing`; a side's timing may carry what its answer said
(our total, whether it was exact). Every measurement gets the machine's load average before
and after it (`load_1min`) once it is done.
"""

from __future__ import annotations

from typing import NotRequired, TypedDict

from benchmarks.exports import CopyRun, DownloadRun, NotMeasured
from benchmarks.report import Checkout, Machine
from benchmarks.timing import Timing


class Measured(TypedDict):
    load_1min: NotRequired[list[float]]


class CsvExport(TypedDict):
    """The whole-file export by each side; the run adds our download from a fresh server
    and the load average around the measurement."""

    what: str
    ours: DownloadRun | NotMeasured
    datasette: DownloadRun
    duckdb_copy: CopyRun
    ours_fresh_server: NotRequired[DownloadRun | NotMeasured]
    load_1min: NotRequired[list[float]]


class OursTotal(Timing):
    total_exact: bool


class OursPage(OursTotal):
    total: int


class FilteredPage(Measured):
    what: str
    ours: OursPage
    ours_exact_total: Timing
    ours_no_total: Timing
    datasette: Timing
    datasette_lean: Timing
    duckdb: Timing
    duckdb_page_and_count: Timing
    agree: bool


class Walk(TypedDict):
    """The walk, a page of cursors after another, to the deep page."""

    pages: int
    page_rows: int
    seconds: float


class DeepOffsetPage(Measured):
    what: str
    ours: Timing
    datasette: Timing
    duckdb: Timing
    agree: bool


class DeepKeysetPage(DeepOffsetPage):
    walk: Walk
    ours_cold: Timing


class DeepPages(TypedDict):
    deep_keyset_page: DeepKeysetPage
    deep_offset_page: DeepOffsetPage
    cold_offset_pages: Timing


class ExactTotal(Measured):
    what: str
    ours: OursTotal
    ours_aggregate: Timing
    datasette: Timing
    duckdb: Timing
    totals: list[int]
    agree: bool


class Aggregate(Measured):
    what: str
    ours: Timing
    datasette: Timing
    duckdb: Timing
    groups: int
    agree: bool


class FilteredOffsetPage(DeepOffsetPage):
    """A page deep into a filter's matches, by offset (Datasette by SQL)."""


class ColdTotal(Measured):
    """Exact totals of filters each asked once: ours and DuckDB's count, no Datasette."""

    what: str
    ours: Timing
    duckdb: Timing
    agree: bool


class ColdTotals(TypedDict):
    by_scan: ColdTotal
    by_statistics: ColdTotal
    between_dates: ColdTotal


class EstimatedTotal(Measured):
    what: str
    ours: Timing
    estimate: int
    exact: int
    error_percent: float
    flagged: bool


# The measurements of the timings table: each has `what`, the three sides and `agree`.
Compared = (
    FilteredPage | DeepKeysetPage | DeepOffsetPage | FilteredOffsetPage | ExactTotal | Aggregate
)


class DatastoreQuestion(TypedDict):
    """One question asked of CKAN's `datastore_search` and of `/rows` on our server."""

    what: str
    datastore_search: Timing
    rows: Timing
    ratio: float  # datastore_search p50 / rows p50
    agree: bool


class DatastoreSearch(Measured):
    filtered_page: DatastoreQuestion
    deep_keyset_page: DatastoreQuestion
    deep_offset_page: DatastoreQuestion


class ServerMemory(TypedDict):
    """Our server's resident memory over the run (issue 15: idle under 150 MB, and under
    its memory budget through the whole benchmark), in MB."""

    idle_rss_mb: float  # once /readyz answered 200, before the first question
    peak_rss_mb: float  # the highest of VmHWM and a 20 ms sampler of VmRSS, to the last export
    budget_mb: int  # OPENDATA_MEMORY_BUDGET_MB


class Measurements(DeepPages):
    filtered_page: FilteredPage
    filtered_offset_page: FilteredOffsetPage
    exact_total: ExactTotal
    cold_totals: ColdTotals
    estimated_total: EstimatedTotal
    aggregate: Aggregate
    csv_export: CsvExport
    datastore_search: DatastoreSearch
    server_memory: NotRequired[ServerMemory]


class Preparation(TypedDict):
    """How long each step of the set-up took, and the size of what it wrote."""

    generate_csv_seconds: float
    csv_bytes: int
    publish_seconds: float
    parquet_bytes: int
    sqlite_load_seconds: float
    sqlite_index_seconds: float
    sqlite_bytes: int
    datasette_inspect_seconds: float


class RunPlan(TypedDict):
    warmup: int
    repeat: int
    budget_seconds: float


# The environment our server runs with: the names are the variables'.
class ServerEnv(TypedDict):
    OPENDATA_MAX_OFFSET: str
    OPENDATA_QUERY_TIMEOUT_SECONDS: str


class OursSettings(ServerEnv):
    duckdb_threads: int
    duckdb_memory_limit: str
    exact_total_rows: int
    total_sample_rows: int
    row_group_cache_mb: int


class DatasetteDescription(TypedDict):
    sql_time_limit_ms: str
    max_returned_rows: str
    max_csv_mb: str
    mode: str
    indexes: list[str]
    analyze: bool


class ServerSettings(TypedDict):
    ours: OursSettings
    datasette: DatasetteDescription


class Verdict(TypedDict):
    """A target of issue 3: the value measured and whether it was met (None: not measured)."""

    measurement: str
    target: str
    value: float | None
    met: bool | None
    how: str


class ApiResults(TypedDict):
    """`api.json`; `main` adds how long the run took and the verdicts."""

    data: str
    rows: int
    version: str
    machine: Machine
    software: dict[str, str]
    code: Checkout
    plan: RunPlan
    settings: ServerSettings
    preparation: Preparation
    measurements: Measurements
    run_seconds: NotRequired[float]
    targets: NotRequired[list[Verdict]]
