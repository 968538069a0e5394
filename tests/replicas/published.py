"""Synthetic datasets published straight through the `Store` interface (no validation run):
what the replica tests need many of, fast. Labelled synthetic, as every test fixture is."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from catalog.store import Store, resource_file
from tests.conftest import descriptor

# A tiny region code list, published as `region-codes` (the slug the index reads names from).
REGIONS = {"520000": "贵州省", "520100": "贵阳市", "520200": "六盘水市", "520300": "遵义市"}
FIELDS = [
    {"name": "region_code", "type": "string"},
    {"name": "year", "type": "integer"},
    {"name": "value", "type": "integer"},
]


def publish(
    store: Store,
    slug: str,
    version: str,
    *,
    title: str = "",
    regions: tuple[str, ...] = (),
    rows: int = 0,
) -> None:
    """Publish `version` of `slug`: one table with a row per region of `regions`, or `rows`
    rows of the regions in turn."""
    table = _table(regions) if not rows else _many(rows)
    meta = descriptor(slug, [_resource("values", FIELDS, table.num_rows)], version=version)
    meta["title"] = title or meta["title"]
    _commit(store, slug, version, meta, {"values": table})


def publish_regions(store: Store, version: str, names: dict[str, str] = REGIONS) -> None:
    """Publish `version` of the `region-codes` code list with these names."""
    fields = [{"name": "code", "type": "string"}, {"name": "name_zh", "type": "string"},
              {"name": "name_en", "type": "string"}]  # fmt: skip
    rows = [{"code": code, "name_zh": name, "name_en": code} for code, name in names.items()]
    meta = descriptor("region-codes", [_resource("regions", fields, len(rows))], version=version)
    _commit(store, "region-codes", version, meta, {"regions": pa.Table.from_pylist(rows)})


def _table(regions: tuple[str, ...]) -> pa.Table:
    rows = [{"region_code": code, "year": 2020, "value": n} for n, code in enumerate(regions)]
    return pa.Table.from_pylist(rows, schema=_schema(FIELDS))


def _many(rows: int) -> pa.Table:
    codes = sorted(REGIONS)
    columns = {
        "region_code": pa.array([codes[n % len(codes)] for n in range(rows)]),
        "year": pa.array([2000 + n % 25 for n in range(rows)], pa.int64()),
        "value": pa.array(range(rows), pa.int64()),
    }
    return pa.table(columns, schema=_schema(FIELDS))


def _resource(name: str, fields: list[dict[str, str]], rows: int) -> dict[str, object]:
    return {"name": name, "path": resource_file(name), "rows": rows, "schema": {"fields": fields}}


def _schema(fields: list[dict[str, str]]) -> pa.Schema:
    kinds: dict[str, pa.DataType] = {"string": pa.string(), "integer": pa.int64()}
    return pa.schema([(f["name"], kinds[f["type"]]) for f in fields])


def _commit(
    store: Store, slug: str, version: str, meta: dict[str, object], tables: dict[str, pa.Table]
) -> None:
    with store.writing(slug) as staging:
        _write(staging, meta, tables)
        store.commit(slug, staging, version, expected_current=store.current(slug))


def _write(folder: Path, meta: dict[str, object], tables: dict[str, pa.Table]) -> None:
    (folder / "datapackage.json").write_text(json.dumps(meta, ensure_ascii=False), "utf-8")
    for name, table in tables.items():
        pq.write_table(table, folder / resource_file(name))
