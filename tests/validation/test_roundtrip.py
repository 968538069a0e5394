"""Hypothesis round trip: typed values written as CSV text come back equal from the table."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.validation.conftest import package, resource, write
from validation import validate_package

pytestmark = pytest.mark.slow

FIELDS = [
    {"name": "s", "type": "string"},
    {"name": "i", "type": "integer"},
    {"name": "n", "type": "number"},
    {"name": "d2", "type": "number", "decimals": 2},
    {"name": "b", "type": "boolean"},
    {"name": "d", "type": "date"},
    {"name": "t", "type": "datetime"},
    {"name": "y", "type": "year"},
    {"name": "ym", "type": "yearmonth"},
]

# Text that is neither empty (a missing value) nor blank-looking; any Unicode otherwise.
texts = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=20).filter(
    lambda s: s.strip() == s and s != ""
)
rows = st.fixed_dictionaries(
    {
        "s": texts,
        "i": st.integers(-(10**17), 10**17),
        "n": st.floats(allow_nan=False, allow_infinity=False, width=64),
        "d2": st.decimals(min_value=-(10**12), max_value=10**12, places=2, allow_nan=False),
        "b": st.booleans(),
        "d": st.dates(dt.date(1000, 1, 1), dt.date(9999, 12, 31)),
        "t": st.datetimes(dt.datetime(1000, 1, 1), dt.datetime(9999, 12, 31)),
        "y": st.integers(1000, 9999),
        "ym": st.tuples(st.integers(1000, 9999), st.integers(1, 12)).map(
            lambda p: f"{p[0]}-{p[1]:02d}"
        ),
    }
)


def _text(name: str, value: Any) -> str:
    if name == "b":
        return "true" if value else "false"
    if name == "n":
        return repr(value)
    if name == "d2":
        return format(value, "f")
    if name == "t":
        return value.isoformat()
    return str(value)


@settings(max_examples=60, deadline=None, database=None)
@given(st.lists(rows, min_size=1, max_size=8), st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
def test_roundtrip_typed_values_survive_csv(records: list[dict[str, Any]], encoding: str) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([f["name"] for f in FIELDS])
    for record in records:
        writer.writerow([_text(f["name"], record[f["name"]]) for f in FIELDS])
    with tempfile.TemporaryDirectory() as tmp:
        write(Path(tmp), "data/data.csv", buffer.getvalue(), encoding=encoding)
        # GB18030 bytes can happen to be valid UTF-8, so that file says what it is.
        declared = {"encoding": encoding} if encoding == "gb18030" else {}
        result = validate_package(package(resource(fields=FIELDS, **declared)), Path(tmp))
    assert result.report.valid, result.report.summary()
    got = result.tables["data"].to_pylist()
    for record in records:
        record["d2"] = Decimal(record["d2"]).quantize(Decimal("0.01"))
    assert got == records
