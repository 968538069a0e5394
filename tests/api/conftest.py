"""Fixtures of the rows, aggregate and SQL tests: a store written with pyarrow, an app on it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from api import create_app
from catalog.settings import Settings
from tests.querydata import build_store
from tests.servers import store_location

AppFactory = Callable[..., FastAPI]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def query_store(tmp_path: Path) -> Path:
    return build_store(tmp_path / "query-store")


@pytest.fixture
def make_app(query_store: Path) -> AppFactory:
    def make(**overrides: Any) -> FastAPI:
        return create_app(
            Settings(store=store_location(query_store), datasets=query_store / "none", **overrides)
        )

    return make


@pytest.fixture
async def api(make_app: AppFactory) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=make_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http
