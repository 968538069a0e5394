"""Every command of docs/analytics.md runs against a store built from the shipped datasets,
and its table of types is the mapping the engine tests check (test_engines.py), so the page
cannot drift from what the engines do. Its pyspark block runs in test_spark.py."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.analytics.doc import (
    DOC,
    blocks,
    languages,
    run_python,
    run_sh,
    run_sql,
    spark_block,
    workspace,
)
from tests.analytics.published import DECIMAL, TYPES, Resource, published

pytestmark = pytest.mark.slow  # the real_store build and a real server

SH, SQL = blocks("sh"), blocks("sql")
PYTHON = [b for b in blocks("python") if not spark_block(b)]


@pytest.fixture(scope="module")
def here(tmp_path_factory: pytest.TempPathFactory, real_store: Path) -> Path:
    return workspace(tmp_path_factory.mktemp("analyst"), real_store)


def test_the_doc_has_only_blocks_the_tests_run() -> None:
    # A block of another language (or none: the layout sketch) would be read by no test.
    assert languages() == {"sh", "sql", "python", "python s3", "python s3-spark", ""}
    assert len(SH) >= 3 and len(SQL) >= 3 and len(PYTHON) >= 2
    assert len([b for b in blocks("python") if spark_block(b)]) == 1


@pytest.mark.parametrize("block", SH, ids=range(len(SH)))
def test_shell_block_runs(block: str, here: Path, real_server: str) -> None:
    assert run_sh(block, here, real_server).strip()


@pytest.mark.parametrize("block", SQL, ids=range(len(SQL)))
def test_sql_block_runs(block: str, here: Path) -> None:
    assert run_sql(block, here) != []


@pytest.mark.parametrize("block", PYTHON, ids=range(len(PYTHON)))
def test_python_block_runs(block: str, here: Path) -> None:
    assert run_python(block, here).strip()


def test_the_paths_query_names_every_resource_of_the_current_version(
    here: Path, real_store: Path
) -> None:
    """The doc's "which files" query answers what the descriptor publishes, path for path."""
    rows = run_sql(SQL[0], here)
    current = [r for r in published(real_store) if r.slug == "national-hrss-bulletin"]
    assert rows == [
        (r.name, _relative(r, real_store), r.rows, r.descriptor["hash"]) for r in current
    ]


def test_the_type_table_is_the_tested_mapping() -> None:
    table = _type_table()
    plain = {f"`{kind}`": [f"`{t}`" for t in engines] for kind, engines in TYPES.items()}
    decimals = {
        "`number` with `decimals: d`": [f"`{f.format(p=18, s='d')}`" for f in DECIMAL],
        "`number` with `decimalsField`": [f"`{f.format(p=38, s='S')}`" for f in DECIMAL],
    }
    assert table == {**plain, **decimals}


def _type_table() -> dict[str, list[str]]:
    text = DOC.read_text(encoding="utf-8")
    start = text.index("| Table Schema | Arrow | DuckDB | polars | Spark |")
    lines = text[start:].split("\n\n", 1)[0].splitlines()[2:]
    cells = [[c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]] for line in lines]
    return {row[0]: row[1:] for row in cells}


def _relative(resource: Resource, store: Path) -> str:
    return f"store/{resource.path.relative_to(store)}"
