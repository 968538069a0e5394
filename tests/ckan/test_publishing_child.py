"""The child process a CKAN write publishes in (`catalog.ckan.publishing`): it holds the
dataset's lock through the open file its parent passed down, never through another, and a
publish past its time limit is stopped with nothing served."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from catalog.ckan import ChildPublisher
from catalog.errors import OpenDataError
from catalog.settings import Settings
from catalog.store import FolderStore, held_locks, load_dataset
from tests.conftest import write_regions, write_wages

ROOT = Path(__file__).parents[2]
ADOPT = """
import sys
from catalog.store import adopt_lock
adopt_lock(sys.argv[1], int(sys.argv[2]))
print("held")
"""


def _adopt(lock: str, descriptor: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", ADOPT, lock, str(descriptor)],
        pass_fds=(descriptor,),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )


def test_a_child_holds_the_lock_through_its_parents_open_file_and_no_other(
    tmp_path: Path,
) -> None:
    store = FolderStore(tmp_path / "store")
    with store.locked("wages-test"):
        ((lock, descriptor),) = held_locks().items()
        assert _adopt(lock, descriptor).stdout.strip() == "held"
        other = os.open(lock, os.O_RDONLY)  # the same file, another open file: not held
        try:
            refused = _adopt(lock, other)
        finally:
            os.close(other)
    assert refused.returncode != 0
    assert "BlockingIOError" in refused.stderr
    assert held_locks() == {}


def test_a_publish_past_its_time_limit_is_stopped_and_serves_nothing(tmp_path: Path) -> None:
    write_regions(tmp_path / "datasets")
    write_wages(tmp_path / "datasets")
    settings = Settings(store=str(tmp_path / "store"), datasets=tmp_path / "datasets")
    source = load_dataset(tmp_path / "datasets" / "wages-test")
    store = FolderStore(tmp_path / "store")
    publish = ChildPublisher(settings, seconds=0.05)  # less than an interpreter's start
    with store.locked("wages-test"), pytest.raises(OpenDataError, match="ran past"):
        publish(source, tmp_path / "work", replace_folder=False, base=None)
    assert store.current("wages-test") is None
