"""Hypothesis round trip through the whole chain: CSV → validation → Parquet → DuckDB → JSON/CSV.

Every Table Schema type the catalogue publishes, as a department's CSV would write it, comes
back from the rows endpoint's JSON typed and equal, and from the CSV download as the same
text (or the same number, for floats and decimals). The data is SYNTHETIC, made up here.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from catalog.query import ExportRequest, QueryEngine, RowsRequest, csv_chunks
from catalog.settings import Settings
from catalog.sql import neutralised
from catalog.store import Publisher, load_dataset
from tests.conftest import descriptor, write_dataset
from tests.servers import open_test_store, store_location
from tests.validation.test_roundtrip import FIELDS, _text, rows

pytestmark = pytest.mark.slow

SLUG = "roundtrip-test"
KEYED = [{"name": "k", "type": "integer", "constraints": {"required": True}}, *FIELDS]


def publish(records: list[dict[str, Any]], root: Path) -> QueryEngine:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([f["name"] for f in KEYED])
    for number, record in enumerate(records):
        writer.writerow([number, *(_text(f["name"], record[f["name"]]) for f in FIELDS)])
    resource = {
        "name": "data",
        "path": "data/data.csv",
        "format": "csv",
        "schema": {"fields": KEYED, "primaryKey": ["k"]},
    }
    folder = write_dataset(
        root / "datasets", SLUG, {"data.csv": buffer.getvalue()}, descriptor(SLUG, [resource])
    )
    store = open_test_store(root / "store")
    Publisher(store, root / "datasets").build(load_dataset(folder))
    return QueryEngine(store, Settings(store=store_location(root / "store")))


def from_json(row: dict[str, Any]) -> dict[str, Any]:
    """A served row (numbers with a point read as Decimal) as the values written."""
    return {
        **row,
        "n": float(row["n"]),  # exact: the shortest text that reads back as the same double
        "t": iso_datetime(row["t"]),
    }


def iso_datetime(text: str) -> dt.datetime:
    # ISO 8601 with its `T`; DuckDB trims a fraction's trailing zeros (`.00017`), which
    # Python writes out (`.000170`): the same instant either way.
    assert text[10] == "T", text
    return dt.datetime.fromisoformat(text)


def from_csv(row: dict[str, str]) -> dict[str, Any]:
    return {
        "s": row["s"],
        "i": int(row["i"]),
        "n": float(row["n"]),
        "d2": Decimal(row["d2"]),
        "b": {"true": True, "false": False}[row["b"]],
        "d": row["d"],
        "t": iso_datetime(row["t"]),
        "y": int(row["y"]),
        "ym": row["ym"],
    }


FORMULA = {
    "s": "=1+2",
    "i": -(10**17),
    "n": -1.5e-300,
    "d2": Decimal("-0.01"),
    "b": True,
    "d": dt.date(1000, 1, 1),
    "t": dt.datetime(9999, 12, 31, 23, 59, 59, 999999),
    "y": 9999,
    "ym": "2024-12",
}


@settings(max_examples=25, deadline=None, database=None)
@given(st.lists(rows, min_size=1, max_size=6))
@example([FORMULA, {**FORMULA, "s": "@cmd", "n": 1e300}, {**FORMULA, "s": "-2", "n": 0.1}])
def test_roundtrip_every_type_comes_back_from_json_and_csv(records: list[dict[str, Any]]) -> None:
    # Decimals keep their two places; dates travel as ISO 8601 text.
    expected = [
        {
            **record,
            "d2": Decimal(record["d2"]).quantize(Decimal("0.01")),
            "d": record["d"].isoformat(),
        }
        for record in records
    ]
    with tempfile.TemporaryDirectory() as tmp:
        engine = publish(records, Path(tmp))
        try:
            page = engine.rows(SLUG, "data", RowsRequest(limit=100))
            served = [json.loads(text, parse_float=Decimal) for text in page.rows]
            selection = engine.select(SLUG, "data", ExportRequest())
            text = b"".join(csv_chunks(engine, selection)).decode("utf-8")
        finally:
            engine.close()
    # JSON: typed values; decimals keep their digits, floats their exact value.
    assert [row.pop("k") for row in served] == list(range(len(records)))
    assert [from_json(row) for row in served] == expected
    # CSV: the same values, text neutralised where a spreadsheet would read a formula.
    lines = list(csv.DictReader(io.StringIO(text)))
    assert [int(line.pop("k")) for line in lines] == list(range(len(records)))
    assert [from_csv(line) for line in lines] == [
        {**record, "s": neutralised(record["s"])} for record in expected
    ]
