"""Broken inputs are refused with a precise message, and nothing is published (synthetic data)."""

from __future__ import annotations

import zipfile
from io import BytesIO
from pathlib import Path

import openpyxl
import pytest

from catalog.errors import ValidationFailed
from catalog.store import FolderStore, Publisher, load_dataset
from tests.conftest import WAGE_CSV, WAGE_FIELDS, descriptor, write_dataset, write_wages

HEADER = "region_code,year,workers,avg_wage,published\n"


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_wages_xlsx(root: Path, content: bytes) -> None:
    resource = {
        "name": "wages",
        "path": "data/wages.xlsx",
        "format": "xlsx",
        "schema": {"fields": WAGE_FIELDS, "primaryKey": ["region_code", "year"]},
    }
    write_dataset(root, "wages-test", {"wages.xlsx": content}, descriptor("wages-test", [resource]))
    (root / "wages-test" / "data" / "wages.csv").unlink(missing_ok=True)


def write_gbk_declared_utf8(root: Path) -> None:
    """The department's GBK export, mislabelled as UTF-8 in the descriptor."""
    folder = write_wages(root, WAGE_CSV)
    (folder / "data" / "wages.csv").write_bytes(
        (WAGE_CSV + "520100,2022,5,1.0,2022-01-01\n").encode() + "# 贵州\n".encode("gbk")
    )
    text = (folder / "datapackage.yaml").read_text(encoding="utf-8")
    (folder / "datapackage.yaml").write_text(
        text.replace("format: csv", "format: csv\n  encoding: utf-8"), encoding="utf-8"
    )


def truncated_xlsx() -> bytes:
    whole = xlsx_bytes([HEADER.strip().split(","), ["520100", 2021, 1, 2.5, "2022-01-01"]])
    return whole[: len(whole) // 2]


BROKEN = {
    "wrong encoding": (write_gbk_declared_utf8, "encoding-error", "wages.csv"),
    "ragged rows": (
        lambda root: write_wages(root, WAGE_CSV + "520100,2022,5\n"),
        "missing-cell",
        "row 5",
    ),
    "extra cells": (
        lambda root: write_wages(root, WAGE_CSV + "520100,2022,5,1.0,2022-01-01,surplus\n"),
        "extra-cell",
        "row 5",
    ),
    "bad types": (
        lambda root: write_wages(root, WAGE_CSV + "520100,2022,5,1.0,2022-13-45\n"),
        "type-error",
        "2022-13-45",
    ),
    "duplicate keys": (
        lambda root: write_wages(root, WAGE_CSV + "520100,2021,5,1.0,2022-01-01\n"),
        "primary-key",
        "row 5",
    ),
    "unknown region code": (
        lambda root: write_wages(root, WAGE_CSV + "529999,2021,5,1.0,2022-01-01\n"),
        "foreign-key",
        "529999",
    ),
    "negative counts": (
        lambda root: write_wages(
            root,
            WAGE_CSV + "520100,2022,-5,1.0,2022-01-01\n",
            checks=[{"type": "non_negative", "resource": "wages", "fields": ["workers"]}],
        ),
        "non-negative-error",
        "-5",
    ),
    "truncated xlsx": (
        lambda root: write_wages_xlsx(root, truncated_xlsx()),
        "",
        "wages.xlsx",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_build_refuses_broken_input_and_publishes_nothing(
    case: str, datasets_dir: Path, store_dir: Path
) -> None:
    publisher = Publisher(FolderStore(store_dir), datasets_dir)
    for source in publisher.plan(list(publisher.sources().values())):
        publisher.build(source)
    store = FolderStore(store_dir)
    before = store.current("wages-test")
    breaks, error_type, mentioned = BROKEN[case]
    breaks(datasets_dir)
    fresh = Publisher(FolderStore(store_dir), datasets_dir)
    with pytest.raises(ValidationFailed) as failure:
        fresh.build(load_dataset(datasets_dir / "wages-test"))
    report = failure.value.report
    assert not report.valid
    if error_type:
        assert error_type in {error.type for error in report.errors}
    assert mentioned in report.summary()
    assert store.current("wages-test") == before
    assert [info.version for info in store.versions("wages-test")] == [before]


def test_truncated_xlsx_really_is_unreadable() -> None:
    with pytest.raises(zipfile.BadZipFile):
        zipfile.ZipFile(BytesIO(truncated_xlsx()))
