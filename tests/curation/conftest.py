"""The real transcribed sources, from the copy kept in `curation/sources/`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from curation import DEFAULT_SOURCES_DIR
from curation.sources import Source, load_sources, read_rows


@pytest.fixture(scope="session")
def sources_dir() -> Path:
    return DEFAULT_SOURCES_DIR


@pytest.fixture(scope="session")
def sources(sources_dir: Path) -> dict[str, Source]:
    return load_sources(sources_dir)


@pytest.fixture(scope="session")
def row_of(sources_dir: Path) -> Callable[[str, int], dict[str, str]]:
    """A row of a source file by its line number in the file (the header is line 1)."""

    def row(file: str, line: int) -> dict[str, str]:
        return read_rows(sources_dir / file)[line - 2]

    return row
