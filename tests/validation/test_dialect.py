"""Table Dialect v2: every key a reader honours changes what is read; every other is refused.

All files here are SYNTHETIC and tiny.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import Workbook

from tests.validation.conftest import package, resource, triples, types

FIELDS = [
    {"name": "id", "type": "integer"},
    {"name": "name", "type": "string"},
    {"name": "value", "type": "number"},
]


def _csv(dialect: dict[str, Any], rows: str, fields: list[dict[str, Any]] = FIELDS) -> Any:
    return package(resource(fields=fields, dialect=dialect)), {"data/data.csv": rows}


def test_comment_rows_are_left_out_and_later_rows_keep_their_numbers(validate: Any) -> None:
    rows = "id,name,value\n# fruits\n1,a,1\n2,b,x\n"
    result = validate(*_csv({"commentRows": [2]}, rows))
    assert triples(result) == [[4, "value", "type-error"]]
    assert result.tables["data"].column("id").to_pylist() == [1, 2]


def test_comment_char_leaves_out_rows_starting_with_it(validate: Any) -> None:
    rows = "id,name,value\n1,a,1\n#note, with a comma\n2,b,2\n"
    result = validate(*_csv({"commentChar": "#"}, rows))
    assert result.report.valid, result.report.summary()
    assert result.tables["data"].column("id").to_pylist() == [1, 2]


def test_header_rows_are_joined_with_header_join(validate: Any) -> None:
    fields = [
        {"name": "城镇职工/小计", "type": "integer"},
        {"name": "城镇职工/退休", "type": "integer"},
    ]
    rows = "城镇职工,城镇职工\n小计,退休\n802,219\n"
    result = validate(*_csv({"headerRows": [1, 2], "headerJoin": "/"}, rows, fields))
    assert result.report.valid, result.report.summary()
    assert result.report.tasks[0].labels == ["城镇职工/小计", "城镇职工/退休"]


def test_header_rows_may_skip_a_declared_comment_row(validate: Any) -> None:
    fields = [{"name": "id code", "type": "integer"}]
    rows = "id\n(spacer)\ncode\n7\n"
    result = validate(*_csv({"headerRows": [1, 3], "commentRows": [2]}, rows, fields))
    assert result.report.valid, result.report.summary()
    assert result.tables["data"].column("id code").to_pylist() == [7]


def test_an_undeclared_row_between_header_rows_is_an_error(validate: Any) -> None:
    rows = "id\n(spacer)\ncode\n7\n"
    result = validate(*_csv({"headerRows": [1, 3]}, rows, [{"name": "id code", "type": "integer"}]))
    assert types(result) == ["dialect-error"]
    assert "row 2 lies between header rows 1 and 3" in result.report.errors[0].message


def test_skip_initial_space_strips_spaces_after_the_delimiter(validate: Any) -> None:
    rows = "id, name, value\n1, a, 1.5\n"
    result = validate(*_csv({"skipInitialSpace": True}, rows))
    assert result.report.valid, result.report.summary()
    assert result.tables["data"].to_pylist() == [{"id": 1, "name": "a", "value": 1.5}]


def test_without_skip_initial_space_the_spaces_are_part_of_the_cell(validate: Any) -> None:
    result = validate(*_csv({}, "id,name,value\n1, a, 1.5\n"))
    assert result.report.valid, result.report.summary()
    assert result.tables["data"].column("name").to_pylist() == [" a"]


def test_skip_initial_space_still_reads_a_quote_after_the_spaces(validate: Any) -> None:
    rows = 'id, name, value\n1, "a,b", 1\n2, "c", 2\n'
    result = validate(*_csv({"skipInitialSpace": True}, rows))
    assert result.report.valid, result.report.summary()
    assert result.tables["data"].column("name").to_pylist() == ["a,b", "c"]


def test_skip_initial_space_keeps_ragged_rows_and_their_numbers(validate: Any) -> None:
    rows = "# title\nid, name, value\n1, a\n2, b, x\n"
    result = validate(*_csv({"skipInitialSpace": True, "headerRows": [2]}, rows))
    assert triples(result) == [[3, "value", "missing-cell"], [4, "value", "type-error"]]


def test_null_sequence_is_a_missing_value(validate: Any) -> None:
    rows = "id,name,value\n1,a,\\N\n2,\\N,2\n"
    result = validate(*_csv({"nullSequence": "\\N"}, rows))
    assert result.report.valid, result.report.summary()
    assert result.tables["data"].to_pylist() == [
        {"id": 1, "name": "a", "value": None},
        {"id": 2, "name": None, "value": 2.0},
    ]


def test_usual_line_terminators_are_read(validate: Any) -> None:
    for terminator in ("\r\n", "\n"):
        rows = f"id,name,value{terminator}1,a,1{terminator}"
        result = validate(*_csv({"lineTerminator": terminator}, rows))
        assert result.report.valid, result.report.summary()


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"dialect": {"sheetName": "参保"}}, "dialect.sheetName is for XLSX; a CSV has no sheets"),
        ({"dialect": {"itemType": "array"}}, "dialect.itemType is for JSON data"),
        ({"dialect": {"table": "t"}}, "dialect.table is for databases"),
        ({"dialect": {"lineTerminator": ";"}}, "dialect.lineTerminator ';' cannot be read"),
        ({"header_row": 2}, "header_row is for XLSX; for CSV use `dialect.headerRows`"),
        ({"sheet": 1}, "sheet is for XLSX; a CSV has no sheets"),
        (
            {"dialect": {"headerRows": [1], "commentRows": [1]}},
            "dialect.commentRows: row 1 is also a header row",
        ),
        ({"dialect": {"headerRows": [0]}}, "dialect.headerRows: a list of 1-based row numbers"),
        ({"dialect": {"commentChar": ""}}, "dialect.commentChar: an empty string"),
    ],
    ids=[
        "sheet-name",
        "item-type",
        "table",
        "terminator",
        "header-row",
        "sheet",
        "overlap",
        "row-zero",
        "empty-char",
    ],
)
def test_csv_refuses_what_it_would_not_honour(
    validate: Any, extra: dict[str, Any], expected: str
) -> None:
    descriptor = package(resource(fields=FIELDS, **extra))
    result = validate(descriptor, {"data/data.csv": "id,name,value\n1,a,1\n"})
    assert types(result) == ["dialect-error"]
    assert expected in result.report.errors[0].message
    assert not result.tables


# ------------------------------------------------------------------------------------ XLSX


def _workbook(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


XLSX_FIELDS = [{"name": "region", "type": "string"}, {"name": "count", "type": "integer"}]
XLSX_ROWS = [["region", "count"], ["北京", 802], ["数据来源：国家统计局", None], ["天津", 21]]


def _xlsx(rows: list[list[Any]] = XLSX_ROWS, **extra: Any) -> Any:
    descriptor = package(
        resource(path="data/data.xlsx", format="xlsx", fields=XLSX_FIELDS, **extra)
    )
    return descriptor, {"data/data.xlsx": _workbook(rows)}


@pytest.mark.parametrize("dialect", [{"commentRows": [3]}, {"commentChar": "数据来源"}])
def test_xlsx_honours_comment_rows_and_comment_char(validate: Any, dialect: Any) -> None:
    result = validate(*_xlsx(dialect=dialect))
    assert result.report.valid, result.report.summary()
    assert result.tables["data"].column("region").to_pylist() == ["北京", "天津"]


@pytest.mark.parametrize(
    ("dialect", "expected"),
    [
        ({"sheetName": "Sheet"}, "dialect.sheetName: use the resource's `sheet`"),
        ({"sheetNumber": 1}, "dialect.sheetNumber: use the resource's `sheet`"),
        (
            {"headerRows": [2]},
            "dialect.headerRows is for CSV; for XLSX use the resource's `header_row`",
        ),
        ({"delimiter": ";"}, "dialect.delimiter is for CSV; an XLSX is read cell by cell"),
        ({"nullSequence": "-"}, "for XLSX list the marker in the schema's `missingValues`"),
    ],
    ids=["sheet-name", "sheet-number", "header-rows", "delimiter", "null-sequence"],
)
def test_xlsx_refuses_what_it_would_not_honour(validate: Any, dialect: Any, expected: str) -> None:
    result = validate(*_xlsx(dialect=dialect))
    assert types(result) == ["dialect-error"]
    assert expected in result.report.errors[0].message


def test_a_layout_resource_refuses_any_dialect_key(validate: Any) -> None:
    descriptor = package(
        resource(fields=FIELDS, dialect={"commentRows": [2]}, layout={"header_rows": [1]})
    )
    result = validate(descriptor, {"data/data.csv": "id,name,value\n"})
    assert "dialect-error" in types(result)
    message = next(e.message for e in result.report.errors if e.type == "dialect-error")
    assert "dialect.commentRows: a resource with a `layout` is read by its layout" in message
