"""`opendata init` refuses what it cannot draft from or write to with one clear line and
exit 1, and never leaves a half-written dataset (attack review of issue 12, findings 8,
19-21): a dangling link at datasets/SLUG, a folder or a pipe given as FILE, a slug no
folder can take, a write that fails midway, control characters in what it prints."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from catalog.store import resolve
from cli import app
from drafting import DraftError, draft_dataset, init_dataset
from tests.conftest import REPO
from tests.drafting.conftest import REFERENCES

DATASETS = REPO / "datasets"
LINES = ["表1 2010年各地区生育保险基本情况", "单位：万人、亿元", "地区,享受待遇人数,基金收入",
         "北  京,12.6,12.2", "天  津,5.6,5.6", "河  北,5.2,4.7", "山  西,1.7,2.2"]  # fmt: skip


@pytest.fixture
def table(tmp_path: Path) -> Path:
    """A table as a desktop spreadsheet saves it: GB18030 with CRLF."""
    path = tmp_path / "t.csv"
    path.write_bytes("\r\n".join(LINES).encode("gb18030") + b"\r\n")
    return path


def init(file: Path | str, datasets: Path, *options: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["init", str(file), "--datasets", str(datasets), *options])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    return result.exit_code, result.output


def entries(datasets: Path) -> set[str]:
    return {path.name for path in datasets.iterdir()} - set(REFERENCES)


def test_a_dangling_link_at_the_dataset_folder_is_taken(table: Path, datasets: Path) -> None:
    (datasets / "mat").symlink_to(datasets / "nowhere")
    code, output = init(table, datasets, "--slug", "mat")
    assert code == 1
    assert "error: mat exists in the datasets folder: init never overwrites" in output
    assert (datasets / "mat").is_symlink() and entries(datasets) == {"mat"}


@pytest.mark.parametrize(
    ("make", "words"),
    [(Path.mkdir, "is a folder; give the table's file"),
     (os.mkfifo, "not a regular file (a pipe, socket or device)")],
    ids=["folder", "fifo"],
)  # fmt: skip
def test_a_folder_or_a_pipe_as_file_is_said_to_be_one(
    tmp_path: Path, datasets: Path, make: object, words: str
) -> None:
    given = tmp_path / "given"
    make(given)  # type: ignore[operator]
    code, output = init(given, datasets, "--slug", "x")
    assert code == 1 and words in output and "no such file" not in output
    assert entries(datasets) == set()


def test_a_slug_no_folder_can_take_is_refused(table: Path, datasets: Path) -> None:
    code, output = init(table, datasets, "--slug", "a" * 300)
    assert code == 1 and "a slug is lowercase letters" in output and "Traceback" not in output
    assert entries(datasets) == set()


def test_a_write_that_fails_midway_leaves_nothing(
    table: Path, datasets: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(source: object, target: object) -> None:
        Path(str(target)).write_bytes(b"half")  # a part written, then the disk is full
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(shutil, "copyfile", full)
    with pytest.raises(DraftError, match="mat: cannot write the dataset folder: No space left"):
        init_dataset(table, datasets, "mat")
    assert entries(datasets) == set()  # no `mat`, no hidden staging folder


def test_the_folder_appears_with_its_descriptor(table: Path, datasets: Path) -> None:
    init_dataset(table, datasets, "mat")
    assert entries(datasets) == {"mat"}
    assert sorted(p.name for p in (datasets / "mat").iterdir()) == ["data", "datapackage.yaml"]
    assert oct((datasets / "mat").stat().st_mode & 0o777) == oct(0o755)


def test_control_characters_in_what_init_prints_are_escaped(datasets: Path) -> None:
    code, output = init("/nowhere/\x1b[31mred\x07.csv", datasets, "--slug", "x")
    assert code == 1
    assert "\x1b" not in output and "\x07" not in output
    assert "\\x1b[31mred\\x07.csv: no such file" in output


def test_a_duplicate_key_in_a_dataset_init_reads_is_named(table: Path, datasets: Path) -> None:
    other = datasets / "other"
    other.mkdir()
    (other / "datapackage.yaml").write_text("name: other\nsources: []\nname: again\n", "utf-8")
    code, output = init(table, datasets, "--slug", "mat")
    assert code == 1
    assert (
        "other/datapackage.yaml: line 3: key `name` is given twice in one mapping (first at"
        " line 1)" in output
    )
    assert entries(datasets) == {"other"}


def init_named(table: Path, datasets: Path, name: str) -> tuple[int, str]:
    """`init` of the table saved under `name`, as slug `x`."""
    named = table.parent / name
    named.write_bytes(table.read_bytes())
    return init(named, datasets, "--slug", "x")


def test_a_file_name_the_catalogue_refuses_is_refused_before_anything_is_written(
    table: Path, datasets: Path
) -> None:
    code, output = init_named(table, datasets, "表22-42A:2008.csv")
    assert code == 1 and 'may not hold ":"' in output and "rename the file" in output
    assert entries(datasets) == set()


def test_a_file_named_as_offices_name_them_is_drafted_and_validates(
    table: Path, datasets: Path
) -> None:
    name = "附件1：表22-42A（更新） (1).csv"
    code, output = init_named(table, datasets, name)
    assert code == 0, output
    assert (datasets / "x" / "data" / name).is_file()
    assert resolve("x", datasets).slug == "x"  # loads as build loads it: no path fault


def test_a_year_from_the_file_name_alone_is_for_review(tmp_path: Path) -> None:
    lines = [LINES[0].replace("2010年", ""), *LINES[1:]]
    path = tmp_path / "附件2：表3（2019年）.csv"
    path.write_bytes("\r\n".join(lines).encode("gb18030") + b"\r\n")
    draft = draft_dataset(path, DATASETS, "x")
    assert "layout.period.year 2019 is taken from the file name, not the title: check it" in (
        draft.review
    )
