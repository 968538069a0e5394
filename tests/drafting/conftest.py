"""The datasets folder an `init` test drafts into: the reference datasets init reads, linked
from the repository, and nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import REPO

REFERENCES = ("region-codes", "indicator-codes", "hrss-sources", "guizhou-hrss-indicators")


@pytest.fixture
def datasets(tmp_path: Path) -> Path:
    folder = tmp_path / "datasets"
    folder.mkdir()
    for name in REFERENCES:
        (folder / name).symlink_to(REPO / "datasets" / name)
    return folder
