"""docs/analytics.md as the tests run it: its fenced blocks, and a folder to run them in.

Every block runs with `store/` naming the test store (the doc's paths are relative, as an
analyst beside a store or a copy of one writes them) and the doc's server address replaced
by a real server's. `sh` blocks run in bash with this venv's `python3` first on PATH, `sql`
blocks in DuckDB, `python` blocks in this process (so the pyspark block reuses the one Spark
session of test_spark.py).
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from pathlib import Path

import duckdb
from markdown_it import MarkdownIt

from tests.conftest import REPO

DOC = REPO / "docs" / "analytics.md"
DOC_SERVER = "http://127.0.0.1:8000"


def blocks(language: str) -> list[str]:
    """The fenced blocks of the doc marked `language`, in order."""
    tokens = MarkdownIt().parse(DOC.read_text(encoding="utf-8"))
    return [t.content for t in tokens if t.type == "fence" and t.info.strip() == language]


def languages() -> set[str]:
    tokens = MarkdownIt().parse(DOC.read_text(encoding="utf-8"))
    return {t.info.strip() for t in tokens if t.type == "fence"}


def spark_block(block: str) -> bool:
    return "pyspark" in block


def workspace(folder: Path, store: Path) -> Path:
    """`folder` with `store` linked as `store/`, as the doc's commands expect."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "store").symlink_to(store, target_is_directory=True)
    return folder


def run_sh(block: str, cwd: Path, server: str) -> str:
    """Run a shell block as a user would; its standard output (fails on any error)."""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    script = "set -euo pipefail\n" + block.replace(DOC_SERVER, server)
    done = subprocess.run(
        ["bash", "-c", script], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def run_sql(block: str, cwd: Path) -> list[tuple[object, ...]]:
    """Run a SQL block in a fresh DuckDB connection from `cwd`; the last statement's rows."""
    with contextlib.chdir(cwd):
        con = duckdb.connect()
        try:
            relation = con.sql(block)
            assert relation is not None
            return relation.fetchall()
        finally:
            con.close()


def run_python(block: str, cwd: Path) -> str:
    """Run a Python block in this process from `cwd`; what it printed."""
    printed = io.StringIO()
    with contextlib.chdir(cwd), contextlib.redirect_stdout(printed):
        exec(compile(block, str(DOC), "exec"), {"__name__": "__analytics_doc__"})
    return printed.getvalue()
