"""The service's settings: where the data lives, the memory budget, query limits, the
catalogue's identity and private state (the perimeter's limits come from `perimeter`)."""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from catalog.settings.operations import OperationsSettings
from catalog.settings.perimeter import PerimeterSettings
from catalog.settings.requests import RequestSettings
from catalog.state import (
    DatabaseUrlError,
    LegacyFiles,
    adopt_legacy_tokens,
    database_url,
    sqlite_url,
)
from catalog.store import S3Options, StoreLocation, store_folder

# The files the state was kept in before the database (`catalog.state` imports them once).
TOKENS_FILE = "api-tokens.json"
LEGACY_TOKENS_FILE = ".api-tokens.json"  # older still: inside the store
AUDIT_FILE = "audit.log"


class Settings(RequestSettings, PerimeterSettings, OperationsSettings):
    """Where the data lives and how the service runs; built by the CLI or `create_app`."""

    model_config = SettingsConfigDict(env_prefix="OPENDATA_", extra="ignore")

    datasets: Path = Field(
        default=Path("datasets"),
        description="Folder of dataset folders, each with datapackage.yaml and data/.",
    )
    store: StoreLocation = Field(
        default="store",
        description=(
            "Where the published, immutable versions live: a folder, <store>/<slug>/<version>/,"
            " or s3://bucket/prefix on an S3-protocol server (OPENDATA_S3_*, docs/s3.md)."
        ),
    )
    s3_endpoint_url: str = Field(
        default="",
        description=(
            "The S3-protocol server of an s3:// store (MinIO, Alibaba OSS, Huawei OBS);"
            " empty means AWS. Credentials and region come from the standard AWS_* variables."
        ),
    )
    s3_timeout_seconds: float = Field(
        default=3.0,
        gt=0,
        le=120,
        description=(
            "Longest an s3:// store's call waits for a connection or the server's next bytes;"
            " a call is tried twice at most, so a hung server answers 503 within about twice"
            " this (docs/s3.md)."
        ),
    )
    s3_addressing_style: Literal["auto", "path", "virtual"] = Field(
        default="auto",
        description="How an s3:// store names its bucket: `path` (MinIO) or `virtual` (OSS).",
    )
    s3_cache_mb: int = Field(
        default=10_240,
        ge=64,
        description=(
            "Local copies of an s3:// store's files, under <state>/store-cache: the bound"
            " past which the least recently used copies of versions not served are removed."
        ),
    )
    s3_kept_mb: int = Field(
        default=32,
        ge=0,
        description=(
            "Memory for the small Parquet files (up to 1 MiB) of an s3:// store's versions,"
            " each read whole by one request on first use and kept; the least recently read"
            " are dropped past this bound (0: off, every read a ranged request; docs/s3.md)."
        ),
    )
    base_url: str = Field(
        default="",
        description=(
            "Public base URL used in absolute links; set it when behind a reverse proxy."
            " Empty means http://<host>:<port>."
        ),
    )
    usage_flush_seconds: float = Field(
        default=60.0,
        gt=0,
        le=3600,
        description=(
            "Seconds between a server's additions of its usage counts (downloads, API calls,"
            " page views per dataset and day) to the state database; it adds them at shutdown"
            " too (docs/report.md)."
        ),
    )
    refresh_seconds: float = Field(
        default=1.0,
        ge=0,
        le=300,
        description=(
            "Longest a server answers from what it last read of the store: it reads the store's"
            " generation at most this often, so a version published by another process (or"
            " another replica) is served within this delay, without a restart (docs/replicas.md)."
            " 0: read it at every request."
        ),
    )
    host: str = Field(default="127.0.0.1", description="Interface the server listens on.")
    port: int = Field(default=8000, description="TCP port the server listens on.")
    memory_budget_mb: int = Field(
        default=2048,
        ge=512,
        description=(
            "Memory the server may use, in MB, its SQL worker processes included; the parts"
            " are derived from it: 40 % for the shared DuckDB engine, 25 % for the SQL"
            " sandbox workers (each capped by the OS), the rest for the server's own Python"
            " objects, Arrow batches and HTTP buffers."
        ),
    )
    duckdb_memory_limit: str = Field(
        default="",
        description=(
            "Memory limit of the shared DuckDB query engine (e.g. `1GB`); empty means 40 %"
            " of memory_budget_mb."
        ),
    )
    duckdb_threads: int = Field(default=2, description="Threads of the shared DuckDB query engine.")
    row_group_size: int = Field(
        default=122_880,
        description="Rows per Parquet row group; DuckDB parallelises a scan by row group.",
    )
    query_timeout_seconds: float = Field(
        default=2.0,
        gt=0,
        description="Time limit of one query of the DuckDB engine; a longer one is interrupted.",
    )
    exact_total_rows: int = Field(
        default=10_000_000,
        ge=0,
        description=(
            "Most rows a filtered `total=auto` on /rows scans to count exactly (a count over"
            " them costs about what the page does); row groups the Parquet statistics decide"
            " are counted from the footer and not scanned. Past it the total is estimated"
            " from a sample unless `total=exact` is asked."
        ),
    )
    total_sample_rows: int = Field(
        default=1_048_576,
        ge=8,
        description=(
            "Rows an estimated `total` reads, in eight runs spread through the row groups the"
            " footer's statistics leave undecided (at 4 % matching, about ±0.5 %); a"
            " resource, or undecided groups, no larger are counted exactly instead."
        ),
    )
    row_group_cache_mb: int = Field(
        default=32,
        ge=0,
        description=(
            "Memory for decoded row groups of files stored in key order, which serve keyset "
            "pages without a scan (0: off)."
        ),
    )
    sql_row_cap: int = Field(
        default=10_000, gt=0, description="Most rows one read-only SQL query returns."
    )
    sql_result_bytes: int = Field(
        default=16 * 1024 * 1024,
        ge=1024,
        description=(
            "Most bytes of rows (as JSON) one read-only SQL query returns; past them the"
            " result is cut and flagged `truncated`."
        ),
    )
    sql_max_chars: int = Field(
        default=100_000,
        ge=100,
        description="Longest SQL text accepted, in characters; longer is refused unparsed.",
    )
    sql_workers: int = Field(
        default=0,
        ge=0,
        le=32,
        description=(
            "Sandbox processes that run user SQL (/api/v1/sql, datastore_search_sql); 0 means"
            " one per GB of memory_budget_mb, from 1 to 4. Each gets an equal part of the"
            " workers' 25 % of the budget (at least 192 MB) as its OS memory cap, half of it"
            " for DuckDB."
        ),
    )
    max_offset: int = Field(
        default=0,
        ge=0,
        description=(
            "Deepest `offset` the rows endpoint takes in an order the Parquet file is not"
            " stored in (0: no bound; the query time limit and the engine's memory limit"
            " still hold). In the file's own order, or sorted by a column its row groups are"
            " stored by, a page is located from the footer at any depth."
        ),
    )
    catalog_page_size: int = Field(
        default=100,
        ge=1,
        le=1000,
        description="Datasets per page of the DCAT catalogue and of /data.json?page=N.",
    )
    catalog_title: str = Field(
        default="人力资源和社会保障开放数据目录", description="Title of the catalogue (zh)."
    )
    catalog_title_en: str = Field(
        default="Human Resources and Social Security Open Data Catalogue",
        description="Title of the catalogue (en).",
    )
    catalog_description: str = Field(
        default="人力资源和社会保障统计数据：经校验、带来源、可机器读取的开放数据集。",
        description="Description of the catalogue (zh).",
    )
    catalog_description_en: str = Field(
        default=(
            "Human resources and social security statistics as validated, sourced,"
            " machine-readable open datasets."
        ),
        description="Description of the catalogue (en).",
    )
    catalog_publisher: str = Field(
        default="人力资源和社会保障开放数据平台",
        description="Publisher of the catalogue itself (zh); datasets name their own.",
    )
    catalog_publisher_en: str = Field(
        default="HRSS Open Data Platform", description="Publisher of the catalogue itself (en)."
    )

    api_token_header: str = Field(
        default="Authorization",
        description=(
            "HTTP header carrying the API token of the CKAN write actions (CKAN's"
            " `apitoken_header_name`); `Bearer <token>` is accepted too."
        ),
    )
    api_tokens_file: str = Field(
        default="",
        description=(
            "The token file of before the database, imported into it once (then renamed"
            " `*.imported`); empty means `<state>/api-tokens.json`. Never inside the store."
        ),
    )
    state: Path = Field(
        default=Path("state"),
        description=(
            "Folder of private state: the state database (when database_url is empty) and"
            " uploads in progress. It must not be inside the store, whose files the query"
            " engine may open."
        ),
    )
    database_url: str = Field(
        default="",
        description=(
            "The state database (API tokens, audit log): a SQLAlchemy URL of PostgreSQL"
            " (`postgresql://user:password@host/db`, through psycopg 3) or of a SQLite file;"
            " empty means SQLite at `<state>/opendata.sqlite`."
        ),
    )

    @property
    def engine_memory_limit(self) -> str:
        """The shared DuckDB engine's memory limit: the override, else 40 % of the budget."""
        return self.duckdb_memory_limit or f"{self.memory_budget_mb * 40 // 100}MB"

    @property
    def sql_worker_count(self) -> int:
        """How many SQL sandbox workers run: the setting, else one per GB of budget (1–4)."""
        return self.sql_workers or max(1, min(4, self.memory_budget_mb // 1024))

    @property
    def sql_worker_memory_mb(self) -> int:
        """Each SQL worker's OS memory cap: an equal part of 25 % of the budget, ≥ 192 MB."""
        return max(192, self.memory_budget_mb * 25 // 100 // self.sql_worker_count)

    @property
    def s3_options(self) -> S3Options:
        """How an s3:// store is reached (credentials from the AWS_* variables) and where
        its local copies go."""
        return S3Options(
            endpoint_url=self.s3_endpoint_url,
            region=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION", ""),
            addressing_style=self.s3_addressing_style,
            cache=self.state / "store-cache",
            cache_mb=self.s3_cache_mb,
            kept_mb=self.s3_kept_mb,
            timeout_seconds=self.s3_timeout_seconds,
        )

    @property
    def uploads_path(self) -> Path:
        """Where uploads wait, each request in its own folder, removed when it ends."""
        return self.state / "uploads"

    @property
    def database(self) -> str:
        """The URL of the state database: the setting, else SQLite in the state folder."""
        return self.database_url or sqlite_url(self.state)

    @property
    def legacy_files(self) -> LegacyFiles:
        """The token file and audit log of before the database; a token file left at its
        oldest place, `<store>/.api-tokens.json`, is moved to the state folder first."""
        if self.api_tokens_file:
            return LegacyFiles(Path(self.api_tokens_file), self.state / AUDIT_FILE)
        target = self.state / TOKENS_FILE
        folder = store_folder(self.store)
        if folder is not None:  # only a folder store ever held the oldest file
            adopt_legacy_tokens(folder / LEGACY_TOKENS_FILE, target)
        return LegacyFiles(target, self.state / AUDIT_FILE)

    @field_validator("s3_endpoint_url")
    @classmethod
    def _endpoint_has_scheme(cls, value: str) -> str:
        # boto3 answers `127.0.0.1:9000` with a raw traceback at the first request.
        if value and not re.fullmatch(r"https?://[^/\s]\S*", value):
            host = value.split("://")[-1]
            raise ValueError(f"{value!r} is not a URL: give its scheme, such as http://{host}")
        return value

    @model_validator(mode="after")
    def _state_outside_store(self) -> Settings:
        # The store is what the query engine reads: a state database or a token file in it is
        # one sandbox slip away from being served.
        folder = store_folder(self.store)
        if folder is None:  # not on this machine's disk: nothing local can be inside it
            return self
        store = folder.resolve()
        private = [("state", self.state)]
        if self.api_tokens_file:
            private.append(("api_tokens_file", Path(self.api_tokens_file)))
        with contextlib.suppress(DatabaseUrlError):  # `_database_is_supported` says why
            url = database_url(self.database)
            if url.path is not None:
                private.append(("database_url", url.path))
        for name, path in private:
            if path.resolve().is_relative_to(store):
                raise ValueError(
                    f"{name} ({path}) is inside the store ({self.store}); keep private state"
                    " in a folder of its own (OPENDATA_STATE)"
                )
        return self

    @model_validator(mode="after")
    def _database_is_supported(self) -> Settings:
        if self.database_url:
            try:
                database_url(self.database_url)
            except DatabaseUrlError as exc:
                raise ValueError(f"database_url: {exc}") from None
        return self

    @model_validator(mode="after")
    def _workers_fit_the_budget(self) -> Settings:
        # Each worker needs a floor of memory to start DuckDB; more workers than the budget
        # holds would break the promise that the budget bounds the process.
        if self.sql_worker_count * self.sql_worker_memory_mb > self.memory_budget_mb // 2:
            most = max(1, self.memory_budget_mb // 2 // 192)
            raise ValueError(
                f"sql_workers: {self.sql_workers} workers of {self.sql_worker_memory_mb} MB do"
                f" not fit a memory budget of {self.memory_budget_mb} MB; at most {most}"
            )
        return self

    @model_validator(mode="after")
    def _default_base_url(self) -> Settings:
        # Links must point where the server really listens, e.g. with PORT=9000 scripts/run.
        if not self.base_url:
            self.base_url = f"http://{self.host}:{self.port}"
        self.base_url = self.base_url.rstrip("/")
        return self
