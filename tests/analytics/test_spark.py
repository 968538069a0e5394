"""Spark (pyspark in local mode, on Debian's Java) reads every published resource unchanged:
the descriptor's rows, the Table Schema's types, and the sums DuckDB gives (test_engines.py
holds DuckDB to polars and to /api/v1). Also runs the pyspark block of docs/analytics.md.

One Spark session for the module, the only one that starts Spark: the JVM takes seconds to
start, and the first query more (code generation warms up). Measured on the 2-core machine
under a load of 10 (six test runs at once): the module 71 s, of which the session's start
and the store's build 26 s, 23 distinct files read 41 s (about 1 s each once warm), the doc's
block 4 s. CI runs it on one worker beside the rest of the suite.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import duckdb
import pytest

from tests.analytics.doc import blocks, run_python, spark_block, workspace
from tests.analytics.engines import duckdb_reading, problems, same_sum, spark_reading
from tests.analytics.published import Resource
from tests.analytics.test_s3_doc import SLUG, run_s3_block

pytestmark = pytest.mark.slow  # Spark's JVM and the real_store build


def _missing(reason: str) -> NoReturn:
    # Like the browser tests: skipped on a machine without Java or pyspark, a failure in CI.
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} in CI: scripts/test installs Java, the lock holds pyspark")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        _missing("no Java runtime (Debian: default-jre-headless)")
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        _missing("pyspark is not installed (pyproject's `analytics` extra)")
    scratch = tmp_path_factory.mktemp("spark")
    with pytest.MonkeyPatch.context() as patch:
        # Bind the driver to loopback, whatever the host name resolves to.
        patch.setenv("SPARK_LOCAL_IP", "127.0.0.1")
        session = (
            SparkSession.builder.master("local[1]")
            .appName("hrss-opendata-tests")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", "1")
            .config("spark.local.dir", str(scratch))
            .config("spark.sql.warehouse.dir", str(scratch / "warehouse"))
            .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={scratch}")
            .getOrCreate()
        )
        session.sparkContext.setLogLevel("ERROR")
        try:
            yield session
        finally:
            session.stop()


def test_spark_reads_every_resource_as_published(spark: Any, resources: list[Resource]) -> None:
    con = duckdb.connect()
    found: list[str] = []
    for resource in distinct(resources):
        reading = spark_reading(spark, resource)
        found += problems("spark", resource, reading)
        duck = duckdb_reading(con, resource).sums
        found += [
            f"{resource} {column}: spark {total}, duckdb {duck[column]}"
            for column, total in reading.sums.items()
            if not same_sum(total, duck[column])
        ]
    assert found == []


def distinct(resources: list[Resource]) -> list[Resource]:
    """One resource of each set publishing the same file with the same descriptor (the
    regions, sources and indicators tables embedded in many datasets): a second Spark read of
    identical bytes against an identical promise tells nothing new, and each read costs a job."""
    chosen: dict[tuple[str, str, int], Resource] = {}
    for resource in resources:
        key = (
            resource.descriptor["hash"],
            json.dumps(resource.fields, sort_keys=True),
            resource.rows,
        )
        chosen.setdefault(key, resource)
    assert len(chosen) >= 20
    return list(chosen.values())


def test_the_doc_pyspark_block_runs(spark: Any, tmp_path: Path, real_store: Path) -> None:
    (block,) = [b for b in blocks("python") if spark_block(b)]
    printed = run_python(block, workspace(tmp_path / "analyst", real_store))
    assert "persons" in printed


def test_the_doc_s3_spark_block_reads_the_current_version_from_an_s3_store(
    spark: Any,
    real_store: Path,
    s3_endpoint: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Through pyarrow into Spark: pyspark ships no S3 filesystem (hadoop-aws is Maven's).
    language = "python s3-spark"
    printed, rows = run_s3_block(language, real_store, s3_endpoint, tmp_path, monkeypatch)
    version = (real_store / SLUG / "CURRENT").read_text().strip()
    observations = real_store / SLUG / version / "observations.parquet"
    [(indicators,)] = duckdb.sql(
        f"SELECT count(DISTINCT indicator_code) FROM '{observations}'"
    ).fetchall()
    assert printed == [f"{rows} rows and {indicators} indicators read by Spark"]
