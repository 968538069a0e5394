"""A store of the repository's real datasets and a real server on it, once per session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import publish_real_datasets
from tests.servers import serving


@pytest.fixture(scope="session")
def series_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return publish_real_datasets(tmp_path_factory.mktemp("series") / "store")


@pytest.fixture(scope="session")
def series_server(series_store: Path) -> Iterator[str]:
    with serving(series_store) as running:
        yield running.url
