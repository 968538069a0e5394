"""The FastAPI application: one factory, settings passed in, never read at import time."""

from __future__ import annotations

from fastapi import FastAPI

from api.errors import install_error_handlers
from api.routes import ckan, datasets, dcat, health, rows, sql
from catalog.ckan_actions import CkanActions
from catalog.index import CatalogueIndex
from catalog.query import QueryEngine
from catalog.settings import Settings
from catalog.store import Store


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    app = FastAPI(
        title="HRSS Open Data",
        version="0.1.0",
        description="Open data of human resources and social security statistics.",
    )
    app.state.settings = settings
    app.state.store = Store(settings.store)
    app.state.index = CatalogueIndex(app.state.store)
    app.state.engine = QueryEngine(app.state.store, settings)
    app.state.ckan = CkanActions(
        app.state.index, base_url=settings.base_url, site_title=settings.catalog_title
    )
    install_error_handlers(app)
    app.include_router(health.router)
    # Before the HTML pages: `/dataset/{slug}.ttl` must not reach the page route `/dataset/{slug}`.
    app.include_router(dcat.router)
    app.include_router(datasets.router)
    app.include_router(rows.router)
    app.include_router(sql.router)
    app.include_router(ckan.router)
    return app
