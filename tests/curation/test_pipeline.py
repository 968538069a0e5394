"""The whole curation: it reproduces the committed datasets byte for byte.

This keeps every committed data file traceable to the code and the sources: a change to the
rules or the reference tables that changes a published figure fails here until the data is
regenerated (`python -m curation`) and committed with it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import curation
from curation import DEFAULT_SOURCES_DIR, curate
from curation.__main__ import main as command
from tests.conftest import REPO

COMMITTED = REPO / "datasets"


def data_files(root: Path) -> set[str]:
    """Data files curation writes: not the printed tables stewards publish as they arrived
    (their descriptor declares a `layout`)."""
    printed = {
        p.parent.name for p in root.glob("*/datapackage.yaml") if "layout:" in p.read_text("utf-8")
    }
    return {
        str(p.relative_to(root))
        for p in root.glob("*/data/*")
        if p.is_file() and p.parent.parent.name not in printed
    }


def test_curation_reproduces_the_committed_data_files(
    sources_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    curate(sources_dir, tmp_path)
    written = data_files(tmp_path)
    assert written == data_files(COMMITTED)
    assert len(written) == 20  # indicator-codes/synonyms.csv since issue 13
    differing = [
        f for f in sorted(written) if (tmp_path / f).read_bytes() != (COMMITTED / f).read_bytes()
    ]
    assert differing == []
    assert not list(tmp_path.glob("*/datapackage.yaml"))  # descriptors are edited by hand
    assert (
        "national_hrss_bulletin.csv: 369 rows = 300 preferred + 61 duplicates + 8 alternatives"
        in (capsys.readouterr().out)
    )


def test_the_sources_default_to_the_copy_in_the_package() -> None:
    assert REPO / "curation" / "sources" == DEFAULT_SOURCES_DIR
    assert (DEFAULT_SOURCES_DIR / "sources.csv").is_file()
    assert curation.DATASETS_DIR == COMMITTED


def test_the_command_names_the_missing_sources_file_and_writes_nothing(tmp_path: Path) -> None:
    before = {f: (COMMITTED / f).stat().st_mtime_ns for f in data_files(COMMITTED)}
    result = subprocess.run(
        [sys.executable, "-m", "curation", str(tmp_path / "nowhere")],
        cwd=REPO, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr == (
        "python -m curation: [Errno 2] No such file or directory:"
        f" '{tmp_path}/nowhere/sources.csv'\n"
    )
    assert {f: (COMMITTED / f).stat().st_mtime_ns for f in data_files(COMMITTED)} == before


def test_the_command_explains_itself(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        command(["--help"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.startswith("usage: python -m curation [-h] [SOURCES_DIR]")
    assert not (REPO / "--help").exists()


def test_the_public_surface() -> None:
    assert sorted(curation.__all__) == ["DATASETS_DIR", "DEFAULT_SOURCES_DIR", "curate"]
    for name in curation.__all__:
        assert getattr(curation, name) is not None
