"""Versions for the download tests, written with pyarrow (synthetic data, labelled so) and
published through the `Store` (tests/querydata.py), into a folder or an S3 prefix.

formulas-test/f1/   cells       text that spreadsheets would run as formulas, and numbers
big-test/b1/        events      `rows` rows of a synthetic event log (id, region, topic, ...)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from tests.querydata import new_version, write_descriptor, write_version

# Named as tests.querydata's columns, whose Arrow types it knows.
FORMULA_FIELDS: list[dict[str, Any]] = [
    {"name": "year", "type": "integer"},
    {"name": "name_zh", "type": "string"},
    {"name": "workers", "type": "integer"},
    {"name": "ratio", "type": "number"},
]
FORMULA_LABELS = ["=1+1", "+86 851", "-3", "@SUM(A1)", "\tindent", "\rreturn", "plain", "a=b", ""]
EVENT_FIELDS: list[dict[str, Any]] = [
    {"name": "id", "type": "integer"},
    {"name": "region", "type": "string"},
    {"name": "topic", "type": "string"},
    {"name": "wait_seconds", "type": "number"},
    {"name": "day", "type": "date"},
]
EVENT_SCHEMA = {"fields": EVENT_FIELDS, "primaryKey": ["id"]}


def add_formulas(store: Path) -> None:
    rows = [
        {"year": i, "name_zh": label, "workers": -5 * i, "ratio": -0.25 * i}
        for i, label in enumerate(FORMULA_LABELS)
    ]
    schema = {"fields": FORMULA_FIELDS, "primaryKey": ["year"]}
    write_version(store, "formulas-test", "f1", {"cells": (schema, rows)})


def add_events(
    store: Path,
    rows: int,
    *,
    group_rows: int | None = None,
    slug: str = "big-test",
    described_rows: int | None = None,
) -> None:
    """A synthetic event log of `rows` rows as version b1 of `slug` (in row groups of
    `group_rows`), written without holding Python rows in memory; its descriptor says it
    holds `described_rows` (by default, the truth)."""
    with new_version(store, slug, "b1") as staging:
        write_events(staging, rows, group_rows)
        counted = rows if described_rows is None else described_rows
        events = {"name": "events", "path": "events.parquet", "schema": EVENT_SCHEMA}
        described = [{**events, "rows": counted}]
        write_descriptor(staging, {"name": slug, "version": "b1", "resources": described})


def write_events(folder: Path, rows: int, group_rows: int | None) -> None:
    regions = pa.array(["贵阳市", "遵义市", "六盘水市", "安顺市", "毕节市", "铜仁市", "=黔东南"])
    topics = pa.array(["养老保险", "失业保险", "工伤保险", "就业服务", "劳动关系"])
    metadata = {b"table_schema": json.dumps(EVENT_SCHEMA).encode(), b"resource": b"events"}
    arrow = pa.schema(
        [
            ("id", pa.int64()),
            ("region", pa.string()),
            ("topic", pa.string()),
            ("wait_seconds", pa.float64()),
            ("day", pa.date32()),
        ],
        metadata=metadata,
    )
    step = 1 << 20
    with pq.ParquetWriter(folder / "events.parquet", arrow, compression="zstd") as writer:
        for start in range(0, rows, step):
            ids = pa.array(range(start, min(rows, start + step)), pa.int64())
            writer.write_table(
                pa.table(
                    {
                        "id": ids,
                        "region": regions.take(pc.remainder(ids, 7)),
                        "topic": topics.take(pc.remainder(ids, 5)),
                        "wait_seconds": pc.divide(pc.cast(pc.remainder(ids, 997), pa.float64()), 4),
                        "day": pc.cast(pc.cast(pc.remainder(ids, 3650), pa.int32()), pa.date32()),
                    },
                    schema=arrow,
                ),
                row_group_size=group_rows,
            )
