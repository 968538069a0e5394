"""Printed precision: a number printed `211` is served `211`, `40147.0` as `40147.0`.

For random printed numbers and unit factors, the value a layout normalises (exact decimal
text) is typed as the published column (decimal(38, S), S the largest scale) beside its
`value_decimals`, and every output renders it from DuckDB as the exact normalised text:
CSV text cells, JSON objects, CKAN's delimited lines (bare) and XLSX (the number with a
format showing as many decimals).
"""

from __future__ import annotations

import io
import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.query import AggregateRequest, ResourceFile, delimited_chunks, write_sheet
from catalog.query.aggregates import Aggregate
from catalog.sql import Cells, Column, Schema, json_row_sql, select_sql
from validation.casting import cast_field
from validation.layout.units import decimals_of, normalised_text

VALUE = Column("value", "number", decimals_field="value_decimals")
LABEL = Column("label", "string")
FACTORS = ["1", "10", "100", "1000", "10000", "100000000", "0.1", "0.01", "0.0001"]

printed_numbers = st.builds(
    lambda whole, digits, negative: ("-" if negative else "") + whole + digits,
    st.from_regex(r"[1-9][0-9]{0,9}|0", fullmatch=True),
    st.from_regex(r"(\.[0-9]{1,6})?", fullmatch=True),
    st.booleans(),
).filter(lambda text: Decimal(text) != 0 or not text.startswith("-"))  # no printed -0


def published(texts: list[str]) -> pa.Table:
    """The long table's value and value_decimals as validation publishes them."""
    values = cast_field(pa.array(texts, pa.string()), {"type": "number", "decimalsField": "d"})
    decimals = pa.array([decimals_of(text) for text in texts], pa.int64())
    labels = pa.array([f'a,"{i}"' for i in range(len(texts))], pa.string())
    return pa.table({"value": values.values, "value_decimals": decimals, "label": labels})


def query(table: pa.Table, select: str) -> duckdb.DuckDBPyRelation:
    connection = duckdb.connect()
    connection.register("published", table)
    return connection.sql(f"SELECT {select} FROM published")


def rendered(table: pa.Table, cells: Cells) -> list[tuple[object, ...]]:
    return query(table, select_sql([VALUE, LABEL], cells)).fetchall()


@pytest.mark.slow  # a long property run: 60 examples through four writers
@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(printed_numbers, st.sampled_from(FACTORS)), min_size=1, max_size=8))
def test_every_output_serves_the_exact_normalised_text(cases: list[tuple[str, str]]) -> None:
    expected = [normalised_text(Decimal(printed), Decimal(factor)) for printed, factor in cases]
    table = published(expected)
    assert [row[0] for row in rendered(table, Cells.TEXT)] == expected
    json_sql = f"CAST({json_row_sql([VALUE, LABEL])} AS VARCHAR)"
    objects = [row[0] for row in query(table, json_sql).fetchall()]
    assert [json.loads(text, parse_float=str, parse_int=str)["value"] for text in objects] == (
        expected
    )
    assert [text.split(",", 1)[0].removeprefix('{"value":') for text in objects] == expected
    assert delimited(table) == [f'{text},"a,""{i}"""' for i, text in enumerate(expected)]
    assert spreadsheet(table) == [(float(t), shown_format(t)) for t in expected]


def delimited(table: pa.Table) -> list[str]:
    batches = query(table, select_sql([VALUE, LABEL], Cells.DELIMITED)).to_arrow_reader()
    text = b"".join(delimited_chunks(iter(batches), b"")).decode()
    return text.splitlines()


def spreadsheet(table: pa.Table) -> list[tuple[float, str]]:
    batches = query(table, select_sql([VALUE], Cells.SPREADSHEET)).to_arrow_reader()
    target = io.BytesIO()
    write_sheet(iter(batches), [VALUE], target, "data", datetime(2024, 1, 1))
    sheet = openpyxl.load_workbook(io.BytesIO(target.getvalue())).active
    assert sheet is not None
    return [(float(c.value), c.number_format) for c in sheet["A"][1:]]


def shown_format(text: str) -> str:
    places = decimals_of(text)
    return "0." + "0" * places if places else "0"


def test_the_published_column_is_exact_at_the_largest_scale() -> None:
    table = published(["8021000", "40147.0", "211", "-0.05"])
    assert table.schema.field("value").type == pa.decimal128(38, 2)
    assert [row[0] for row in rendered(table, Cells.TEXT)] == ["8021000", "40147.0", "211", "-0.05"]


def test_a_wrong_decimals_field_never_drops_a_digit() -> None:
    table = published(["1.25"]).set_column(1, "value_decimals", pa.array([0], pa.int64()))
    assert rendered(table, Cells.TEXT) == [("1.25", 'a,"0"')]


def test_the_issue_figures() -> None:
    printed = [("211", "1"), ("40147.0", "1"), ("802.1", "10000")]
    texts = [normalised_text(Decimal(p), Decimal(f)) for p, f in printed]
    assert texts == ["211", "40147.0", "8021000"]
    assert [row[0] for row in rendered(published(texts), Cells.TEXT)] == texts


def test_aggregates_return_a_value_with_the_decimals_it_was_printed_with(tmp_path: Path) -> None:
    path = tmp_path / "long.parquet"
    table = published(["211", "211.0", "40147.0", "8021000", "0.50"])
    groups = pa.array(["a", "a", "a", "b", "b"], pa.string())
    pq.write_table(table.set_column(2, "label", groups), path)
    schema = Schema.from_table_schema({"fields": [
        {"name": "value", "type": "number", "decimalsField": "value_decimals"},
        {"name": "value_decimals", "type": "integer"}, {"name": "label", "type": "string"},
    ]})  # fmt: skip
    resource = ResourceFile("d", "long", "v", path, schema, 5)
    request = AggregateRequest(group_by="label", measures={"min": "value", "max": "value"})
    aggregate = Aggregate.of(resource, request)
    rows = duckdb.connect().sql(aggregate.sql, params=aggregate.params).fetchall()
    assert [row[0] for row in rows] == [
        '{"label":"a","min_value":211.0,"max_value":40147.0}',
        '{"label":"b","min_value":0.50,"max_value":8021000}',
    ]
    by_value = Aggregate.of(resource, AggregateRequest(group_by="value", sort="value"))
    rows = duckdb.connect().sql(by_value.sql, params=by_value.params).fetchall()
    assert [row[0] for row in rows][:2] == ['{"value":0.50}', '{"value":211.0}']
