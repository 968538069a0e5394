"""Prometheus metrics: requests by route and status, their latency, and what is served.

| metric                                  | labels                  | what                        |
| --------------------------------------- | ----------------------- | --------------------------- |
| `opendata_http_requests_total`          | method, route, status   | requests answered           |
| `opendata_http_request_seconds`         | route                   | time to the response start  |
| `opendata_query_seconds`                | kind                    | time of one query (engine)  |
| `opendata_rows_served_total`            | route                   | rows read for answers       |
| `opendata_bytes_served_total`           | route                   | body bytes sent             |
| `opendata_downloads_total`              | dataset, format         | whole downloads answered    |
| `opendata_datasets_served`              |                         | datasets with a version     |

Every label is bounded whatever a client sends: `route` is the matched route's template (or
`unmatched`), `method` one of `METHODS` or `other`, `status` what the app answered, `kind`
one of `QUERY_KINDS`, `dataset` a served slug (else the download is not counted) and
`format` one of the download formats. Each app gets its own registry, so several apps in one
process (tests, benchmarks) do not share counters.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from fastapi import FastAPI, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.metered import Tally, tally
from catalog.errors import StoreError
from catalog.query import FORMATS, Generation
from catalog.store import Store

# The methods counted by name; any other token a client sends as a method counts as "other",
# so that no client can make a series per token.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
QUERY_KINDS = ("rows", "aggregate", "sql", "datastore")
# The download routes, by template, and the format each serves (None: the path's extension).
DOWNLOAD_ROUTES: dict[str, str | None] = {
    "/api/v1/datasets/{slug}/resources/{resource}.{extension}": None,
    "/api/v1/datasets/{slug}.zip": "zip",
}
DOWNLOAD_FORMATS = frozenset({*FORMATS, "zip"})
# Queries take milliseconds to the query time limit (seconds); exports are not timed.
QUERY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

__all__ = ["Metrics", "install_metrics"]


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "opendata_http_requests",
            "HTTP requests answered, by method, route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "opendata_http_request_seconds",
            "Time to answer an HTTP request (until the response starts), by route template.",
            ["route"],
            registry=self.registry,
        )
        self.queries = Histogram(
            "opendata_query_seconds",
            "Time the query engine took for one query, by kind (rows, aggregate, sql, datastore).",
            ["kind"],
            buckets=QUERY_BUCKETS,
            registry=self.registry,
        )
        self.rows = Counter(
            "opendata_rows_served",
            "Rows the query engine read for answers (pages, aggregates, SQL, DataStore, and"
            " downloads encoded as they are read), by route template.",
            ["route"],
            registry=self.registry,
        )
        self.bytes = Counter(
            "opendata_bytes_served",
            "Response body bytes sent (as encoded on the wire), by route template.",
            ["route"],
            registry=self.registry,
        )
        self.downloads = Counter(
            "opendata_downloads",
            "Downloads answered 200 (a GET, whole), by served dataset and format.",
            ["dataset", "format"],
            registry=self.registry,
        )
        self.datasets = Gauge(
            "opendata_datasets_served", "Datasets with a current version.", registry=self.registry
        )
        for kind in QUERY_KINDS:  # present from the start, so a rate over them is defined
            self.queries.labels(kind)

    def observe_query(self, kind: str, seconds: float) -> None:
        self.queries.labels(kind).observe(seconds)


@dataclass
class ServedSlugs:
    """The served slugs, read again only when the store's generation changes.

    The generation is the server's one reader of it (`Generation`, read at most every
    `OPENDATA_REFRESH_SECONDS`), not the store: a download must not cost a read of the
    bucket, and counting it must never fail an answer already under way. A store that cannot
    say keeps the slugs it said last."""

    store: Store
    reader: Generation
    generation: str | None = None
    slugs: frozenset[str] = frozenset()

    def __contains__(self, slug: object) -> bool:
        try:
            generation = self.reader.token()
            if generation != self.generation or not generation:
                self.slugs = frozenset(self.store.slugs())
                self.generation = generation
        except StoreError:
            pass  # counted against what the store said last
        return slug in self.slugs


class MetricsMiddleware:
    """Pure ASGI (no BaseHTTPMiddleware): counts and times every HTTP request cheaply."""

    def __init__(
        self, app: ASGIApp, metrics: Metrics, store: Store, generation: Generation
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.served = ServedSlugs(store, generation)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        counted = Tally()
        token = tally.set(counted)  # the engine adds the rows it reads for this request

        async def observe(message: Message) -> None:
            if message["type"] == "http.response.start":
                self._started(scope, message["status"], started)
                if _is_download(scope, message["status"]):
                    # On a thread: which datasets are served may need a look at the store.
                    await run_in_threadpool(self._download, scope)
            elif message["type"] == "http.response.body":
                counted.bytes += len(message.get("body", b""))
                if not message.get("more_body", False):
                    self._ended(scope, counted)
                    counted.bytes = counted.rows = 0
            await send(message)

        try:
            await self.app(scope, receive, observe)
        finally:
            tally.reset(token)
            if counted.bytes or counted.rows:  # cut off before its end: count what went
                self._ended(scope, counted)

    def _started(self, scope: Scope, status: int, started: float) -> None:
        route = route_of(scope)
        self.metrics.latency.labels(route).observe(time.perf_counter() - started)
        method = scope["method"] if scope["method"] in METHODS else "other"
        self.metrics.requests.labels(method, route, str(status)).inc()

    def _ended(self, scope: Scope, counted: Tally) -> None:
        route = route_of(scope)
        self.metrics.bytes.labels(route).inc(counted.bytes)
        if counted.rows:
            self.metrics.rows.labels(route).inc(counted.rows)

    def _download(self, scope: Scope) -> None:
        params = scope.get("path_params", {})
        fmt = DOWNLOAD_ROUTES[route_of(scope)] or str(params.get("extension", ""))
        slug = params.get("slug")
        if fmt in DOWNLOAD_FORMATS and slug in self.served:
            self.metrics.downloads.labels(slug, fmt).inc()


def _is_download(scope: Scope, status: int) -> bool:
    return status == 200 and scope["method"] == "GET" and route_of(scope) in DOWNLOAD_ROUTES


def route_of(scope: Scope) -> str:
    """The matched route's template, which routing records in the scope; not the path, so
    that there is one series per endpoint however many slugs (or made-up paths) exist."""
    return str(getattr(scope.get("route"), "path", "unmatched"))


def install_metrics(app: FastAPI, store: Store, metrics: Metrics, generation: Generation) -> None:
    """`/metrics` and the middleware counting every request; `generation` is the server's
    one reader of the store's generation (`app.state.generation`)."""
    app.add_middleware(MetricsMiddleware, metrics=metrics, store=store, generation=generation)

    @app.get("/metrics", include_in_schema=False)
    def export() -> Response:
        metrics.datasets.set(len(store.slugs()))
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)
