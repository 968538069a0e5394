"""The FastAPI application: one factory, settings passed in, never read at import time."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import AsyncIterator

import anyio.to_thread
from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES
from starlette.types import ASGIApp

from api.accesslog import AccessLog
from api.caching import CachingMiddleware, HttpCache
from api.errors import install_error_handlers
from api.metered import MeteredEngine
from api.metrics import Metrics, install_metrics
from api.openapi import install_openapi
from api.perimeter import (
    Admission,
    ContentCoding,
    ReadGrants,
    RequestLimits,
    SecurityHeaders,
    SharedRates,
)
from api.routes import (
    changes,
    ckan,
    datasets,
    dcat,
    docs,
    downloads,
    health,
    pages,
    register,
    requests,
    rows,
    schemas,
    sdmx,
    series,
    sql,
)
from api.usage import install_usage
from catalog.ckan import CkanActions
from catalog.errors import DataRefused
from catalog.metadata import CataloguePages
from catalog.query import FORMATS, Generation
from catalog.search import CatalogueIndex
from catalog.series import SeriesCatalogue
from catalog.settings import Settings
from catalog.state import RateWindows
from catalog.store import open_store

# Threads kept free of admitted work, for pages, metadata and the DataStore's other actions.
SPARE_THREADS = 24


class OpenDataApp(FastAPI):
    """FastAPI with the perimeter outside Starlette's own error middleware: the security
    headers reach every answer, a 500 included, and request limits act before anything;
    the JSON access log (`api.accesslog`), when asked for, outside them all."""

    def build_middleware_stack(self) -> ASGIApp:
        settings: Settings = self.state.settings
        limited = RequestLimits(super().build_middleware_stack(), settings)
        stack = SecurityHeaders(limited, base_url=settings.base_url)
        # Outside all: a request the perimeter refused is logged too.
        return AccessLog(stack, settings) if settings.log_format == "json" else stack


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Admitted requests hold at most one thread each; keep SPARE_THREADS beyond them.
        admitted = (
            settings.max_running_queries
            + settings.max_running_exports
            + settings.max_running_searches
        )
        limiter = anyio.to_thread.current_default_thread_limiter()
        limiter.total_tokens = max(limiter.total_tokens, admitted + SPARE_THREADS)
        app.state.readiness.warm()  # /readyz says `index` until the catalogue is loaded
        yield
        # Let running counts finish, then release DuckDB's memory and threads.
        app.state.engine.close()
        app.state.series.close()
        app.state.shared_rates.close()  # its last sync, before the database closes
        app.state.private.close()  # the state database's pooled connections

    app = OpenDataApp(
        lifespan=lifespan,
        title="HRSS Open Data",
        version="0.1.0",
        description="Open data of human resources and social security statistics.",
        docs_url=None,  # served by `api.routes.docs` from local files, not from a CDN
        redoc_url=None,
    )
    app.state.settings = settings
    # An object store's pointers read at most every refresh, as the generation is.
    s3 = dataclasses.replace(settings.s3_options, refresh_seconds=settings.refresh_seconds)
    app.state.store = open_store(settings.store, s3=s3)
    # The one reader of the store's generation: what every replica polls (docs/replicas.md).
    app.state.generation = Generation(app.state.store, settings.refresh_seconds)
    app.state.metrics = Metrics()
    # Metered: each query's time by kind and the rows read per request (`api.metered`).
    app.state.engine = MeteredEngine(
        app.state.store, settings, app.state.metrics.observe_query, app.state.generation
    )
    # On the engine's database: one DuckDB instance for the server, not one each.
    app.state.index = CatalogueIndex(
        app.state.store, generation=app.state.generation, database=app.state.engine.database()
    )
    app.state.series = SeriesCatalogue(app.state.index)
    app.state.ckan = CkanActions(
        app.state.index, base_url=settings.base_url, site_title=settings.catalog_title
    )
    # Serialised DCAT catalogue pages, shared by `/catalog.*` and ckanext-dcat's actions.
    app.state.catalogue_pages = CataloguePages()
    ckan.install(app, settings)  # the DataStore and the token-guarded write actions
    requests.install_requests(app, settings)  # data requests, over the state database ckan opened
    app.state.http_cache = HttpCache(
        app.state.store, context=settings.base_url, generation=app.state.generation
    )
    install_error_handlers(app)
    # A conditional dataset's data refused: an HTML page for a browser, else the problem.
    app.add_exception_handler(DataRefused, pages.data_refused)
    install_middleware(app, settings)
    # Outside admission and caching, so that 429, 503 and 304 answers are counted too.
    install_metrics(app, app.state.store, app.state.metrics, app.state.generation)
    install_usage(app, settings)  # downloads and API calls per dataset and day, for the report
    install_openapi(app)
    app.include_router(docs.router)
    app.include_router(health.router)
    app.state.readiness = health.Readiness(app)
    # First of the rest: its paths end in literal `/rows` and `/aggregate`, which no other
    # route takes, and the router tries routes in order on every request.
    app.include_router(rows.router)
    # Next, CKAN's actions (`/api/3/action/{name}`, `/api/action/{name}`): no other route's.
    app.include_router(ckan.action_router)
    # Before the HTML pages: `/dataset/{slug}.ttl` must not reach the page route `/dataset/{slug}`.
    app.include_router(dcat.router)
    app.state.register_bodies = register.RegisterBodies()
    app.include_router(register.router)
    app.include_router(changes.router)
    app.include_router(schemas.router)
    app.include_router(requests.router)  # data requests: /dataset/{slug}/apply before the pages
    # The HTML pages; before CKAN so that a browser asking for `/api` gets the API page.
    app.include_router(pages.router)
    # Before the catalogue: `/api/v1/datasets/{slug}.zip` must not reach `/datasets/{slug}`.
    app.include_router(downloads.router)
    app.include_router(datasets.router)
    app.include_router(series.router)
    app.include_router(sql.router)
    sdmx.install(app)  # SDMX-REST under /sdmx: the indicator datasets for statistical tools
    app.include_router(ckan.router)
    return app


def install_middleware(app: FastAPI, settings: Settings) -> None:
    """Outermost last: CORS (its headers reach refusals too), then the read grants (an
    answer about a conditional dataset leaves private), then caching (sees the gzip
    encoding; a 304 needs no admission), then admission and rate limits, then gzip.

    Outside all of them, and of Starlette's error middleware, `OpenDataApp` puts the request
    limits and the security headers.
    """
    compressed = tuple(f.media_type for f in FORMATS.values() if f.compressed)
    app.add_middleware(
        ContentCoding,  # gzip, by the RFC's reading of Accept-Encoding
        minimum_size=1000,
        compresslevel=1,  # a 10M-row CSV streams at ~3x the speed of level 6
        exclude_content_types=(*DEFAULT_EXCLUDED_CONTENT_TYPES, *compressed),
    )
    # Rate buckets in step with the other replicas' through the state database.
    app.state.shared_rates = SharedRates(RateWindows(app.state.private.database))
    app.add_middleware(Admission, settings=settings, shared=app.state.shared_rates)
    app.add_middleware(CachingMiddleware, cache=app.state.http_cache)
    # Outside caching: whatever the caching made of it (`api.perimeter.grants`).
    app.add_middleware(
        ReadGrants,
        tokens=app.state.tokens,
        audit=app.state.audit,
        token_header=settings.api_token_header,
        trust_forwarded=settings.trust_forwarded_headers,
    )
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "HEAD"],
        allow_headers=["Authorization", "If-None-Match", "If-Modified-Since", "If-Range", "Range"],
        expose_headers=[
            "ETag",
            "Last-Modified",
            "Link",
            "Content-Disposition",
            "Content-Range",
            "Accept-Ranges",
            "Content-Length",
        ],
        max_age=86400,
    )
