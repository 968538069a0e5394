"""The FastAPI application: one factory, settings passed in, never read at import time."""

from __future__ import annotations

from fastapi import FastAPI

from api.routes import datasets, health
from catalog.index import CatalogueIndex
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
    app.include_router(health.router)
    app.include_router(datasets.router)
    return app
