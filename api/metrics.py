"""Prometheus metrics: requests by route and status, their latency, and what is served.

Each app gets its own registry, so several apps in one process (tests, benchmarks) do not
share counters.
"""

from __future__ import annotations

import time

from fastapi import FastAPI, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from catalog.store import Store

# The methods counted by name; any other token a client sends as a method counts as "other",
# so that no client can make a series per token.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


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


class MetricsMiddleware:
    """Pure ASGI (no BaseHTTPMiddleware): counts and times every HTTP request cheaply."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def observe(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                # Routing has recorded the matched route in the scope by now; the template,
                # not the path, keeps one series per endpoint however many slugs exist.
                route = str(getattr(scope.get("route"), "path", "unmatched"))
                self.metrics.latency.labels(route).observe(time.perf_counter() - started)
                method = scope["method"] if scope["method"] in METHODS else "other"
                self.metrics.requests.labels(method, route, str(status)).inc()
            await send(message)

        await self.app(scope, receive, observe)


def install_metrics(app: FastAPI, store: Store) -> None:
    metrics = Metrics()
    app.add_middleware(MetricsMiddleware, metrics=metrics)

    @app.get("/metrics", include_in_schema=False)
    def export() -> Response:
        metrics.datasets.set(len(store.slugs()))
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)
