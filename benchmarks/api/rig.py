"""What the API benchmark's measurements run against: two servers, one client, the floor.

Every figure is measured through HTTP with one keep-alive client; DuckDB's floor runs the
same query on the published Parquet file in this process while both servers sit idle.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import httpx

from benchmarks import hotline
from benchmarks.servers import Server
from benchmarks.timing import Params, Plan, Timing, time_get, time_sql
from catalog.settings import Settings

DEPTH = 0.7  # how deep the deep pages are, as a share of the rows
PAGE = 100
WALK_PAGE = 10_000  # the largest page our API gives, to walk to the deep page quickly
AGGREGATE_SQL = (
    "SELECT prefecture, channel, count(*) AS count, avg(wait_seconds) AS avg_wait_seconds"
    " FROM {table} GROUP BY prefecture, channel ORDER BY prefecture, channel"
)
FILTER_SQL = f"prefecture = '{hotline.FILTER_PREFECTURE}' AND topic = '{hotline.FILTER_TOPIC}'"
# Datasette's table page without its extras, so that it does the same work as our rows page.
DATASETTE_PAGE: dict[str, str | int] = {"_shape": "objects", "_nosuggest": 1, "_nofacet": 1}


class Rig:
    """Our server, Datasette and DuckDB over the same rows, with one HTTP client."""

    def __init__(
        self,
        client: httpx.Client,
        plan: Plan,
        servers: tuple[Server, Server],
        parquet: Path,
        rows: int,
    ) -> None:
        self.client = client
        self.plan = plan
        self.ours, self.peer = servers
        self.parquet = parquet
        self.rows = rows
        self.base = f"{self.ours.url}/api/v1/datasets/{hotline.SLUG}/resources/{hotline.RESOURCE}"
        self.table = f"{self.peer.url}/bench/{hotline.RESOURCE}"
        self.sql_url = f"{self.peer.url}/bench.json"
        settings = Settings()
        # The floor gets the threads and memory our engine has, no more.
        self.con = duckdb.connect(
            config={
                "threads": settings.duckdb_threads,
                "memory_limit": settings.engine_memory_limit,
            }
        )
        self.source = f"read_parquet('{parquet}')"
        self.filters = {"prefecture": hotline.FILTER_PREFECTURE, "topic": hotline.FILTER_TOPIC}
        self.depth = (int(rows * DEPTH) // WALK_PAGE) * WALK_PAGE

    def ours_rows(self, params: Params) -> tuple[Timing, httpx.Response]:
        """Time our `/rows` with `params`."""
        return time_get(self.client, self.plan, f"{self.base}/rows", params)

    def peer_table(self, params: Params) -> tuple[Timing, httpx.Response]:
        """Time Datasette's table page (`.json`) with `params`."""
        return time_get(self.client, self.plan, f"{self.table}.json", params)

    def peer_sql(self, sql: str) -> tuple[Timing, httpx.Response]:
        """Time Datasette's `?sql=`, rows as a JSON array."""
        return time_get(self.client, self.plan, self.sql_url, {"sql": sql, "_shape": "array"})

    def floor(self, sql: str) -> tuple[Timing, list[tuple[Any, ...]]]:
        """Time `sql` (with `{table}` for the Parquet file) in DuckDB alone."""
        return time_sql(self.con, self.plan, sql.format(table=self.source))
