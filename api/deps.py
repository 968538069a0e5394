"""Dependencies as named types: what a route needs, taken from the application's state.

They are `async` though they never wait: FastAPI runs a plain `def` dependency on a worker
thread, a hop per dependency per request for what is an attribute lookup.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from catalog.query import QueryEngine
from catalog.search import CatalogueIndex
from catalog.series import SeriesCatalogue
from catalog.settings import Settings
from catalog.state import RequestStore, ReviewSessions
from catalog.store import Store


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


async def get_engine(request: Request) -> QueryEngine:
    engine: QueryEngine = request.app.state.engine
    return engine


async def get_index(request: Request) -> CatalogueIndex:
    index: CatalogueIndex = request.app.state.index
    return index


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[Store, Depends(get_store)]
EngineDep = Annotated[QueryEngine, Depends(get_engine)]
IndexDep = Annotated[CatalogueIndex, Depends(get_index)]


async def get_series(request: Request) -> SeriesCatalogue:
    series: SeriesCatalogue = request.app.state.series
    return series


SeriesDep = Annotated[SeriesCatalogue, Depends(get_series)]


async def get_requests(request: Request) -> RequestStore:
    found: RequestStore = request.app.state.requests
    return found


async def get_sessions(request: Request) -> ReviewSessions:
    found: ReviewSessions = request.app.state.review_sessions
    return found


RequestsDep = Annotated[RequestStore, Depends(get_requests)]
SessionsDep = Annotated[ReviewSessions, Depends(get_sessions)]
