"""The benchmarks' data: a SYNTHETIC 12333-hotline consultation log, published and copied.

Nothing here is real: the rows come from a seeded generator (numpy PCG64), shaped only to look
like a provincial social-security hotline's call log (Guizhou's nine prefectures and their
counties, consultation topics, channels, waiting and talking seconds, resolved or not). Rows
are generated in fixed chunks of `CHUNK` rows, each from its own seeded generator, so the first
million rows are the same whatever `rows` is, and the same seed always gives the same file.

The log is written as a dataset folder (`datapackage.yaml` + CSV), published through the real
pipeline (`catalog.store.Publisher`), and copied from the published Parquet into SQLite for
Datasette.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import yaml

from catalog.query import PublishedDownloads, QueryEngine
from catalog.settings import Settings
from catalog.store import FolderStore, Publisher, load_dataset, resource_file

SLUG = "synthetic-12333-hotline"
RESOURCE = "calls"
SEED = 12333
CHUNK = 1_000_000
FIRST_DAY = np.datetime64("2020-01-01")
DAYS = 1827  # 2020-01-01 .. 2024-12-31

# GB/T 2260 codes of Guizhou's prefectures and their county-level divisions; the weights are
# made up (roughly by population) and only shape the synthetic distribution.
_GUIZHOU = {
    "520100": (0.18, "520102 520103 520111 520112 520113 520115 520121 520122 520123 520181"),
    "520200": (0.08, "520201 520203 520204 520281"),
    "520300": (0.17, "520302 520303 520304 520322 520323 520324 520325 520326 520327 520328"
                     " 520329 520330 520381 520382"),
    "520400": (0.06, "520402 520403 520422 520423 520424 520425"),
    "520500": (0.17, "520502 520521 520523 520524 520525 520526 520527 520581"),
    "520600": (0.08, "520602 520603 520621 520622 520623 520624 520625 520626 520627 520628"),
    "522300": (0.07, "522301 522302 522323 522324 522325 522326 522327 522328"),
    "522600": (0.10, "522601 522622 522623 522624 522625 522626 522627 522628 522629 522630"
                     " 522631 522632 522633 522634 522635 522636"),
    "522700": (0.09, "522701 522702 522722 522723 522725 522726 522727 522728 522729 522730"
                     " 522731 522732"),
}  # fmt: skip
PREFECTURES = {code: (weight, tuple(c.split())) for code, (weight, c) in _GUIZHOU.items()}
TOPICS = {
    "养老保险": 0.24,
    "医疗保险": 0.20,
    "社保卡": 0.14,
    "就业创业": 0.12,
    "劳动关系": 0.10,
    "失业保险": 0.08,
    "工伤保险": 0.06,
    "人事人才": 0.06,
}
CHANNELS = {"电话": 0.62, "网站": 0.12, "微信": 0.18, "手机APP": 0.08}
# Calls by hour of day (made up): office hours dominate, a trickle at night.
HOURS = np.array(
    [1, 1, 1, 1, 1, 2, 4, 10, 30, 42, 44, 40, 22, 26, 40, 42, 38, 30, 14, 8, 5, 3, 2, 1],
    dtype=float,
)

FILTER_PREFECTURE = "520100"
FILTER_TOPIC = "养老保险"


def _weights(values: dict[str, float]) -> npt.NDArray[np.float64]:
    w = np.array(list(values.values()), dtype=np.float64)
    total: np.float64 = w.sum()
    return w / total


def generate_chunk(index: int, start: int, stop: int, total: int) -> pa.Table:
    """Rows `start`..`stop-1` (0-based) of a log of `total` rows, from chunk `index`'s seed."""
    rng = np.random.default_rng([SEED, index])
    n = stop - start
    ids = np.arange(start + 1, stop + 1, dtype=np.int64)
    # A log is in time order: the date grows with the id, spread evenly over five years.
    days = (np.arange(start, stop, dtype=np.int64) * DAYS) // total
    prefecture_codes = list(PREFECTURES)
    prefecture = rng.choice(
        len(prefecture_codes),
        n,
        p=_weights({code: weight for code, (weight, _) in PREFECTURES.items()}),
    )
    sizes = np.array([len(PREFECTURES[c][1]) for c in prefecture_codes])
    offsets = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    county = offsets[prefecture] + (rng.random(n) * sizes[prefecture]).astype(np.int64)
    counties = [c for code in prefecture_codes for c in PREFECTURES[code][1]]
    topic = rng.choice(len(TOPICS), n, p=_weights(TOPICS))
    channel = rng.choice(len(CHANNELS), n, p=_weights(CHANNELS))
    hour = rng.choice(24, n, p=HOURS / HOURS.sum())
    wait = np.minimum(rng.gamma(1.6, 45.0, n), 3600).astype(np.int64)
    talk = np.minimum(rng.lognormal(5.0, 0.7, n), 7200).astype(np.int64) + 10
    resolved = rng.random(n) < 0.87

    def labels(indices: npt.NDArray[np.int64], values: list[str]) -> pa.Array[Any]:
        codes = pa.array(indices.astype(np.int32), pa.int32())
        dictionary = pa.DictionaryArray.from_arrays(codes, values)
        return dictionary.dictionary_decode()

    return pa.table(
        {
            "id": ids,
            "date": pa.array(FIRST_DAY + days.astype("timedelta64[D]"), pa.date32()),
            "hour": pa.array(hour.astype(np.int64)),
            "prefecture": labels(prefecture, prefecture_codes),
            "county": labels(county, counties),
            "topic": labels(topic, list(TOPICS)),
            "channel": labels(channel, list(CHANNELS)),
            "wait_seconds": wait,
            "talk_seconds": talk,
            "resolved": resolved,
        }
    )


def write_csv(path: Path, rows: int) -> None:
    """The whole log as one UTF-8 CSV, written chunk by chunk (constant memory)."""
    writer = None
    try:
        for index, start in enumerate(range(0, rows, CHUNK)):
            table = generate_chunk(index, start, min(start + CHUNK, rows), rows)
            if writer is None:
                writer = pacsv.CSVWriter(path, table.schema)
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()


REQUIRED = {"required": True}
# The log's columns, as the descriptor declares them.
FIELDS: list[dict[str, Any]] = [
    {"name": "id", "type": "integer", "constraints": REQUIRED},
    {"name": "date", "type": "date", "constraints": REQUIRED},
    {
        "name": "hour",
        "type": "integer",
        "constraints": {"required": True, "minimum": 0, "maximum": 23},
    },
    {
        "name": "prefecture",
        "type": "string",
        "constraints": {"required": True, "enum": list(PREFECTURES)},
    },
    {
        "name": "county",
        "type": "string",
        "constraints": {"required": True, "pattern": "52[0-9]{4}"},
    },
    {
        "name": "topic",
        "type": "string",
        "constraints": {"required": True, "enum": list(TOPICS)},
    },
    {
        "name": "channel",
        "type": "string",
        "constraints": {"required": True, "enum": list(CHANNELS)},
    },
    {
        "name": "wait_seconds",
        "type": "integer",
        "unit": "s",
        "constraints": {"required": True, "minimum": 0},
    },
    {
        "name": "talk_seconds",
        "type": "integer",
        "unit": "s",
        "constraints": {"required": True, "minimum": 0},
    },
    {"name": "resolved", "type": "boolean", "constraints": REQUIRED},
]


def descriptor(rows: int) -> Mapping[str, object]:
    """The data package document, written out as the dataset's datapackage.yaml."""
    return {
        "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
        "name": SLUG,
        "title": "【合成数据】12333 热线咨询记录（基准测试用，非真实数据）",
        "title_en": "SYNTHETIC 12333 hotline consultation log (benchmark data, not real)",
        "description": (
            f"合成数据（SYNTHETIC）：由固定种子的随机数生成的 {rows:,} 条模拟咨询记录，仅用于"
            "性能基准测试，不反映任何真实来电、人员或统计。"
        ),
        "description_en": (
            f"SYNTHETIC: {rows:,} made-up consultation records from a seeded random generator, "
            "for performance benchmarks only. They describe no real call, person or statistic."
        ),
        "keywords": ["合成数据", "基准测试", "12333"],
        "keywords_en": ["synthetic data", "benchmark", "12333"],
        "licenses": [{"name": "CC0-1.0", "title": "Public domain dedication (synthetic data)"}],
        "sources": [
            {
                "title": "SYNTHETIC: generated by benchmarks/hotline.py (seed 12333)",
                "path": "https://example.org/synthetic",
            }
        ],
        "organization": {
            "name": "benchmark",
            "title": "基准测试（合成数据）",
            "title_en": "Benchmark (synthetic data)",
        },
        "themes": ["social-insurance"],
        "frequency": "irregular",
        "access_level": "unconditional",
        "temporal": {"start": "2020-01-01", "end": "2024-12-31"},
        "spatial": ["520000", *PREFECTURES],
        "contact": {"name": "Benchmark", "email": "opendata@example.org"},
        "issued": "2026-01-01",
        "resources": [
            {
                "name": RESOURCE,
                "path": "data/calls.csv",
                "format": "csv",
                "encoding": "utf-8",
                "title": "合成咨询记录 (SYNTHETIC)",
                "schema": {
                    "fields": FIELDS,
                    "primaryKey": ["id"],
                },
            }
        ],
        "checks": [
            {
                "type": "non_negative",
                "resource": RESOURCE,
                "fields": ["wait_seconds", "talk_seconds"],
            },
        ],
    }


def write_dataset(datasets_dir: Path, rows: int) -> Path:
    folder = datasets_dir / SLUG
    (folder / "data").mkdir(parents=True, exist_ok=True)
    write_csv(folder / "data" / "calls.csv", rows)
    text = yaml.safe_dump(descriptor(rows), allow_unicode=True, sort_keys=False)
    (folder / "datapackage.yaml").write_text(text, encoding="utf-8")
    return folder


@dataclass(frozen=True)
class Published:
    version: str
    parquet: Path
    rows: int


def publish(datasets_dir: Path, store_dir: Path, row_group_size: int) -> Published:
    """Validate and publish the dataset folder through the real pipeline, as `opendata
    build` does: with the renderer that writes each version's whole-resource downloads."""
    store = FolderStore(store_dir)
    settings = Settings(
        store=str(store_dir),
        datasets=datasets_dir,
        state=store_dir.parent / f"{store_dir.name}-state",
        row_group_size=row_group_size,
    )
    engine = QueryEngine(store, settings)
    try:
        publisher = Publisher(
            store,
            datasets_dir,
            row_group_size=row_group_size,
            downloads=PublishedDownloads(engine),
        )
        result = publisher.build(load_dataset(datasets_dir / SLUG))
    finally:
        engine.close()
    parquet = store.local_path(SLUG, result.version, resource_file(RESOURCE))
    return Published(result.version, parquet, result.rows[RESOURCE])


SQLITE_COLUMNS = (
    "id INTEGER PRIMARY KEY, date TEXT NOT NULL, hour INTEGER NOT NULL, "
    "prefecture TEXT NOT NULL, county TEXT NOT NULL, topic TEXT NOT NULL, "
    "channel TEXT NOT NULL, wait_seconds INTEGER NOT NULL, talk_seconds INTEGER NOT NULL, "
    "resolved INTEGER NOT NULL"
)
# Datasette gets an index on every column the benchmark filters by, and ANALYZE statistics.
SQLITE_INDEXES = ("prefecture", "topic")


def load_sqlite(parquet: Path, database: Path, batch_rows: int = 200_000) -> dict[str, float]:
    """Copy the published rows into a new SQLite table `calls`; seconds spent per step."""
    started = time.perf_counter()
    con = sqlite3.connect(database)
    try:
        con.execute("PRAGMA journal_mode = OFF")
        con.execute("PRAGMA synchronous = OFF")
        con.execute(f"CREATE TABLE {RESOURCE} ({SQLITE_COLUMNS})")
        marks = ", ".join("?" * 10)
        for batch in pq.ParquetFile(parquet).iter_batches(batch_size=batch_rows):
            columns = [_python_values(batch.column(i)) for i in range(batch.num_columns)]
            con.executemany(f"INSERT INTO {RESOURCE} VALUES ({marks})", zip(*columns, strict=True))
        con.commit()
        loaded = time.perf_counter()
        for column in SQLITE_INDEXES:
            con.execute(f"CREATE INDEX {RESOURCE}_{column} ON {RESOURCE} ({column})")
        con.execute("ANALYZE")
        con.commit()
    finally:
        con.close()
    return {"load_seconds": loaded - started, "index_seconds": time.perf_counter() - loaded}


def _python_values(array: pa.Array[Any]) -> list[Any]:
    if pa.types.is_date(array.type):
        # pyarrow-stubs types a cast as the generic Array[Scalar[TimestampType]], which
        # strftime's stub refuses; Arrow returns the TimestampArray strftime takes.
        stamps = array.cast(pa.timestamp("s"))
        array = pc.strftime(stamps, format="%Y-%m-%d")  # type: ignore[arg-type]
    elif pa.types.is_boolean(array.type):
        array = array.cast(pa.int8())
    if pa.types.is_integer(array.type):
        return array.to_numpy(zero_copy_only=False).tolist()  # type: ignore[no-any-return]
    return array.to_pylist()
