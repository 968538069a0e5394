"""Fixtures of the SDMX tests: a store of the real `datasets/`, an in-process app on it for
XML-level tests, and a real uvicorn on 127.0.0.1 for the `sdmx1` client."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from api import create_app
from catalog.settings import Settings
from tests.servers import serving


@pytest.fixture(scope="session")
def sdmx_app(real_store: Path) -> FastAPI:
    return create_app(Settings(store=real_store, datasets=real_store / "none"))


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def web(sdmx_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=sdmx_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


@pytest.fixture(scope="session")
def sdmx_server(real_store: Path) -> Iterator[str]:
    with serving(real_store) as running:
        yield running.url
