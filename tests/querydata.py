"""A store written with pyarrow for the query tests (synthetic data, labelled so).

wages-test/v1/   wages (60 rows)                      an older version
wages-test/v2/   wages (250 rows), notes (no primary key, duplicate rows)   CURRENT

Each version is staged and committed through the `Store` interface (`Store.writing`, then
`commit`, as the Publisher does), so the same versions land in a folder or in an S3 prefix
(tests/servers.py); its files are read back through the store too (`stored_file`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from catalog.query import QueryEngine, RowsRequest
from catalog.store import DESCRIPTOR, REPORT, Store
from tests.servers import open_test_store

REGIONS = ["520000", "520100", "520200", "520300", "520400"]
NAMES = ["贵州省", "贵阳市", "六盘水市", "遵义市", "安顺市"]
WAGE_FIELDS: list[dict[str, Any]] = [
    {"name": "region_code", "type": "string", "constraints": {"required": True}},
    {"name": "year", "type": "integer"},
    {"name": "name_zh", "type": "string", "title": "地区"},
    {"name": "workers", "type": "integer", "unit": "人"},
    {"name": "avg_wage", "type": "number", "decimals": 2, "unit": "元"},
    {"name": "ratio", "type": "number"},
    {"name": "published", "type": "date"},
    {"name": "updated", "type": "datetime"},
    {"name": "audited", "type": "boolean"},
    {"name": "period", "type": "yearmonth"},
    {"name": "fiscal_year", "type": "year"},
]
WAGE_SCHEMA = {"fields": WAGE_FIELDS, "primaryKey": ["region_code", "year"]}
NOTE_FIELDS: list[dict[str, Any]] = [
    {"name": "topic", "type": "string"},
    {"name": "score", "type": "integer"},
]
ARROW = {
    "region_code": pa.string(),
    "year": pa.int64(),
    "name_zh": pa.string(),
    "workers": pa.int64(),
    "avg_wage": pa.decimal128(18, 2),
    "ratio": pa.float64(),
    "published": pa.date32(),
    "updated": pa.timestamp("us"),
    "audited": pa.bool_(),
    "period": pa.string(),
    "fiscal_year": pa.int32(),
}


def wage_row(index: int) -> dict[str, Any]:
    """Row `index`: five regions × years from 1800; some nulls, some repeated values."""
    region = index % len(REGIONS)
    year = 1800 + index // len(REGIONS)
    return {
        "region_code": REGIONS[region],
        "year": year,
        "name_zh": NAMES[region],
        "workers": None if index % 7 == 3 else (index * 37) % 1000,
        "avg_wage": Decimal(f"{50000 + (index * 7919) % 40000}.{index % 100:02d}"),
        "ratio": None if index % 11 == 5 else round((index % 10) / 10, 1),
        "published": date(2020, 1, 1) + timedelta(days=index % 30),
        "updated": datetime(2021, 3, 4, 5, 6, 7) + timedelta(seconds=index),
        "audited": None if index % 13 == 0 else index % 2 == 0,
        "period": f"{2000 + index % 20}-{1 + index % 12:02d}",
        "fiscal_year": 2000 + index % 5,
    }


def wage_rows(count: int) -> list[dict[str, Any]]:
    return [wage_row(i) for i in range(count)]


def note_rows() -> list[dict[str, Any]]:
    topics = ["养老", "医疗", "养老", "就业", "养老", "医疗"]
    return [{"topic": topics[i % 6], "score": i % 3} for i in range(30)]


def write_resource(
    folder: Path, name: str, schema: dict[str, Any], rows: list[dict[str, Any]]
) -> dict[str, Any]:
    names = [str(f["name"]) for f in schema["fields"]]
    arrow = pa.schema(
        [(n, ARROW.get(n, pa.int64() if n == "score" else pa.string())) for n in names]
    )
    table = pa.Table.from_pylist(rows, schema=arrow)
    metadata = {b"table_schema": json.dumps(schema).encode(), b"resource": name.encode()}
    pq.write_table(table.replace_schema_metadata(metadata), folder / f"{name}.parquet")
    return {"name": name, "path": f"{name}.parquet", "schema": schema, "rows": table.num_rows}


@contextmanager
def new_version(store: Path | Store, slug: str, version: str) -> Iterator[Path]:
    """A staging folder that becomes the current version `version` of `slug` when the block
    ends (dropped if it raises). `store` is a test store's name (tests/servers.py) or an open
    `Store`: a test whose engine must see the change at once commits through the engine's."""
    opened = open_test_store(store) if isinstance(store, Path) else store
    with opened.writing(slug) as staging:
        yield staging
        opened.commit(slug, staging, version, expected_current=opened.current(slug))


def write_version(
    store: Path | Store,
    slug: str,
    version: str,
    resources: dict[str, tuple[dict[str, Any], list[Any]]],
    *,
    report: dict[str, Any] | None = None,
) -> None:
    """Publish `resources` (name: schema and rows) as the current version `version` of `slug`,
    with `report` as its validation report when given."""
    with new_version(store, slug, version) as staging:
        described = [write_resource(staging, n, s, rows) for n, (s, rows) in resources.items()]
        if report is not None:
            (staging / REPORT).write_text(json.dumps(report), encoding="utf-8")
        write_descriptor(staging, {"name": slug, "version": version, "resources": described})


def write_descriptor(staging: Path, descriptor: dict[str, Any]) -> None:
    """The staged version's descriptor: written last, as a complete version's is."""
    (staging / DESCRIPTOR).write_text(json.dumps(descriptor, ensure_ascii=False), "utf-8")


def stored_file(store: Path, slug: str, version: str, name: str) -> Path:
    """A local copy of the published file `name` of `version` (the file itself in a folder)."""
    return open_test_store(store).local_path(slug, version, name)


def build_store(store: Path) -> Path:
    publish_wages(open_test_store(store))
    return store


def publish_wages(store: Store) -> None:
    """wages-test v1, then v2 (the module's notes), into an open store."""
    write_version(store, "wages-test", "v1", {"wages": (WAGE_SCHEMA, wage_rows(60))})
    write_version(
        store,
        "wages-test",
        "v2",
        {
            "wages": (WAGE_SCHEMA, wage_rows(250)),
            "notes": ({"fields": NOTE_FIELDS}, note_rows()),
        },
        report={"valid": True},
    )


def walk(engine: QueryEngine, slug: str, resource: str, **asked: Any) -> list[dict[str, Any]]:
    """Every row of `resource`, page by page with the `next` cursor."""
    found: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = engine.rows(slug, resource, RowsRequest(cursor=cursor, **asked))
        found += [json.loads(text) for text in page.rows]
        if page.next is None:
            return found
        cursor = page.next
