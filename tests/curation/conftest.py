"""The real transcribed sources, found the way a checkout beside `shared/` finds them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from curation.sources import Source, load_sources, read_rows
from tests.conftest import REPO


def find_sources() -> Path | None:
    """`shared/sources` beside the repository or beside one of its parents (a worktree)."""
    for parent in REPO.parents:
        candidate = parent / "shared" / "sources"
        if (candidate / "sources.csv").is_file():
            return candidate
    return None


@pytest.fixture(scope="session")
def sources_dir() -> Path:
    found = find_sources()
    if found is None:
        pytest.skip("the transcribed sources (../shared/sources) are not beside this checkout")
    return found


@pytest.fixture(scope="session")
def sources(sources_dir: Path) -> dict[str, Source]:
    return load_sources(sources_dir)


@pytest.fixture(scope="session")
def row_of(sources_dir: Path) -> Callable[[str, int], dict[str, str]]:
    """A row of a source file by its line number in the file (the header is line 1)."""

    def row(file: str, line: int) -> dict[str, str]:
        return read_rows(sources_dir / file)[line - 2]

    return row
