"""Settings as data: each field is an `OPENDATA_*` environment variable and a CLI option."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    """Where the data lives and how the service runs; built by the CLI or `create_app`."""

    model_config = SettingsConfigDict(env_prefix="OPENDATA_", extra="ignore")

    datasets: Path = Field(
        default=Path("datasets"),
        description="Folder of dataset folders, each with datapackage.yaml and data/.",
    )
    store: Path = Field(
        default=Path("store"),
        description="Folder holding the published, immutable versions: <store>/<slug>/<version>/.",
    )
    base_url: str = Field(
        default="",
        description=(
            "Public base URL used in absolute links; set it when behind a reverse proxy."
            " Empty means http://<host>:<port>."
        ),
    )
    host: str = Field(default="127.0.0.1", description="Interface the server listens on.")
    port: int = Field(default=8000, description="TCP port the server listens on.")
    duckdb_memory_limit: str = Field(
        default="1GB", description="Memory limit of the shared DuckDB query engine."
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
        default=1_000_000,
        ge=0,
        description=(
            "Largest resource whose filtered `total` on /rows is counted exactly by default; "
            "past it the total is estimated from a sample unless `total=exact` is asked."
        ),
    )
    total_sample_rows: int = Field(
        default=131_072,
        ge=8,
        description=(
            "Rows an estimated `total` reads, in eight runs spread through the file; a "
            "resource no larger is counted exactly instead."
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
    max_offset: int = Field(
        default=100_000,
        ge=0,
        description="Deepest `offset` the rows endpoint takes; deeper pages use the `next` cursor.",
    )
    catalog_page_size: int = Field(
        default=100,
        ge=1,
        le=1000,
        description="Datasets per page of the DCAT catalogue and of /data.json?page=N.",
    )
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default=["*"],
        description=(
            "Origins whose browser pages may read the API (CORS, GET and HEAD), comma-separated;"
            " `*` allows every origin."
        ),
    )
    trust_forwarded_headers: bool = Field(
        default=False,
        description=(
            "Build absolute links from X-Forwarded-Proto/-Host/-Prefix instead of base_url;"
            " enable only behind a reverse proxy that sets them."
        ),
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
            "File of the hashed API tokens made by `opendata token create`; empty means"
            " `<store>/.api-tokens.json`. Keep it out of version control."
        ),
    )

    state: Path = Field(
        default=Path("state"),
        description=(
            "Folder of the server's own state, outside the store and anything the query engine"
            " can open: the audit log and the temporary files of uploads in progress."
        ),
    )
    max_upload_bytes: int = Field(
        default=200 * 1024 * 1024,
        gt=0,
        description=(
            "Largest file a CKAN write action takes; a larger upload is refused with 413 and"
            " nothing of it stays on disk."
        ),
    )

    @property
    def audit_path(self) -> Path:
        """The append-only log of writes and refused write attempts."""
        return self.state / "audit.log"

    @property
    def uploads_path(self) -> Path:
        """Where uploads wait, each request in its own folder, removed when it ends."""
        return self.state / "uploads"

    @property
    def tokens_path(self) -> Path:
        """Where the hashed API tokens live."""
        if self.api_tokens_file:
            return Path(self.api_tokens_file)
        return self.store / ".api-tokens.json"

    @model_validator(mode="after")
    def _default_base_url(self) -> Settings:
        # Links must point where the server really listens, e.g. with PORT=9000 scripts/run.
        if not self.base_url:
            self.base_url = f"http://{self.host}:{self.port}"
        self.base_url = self.base_url.rstrip("/")
        return self

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value
