"""A file in `data/` that no resource names is an error, not a silently ignored update."""

from __future__ import annotations

from pathlib import Path

from catalog.store import FolderStore, Publisher
from tests.conftest import WAGE_CSV, write_wages


def validate(datasets_dir: Path, store_dir: Path) -> list[str]:
    publisher = Publisher(FolderStore(store_dir), datasets_dir)
    report = publisher.validate(publisher.sources()["wages-test"]).report
    return [error.message for error in report.errors]


def test_a_replacement_beside_the_named_file_is_an_error(
    datasets_dir: Path, store_dir: Path
) -> None:
    folder = write_wages(datasets_dir)
    (folder / "data" / "wages（更新）.csv").write_text(WAGE_CSV, "utf-8")
    assert validate(datasets_dir, store_dir) == [
        "datapackage: data/wages（更新）.csv: no resource names this file;"
        " point a resource's path at it (and remove the file it replaces), or remove it"
    ]


def test_hidden_files_and_the_named_files_are_not_strays(
    datasets_dir: Path, store_dir: Path
) -> None:
    folder = write_wages(datasets_dir)
    (folder / "data" / ".DS_Store").write_bytes(b"\0")
    (folder / "data" / ".backup").mkdir()
    (folder / "data" / ".backup" / "old.csv").write_text(WAGE_CSV, "utf-8")
    assert validate(datasets_dir, store_dir) == []
