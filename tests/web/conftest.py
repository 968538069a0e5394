"""Fixtures of the web catalogue tests: a store of the real datasets, an app and a server on it.

The store is built once per session from `datasets/` with the real Publisher. In-process
tests talk to the app through httpx's ASGITransport; browser tests drive Debian's headless
Chromium through Playwright against a real uvicorn on 127.0.0.1.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from catalog.store import ManualClock, Publisher, Store
from tests.conftest import REPO, write_regions, write_wages
from tests.servers import open_test_store

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = REPO / "screenshots"


def publish_all(store: Store, datasets: Path) -> None:
    publisher = Publisher(store, datasets)
    for source in publisher.plan(list(publisher.sources().values())):
        publisher.build(source)


@pytest.fixture(scope="session")
def history_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Synthetic (labelled synthetic): `wages-test` published twice, the second with a row more."""
    folder = tmp_path_factory.mktemp("history")
    datasets, root = folder / "datasets", folder / "store"
    write_regions(datasets)
    write_wages(datasets)
    clock = ManualClock(datetime.now(UTC))  # the second version is published a second later
    publish_all(open_test_store(root, clock=clock), datasets)
    clock.advance(timedelta(seconds=1))
    csv = (datasets / "wages-test" / "data" / "wages.csv").read_text(encoding="utf-8")
    write_wages(datasets, csv + "520000,2022,1100,91000.00,2023-06-01\n")
    publish_all(open_test_store(root, clock=clock), datasets)
    return root


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def app(real_app: FastAPI) -> FastAPI:
    return real_app


@pytest.fixture
async def web(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


@pytest.fixture(scope="session")
def server(real_server: str) -> str:
    return real_server


def browser_missing() -> str | None:
    """Why the browser tests cannot run here, or None. In CI a missing browser is a failure."""
    if CHROMIUM.exists():
        return None
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{CHROMIUM} is missing in CI; scripts/test installs chromium")
    return f"{CHROMIUM} is not installed (apt-get install chromium fonts-noto-cjk)"
