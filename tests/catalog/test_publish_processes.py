"""Two `opendata build` processes over one store, started together: never both `published`
with one version lost; every version that became current is in HISTORY and the feed."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from catalog.store import FolderStore
from catalog.store.changes import dataset_changes
from tests.conftest import WAGE_CSV, write_regions, write_wages
from tests.servers import OPENDATA

pytestmark = pytest.mark.slow

ROUNDS = 4


def start_build(datasets: Path, store: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [OPENDATA, "--datasets", str(datasets), "--store", str(store), "build", "wages-test"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen[str]) -> tuple[int, str]:
    out, err = process.communicate(timeout=300)
    lines = [line for line in (out + err).splitlines() if line.startswith("wages-test:")]
    return process.returncode, "\n".join(lines)


def csv_of_round(number: int) -> str:
    return WAGE_CSV.replace("1000", str(2000 + number))


def test_two_builds_of_the_same_change_publish_it_once(tmp_path: Path) -> None:
    datasets, store = tmp_path / "datasets", tmp_path / "store"
    write_regions(datasets)
    write_wages(datasets)
    for number in range(ROUNDS):
        write_wages(datasets, csv_of_round(number))
        both = [start_build(datasets, store), start_build(datasets, store)]
        outcomes = [finish(process) for process in both]
        assert [code for code, _ in outcomes] == [0, 0], outcomes
        said = [text for _, text in outcomes]
        published = [text for text in said if "wages-test: published" in text]
        assert len(published) == 1, said
        other = next(text for text in said if text not in published)
        version = FolderStore(store).current("wages-test")
        assert (
            f"wages-test: already published {version} by another build" in other
            or f"wages-test: unchanged {version}" in other
        ), said
        assert f"published {version}" in published[0]
    served = [s.version for s in FolderStore(store).history("wages-test")]
    assert len(served) == ROUNDS == len(set(served))
    assert sorted(served) == sorted(v.version for v in FolderStore(store).versions("wages-test"))


def test_two_builds_of_different_changes_lose_neither(tmp_path: Path) -> None:
    store = tmp_path / "store"
    folders = [tmp_path / "one", tmp_path / "two"]
    for folder in folders:
        write_regions(folder)
        write_wages(folder)
    first = subprocess.run(
        [OPENDATA, "--datasets", str(folders[0]), "--store", str(store), "build"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "wages-test: published" in first.stdout
    claimed: list[str] = []
    for number in range(ROUNDS):
        write_wages(folders[0], csv_of_round(2 * number))
        write_wages(folders[1], csv_of_round(2 * number + 1))
        both = [start_build(folder, store) for folder in folders]
        outcomes = [finish(process) for process in both]
        for code, text in outcomes:
            if code == 0:
                assert "wages-test: published" in text, outcomes
                claimed.append(text.split()[2])
            else:  # the later one read a version that is no longer current: it says so
                assert "NOT published: dataset wages-test changed since you read" in text
        assert any(code == 0 for code, _ in outcomes), outcomes
    history = [s.version for s in FolderStore(store).history("wages-test")]
    # Every version a build said it published became current, in the feed too.
    assert all(version in history for version in claimed)
    fed = [c.version for c in dataset_changes(FolderStore(store), "wages-test")]
    assert fed == history
