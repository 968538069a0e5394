"""Dependencies as named types: what a route needs, taken from the application's state."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from catalog.query import QueryEngine
from catalog.settings import Settings
from catalog.store import Store


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def get_engine(request: Request) -> QueryEngine:
    engine: QueryEngine = request.app.state.engine
    return engine


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[Store, Depends(get_store)]
EngineDep = Annotated[QueryEngine, Depends(get_engine)]
