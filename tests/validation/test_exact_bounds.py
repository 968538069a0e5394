"""A `decimalsField` number is published as decimal(38, S): each value is held to 24 digits
before the point and 14 after on its own, so one value never sets a scale that makes the
others overflow (nor one DuckDB cannot hold) (issue 12 attack, 6)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from catalog.store import FolderStore, Publisher
from tests.conftest import write_dataset
from tests.validation.conftest import package, resource, triples

FIELDS = [
    {"name": "id", "type": "integer"},
    {"name": "value", "type": "number", "decimalsField": "value_decimals"},
    {"name": "value_decimals", "type": "integer"},
]
TOO_LONG = ["1." + "1" * 15, "1." + "1" * 39, "1." + "1" * 300, "1" * 25, "1" * 38, "-" + "9" * 25]


def descriptor() -> dict[str, Any]:
    return package(resource("observations", "data/o.csv", FIELDS))


def csv(*values: str) -> str:
    rows = [
        f"{n},{value},{len(value.partition('.')[2])}" for n, value in enumerate(values, start=1)
    ]
    return "id,value,value_decimals\n" + "\n".join(rows) + "\n"


@pytest.mark.parametrize("value", TOO_LONG)
def test_a_value_past_the_bounds_is_one_type_error_on_its_own_row(
    validate: Any, value: str
) -> None:
    result = validate(descriptor(), {"data/o.csv": csv("211", value, "5.5")})
    assert triples(result) == [[3, "value", "type-error"]]
    error = result.report.errors[0]
    assert error.message.startswith(
        'data/o.csv row 3, field "value": expected a number of at most 24 digits before the'
        " point and 14 after, found "
    )
    assert result.tables["observations"].schema.field("value").type == pa.decimal128(38, 1)


def test_values_at_the_bounds_are_exact(validate: Any) -> None:
    widest, finest = "9" * 24, "0." + "0" * 13 + "1"
    result = validate(descriptor(), {"data/o.csv": csv(widest, finest, "-" + widest)})
    assert triples(result) == []
    values = result.tables["observations"].column("value").to_pylist()
    assert values == [Decimal(widest), Decimal(finest), -Decimal(widest)]
    assert result.tables["observations"].schema.field("value").type == pa.decimal128(38, 14)


def test_three_hundred_decimals_fail_the_build_not_duckdb(tmp_path: Path) -> None:
    root = tmp_path / "datasets"
    files = {"o.csv": csv("211", "1." + "1" * 300)}
    write_dataset(root, "synthetic", files, descriptor())
    publisher = Publisher(FolderStore(tmp_path / "store"), root)
    report = publisher.validate(publisher.sources()["synthetic"]).report
    assert triples_of(report) == [[3, "value", "type-error"]]


def triples_of(report: Any) -> list[list[Any]]:
    return [[e.row, e.field, e.type] for e in report.errors]
