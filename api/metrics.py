"""Prometheus metrics: requests by route and status, their latency, and what is served.

Each app gets its own registry, so several apps in one process (tests, benchmarks) do not
share counters.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

from catalog.store import Store


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
        self.datasets = Gauge(
            "opendata_datasets_served", "Datasets with a current version.", registry=self.registry
        )


def route_template(request: Request) -> str:
    # The template, not the path: one series per endpoint, however many slugs exist.
    # Routing records the matched route in the scope the middleware shares.
    route = request.scope.get("route")
    return str(getattr(route, "path", "unmatched"))


def install_metrics(app: FastAPI, store: Store) -> None:
    metrics = Metrics()

    @app.middleware("http")
    async def measure(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        route = route_template(request)
        metrics.latency.labels(route).observe(time.perf_counter() - started)
        metrics.requests.labels(request.method, route, str(response.status_code)).inc()
        return response

    @app.get("/metrics", include_in_schema=False)
    def export() -> Response:
        metrics.datasets.set(len(store.slugs()))
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)
