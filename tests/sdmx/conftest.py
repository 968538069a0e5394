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
from catalog.store import FolderStore, Publisher
from tests.conftest import REPO
from tests.servers import serving


@pytest.fixture(scope="session")
def sdmx_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("sdmx") / "store"
    publisher = Publisher(FolderStore(root), REPO / "datasets")
    for source in publisher.plan(list(publisher.sources().values())):
        publisher.build(source)
    return root


@pytest.fixture(scope="session")
def sdmx_app(sdmx_store: Path) -> FastAPI:
    return create_app(Settings(store=sdmx_store, datasets=sdmx_store / "none"))


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def web(sdmx_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=sdmx_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


@pytest.fixture(scope="session")
def sdmx_server(sdmx_store: Path) -> Iterator[str]:
    with serving(sdmx_store) as running:
        yield running.url
