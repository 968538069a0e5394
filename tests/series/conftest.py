"""A real server on the store of the repository's real datasets, once per session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers import serving


@pytest.fixture(scope="session")
def series_server(real_store: Path) -> Iterator[str]:
    with serving(real_store) as running:
        yield running.url
