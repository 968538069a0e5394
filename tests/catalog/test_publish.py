"""Publishing to the store: versions, checksums, typed Parquet, atomic CURRENT."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal
from pathlib import Path

import duckdb
import frictionless
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from catalog.errors import Conflict, ValidationFailed
from catalog.store import FolderStore, Publisher, load_dataset
from tests.conftest import WAGE_CSV, write_wages


def build_all(datasets_dir: Path, store_dir: Path) -> dict[str, tuple[str, bool]]:
    publisher = Publisher(FolderStore(store_dir), datasets_dir)
    results = {}
    for source in publisher.plan(list(publisher.sources().values())):
        result = publisher.build(source)
        results[result.slug] = (result.version, result.created)
    return results


def test_build_publishes_current_version_with_checksums(
    datasets_dir: Path, store_dir: Path
) -> None:
    results = build_all(datasets_dir, store_dir)
    store = FolderStore(store_dir)
    version, created = results["wages-test"]
    assert created
    assert store.current("wages-test") == version
    folder = store.version_path("wages-test")
    published = json.loads((folder / "datapackage.json").read_text())
    assert published["version"] == version
    for resource in published["resources"]:
        data = (folder / resource["path"]).read_bytes()
        assert resource["byte_size"] == len(data)
        assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
    wages = next(r for r in published["resources"] if r["name"] == "wages")
    assert wages["rows"] == 3
    assert wages["source_file"]["path"] == "data/wages.csv"
    assert json.loads((folder / "validation.json").read_text())["valid"] is True


def test_build_writes_parquet_typed_per_schema(datasets_dir: Path, store_dir: Path) -> None:
    build_all(datasets_dir, store_dir)
    path = FolderStore(store_dir).version_path("wages-test") / "wages.parquet"
    schema = pq.read_schema(path)
    assert schema.field("workers").type == pa.int64()
    assert schema.field("avg_wage").type == pa.decimal128(18, 2)
    assert schema.field("published").type == pa.date32()
    assert json.loads(schema.metadata[b"table_schema"])["primaryKey"] == ["region_code", "year"]
    assert pq.ParquetFile(path).metadata.row_group(0).column(0).compression == "ZSTD"
    row = (
        duckdb.connect()
        .execute(
            "SELECT workers, avg_wage, published FROM read_parquet(?) WHERE region_code = '520100'",
            [str(path)],
        )
        .fetchone()
    )
    assert row == (400, Decimal("95000.25"), dt.date(2022, 6, 1))
    frame = pl.read_parquet(path)
    assert frame.schema["workers"] == pl.Int64
    assert frame.schema["published"] == pl.Date


def test_build_unchanged_sources_publish_nothing(datasets_dir: Path, store_dir: Path) -> None:
    first = build_all(datasets_dir, store_dir)
    second = build_all(datasets_dir, store_dir)
    assert {slug: version for slug, (version, _) in first.items()} == {
        slug: version for slug, (version, _) in second.items()
    }
    assert not any(created for _, created in second.values())
    assert len(FolderStore(store_dir).versions("wages-test")) == 1


def test_build_changed_source_adds_version_and_keeps_old(
    datasets_dir: Path, store_dir: Path
) -> None:
    first, _ = build_all(datasets_dir, store_dir)["wages-test"]
    write_wages(datasets_dir, WAGE_CSV + "520200,2022,310,81000.00,2023-06-01\n")
    second, created = build_all(datasets_dir, store_dir)["wages-test"]
    assert created and second != first
    history = FolderStore(store_dir).versions("wages-test")
    assert [info.version for info in history] == [first, second]
    assert [info.current for info in history] == [False, True]
    old = pq.read_table(FolderStore(store_dir).version_path("wages-test", first) / "wages.parquet")
    assert old.num_rows == 3


def test_build_refused_when_invalid_keeps_previous_version(
    datasets_dir: Path, store_dir: Path
) -> None:
    good, _ = build_all(datasets_dir, store_dir)["wages-test"]
    checks = [{"type": "non_negative", "resource": "wages", "fields": ["workers"]}]
    write_wages(datasets_dir, WAGE_CSV + "520200,2022,-5,81000.00,2023-06-01\n", checks=checks)
    publisher = Publisher(FolderStore(store_dir), datasets_dir)
    with pytest.raises(ValidationFailed) as failure:
        publisher.build(load_dataset(datasets_dir / "wages-test"))
    assert [e.type for e in failure.value.report.errors] == ["non-negative-error"]
    store = FolderStore(store_dir)
    assert store.current("wages-test") == good
    assert [info.version for info in store.versions("wages-test")] == [good]
    assert not list((store_dir / "wages-test").glob(".staging-*"))


def test_build_embeds_code_list_so_stock_frictionless_validates(
    datasets_dir: Path, store_dir: Path
) -> None:
    build_all(datasets_dir, store_dir)
    folder = FolderStore(store_dir).version_path("wages-test")
    published = json.loads((folder / "datapackage.json").read_text())
    regions = next(r for r in published["resources"] if r["name"] == "regions")
    assert regions["embedded_from"]["package"] == "regions-test"
    key = published["resources"][0]["schema"]["foreignKeys"][0]
    assert key["reference"] == {"resource": "regions", "fields": ["code"]}
    with frictionless.system.use_context(trusted=True):
        report = frictionless.Package(str(folder / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_store_generation_changes_with_every_publish_and_withdrawal(
    datasets_dir: Path, store_dir: Path
) -> None:
    store = FolderStore(store_dir)
    assert store.generation() == ""
    build_all(datasets_dir, store_dir)
    first = store.generation()
    assert first
    build_all(datasets_dir, store_dir)
    assert store.generation() == first, "an unchanged build must not look like a change"
    store.withdraw("wages-test")
    assert store.generation() not in ("", first)


def test_build_refuses_the_inputs_of_a_withdrawn_version_unless_republished(
    datasets_dir: Path, store_dir: Path
) -> None:
    wrong = WAGE_CSV.replace("80000.00", "8000.00")
    write_wages(datasets_dir, wrong)
    first = build_all(datasets_dir, store_dir)["wages-test"][0]
    write_wages(datasets_dir)  # the corrected figures
    second = build_all(datasets_dir, store_dir)["wages-test"][0]
    store = FolderStore(store_dir)
    store.withdraw("wages-test", "wrong figures", version=first)
    write_wages(datasets_dir, wrong)  # someone restores the file that was taken down
    with pytest.raises(Conflict, match=f"version {first} and withdrawn \\(wrong figures\\)"):
        build_all(datasets_dir, store_dir)
    assert store.current("wages-test") == second
    publisher = Publisher(store, datasets_dir)
    result = publisher.build(publisher.sources()["wages-test"], republish=True)
    assert result.created and store.current("wages-test") not in (first, second)
