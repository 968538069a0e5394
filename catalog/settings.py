"""Settings as data: each field is an `OPENDATA_*` environment variable and a CLI option."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


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
        default="http://127.0.0.1:8000",
        description="Public base URL used in absolute links (set it when behind a reverse proxy).",
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
