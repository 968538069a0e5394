"""CSV structure: labels, ragged rows, blank rows, dialect, paths."""

from __future__ import annotations

from typing import Any

from tests.validation.conftest import package, resource, triples, types

FIELDS = [
    {"name": "id", "type": "integer"},
    {"name": "name", "type": "string"},
    {"name": "value", "type": "number"},
]


def test_csv_reports_ragged_rows_as_extra_and_missing_cells(validate: Any) -> None:
    rows = "id,name,value\n1,a,1\n2,b,2,9\n3\n4,d,4\n"
    result = validate(package(resource(fields=FIELDS)), {"data/data.csv": rows})
    assert triples(result) == [
        [3, "", "extra-cell"],
        [4, "name", "missing-cell"],
        [4, "value", "missing-cell"],
    ]
    assert result.report.errors[0].found == "9"
    assert result.report.errors[1].cells == ("3",)


def test_csv_keeps_row_numbers_through_quoted_newlines_and_ragged_rows(validate: Any) -> None:
    rows = 'id,name,value\n1,"a\nb",1\n2,b\n3,c,x\n'
    result = validate(package(resource(fields=FIELDS)), {"data/data.csv": rows})
    assert triples(result) == [[3, "value", "missing-cell"], [4, "value", "type-error"]]


def test_csv_reports_blank_rows_and_skips_their_cells(validate: Any) -> None:
    rows = "id,name,value\n1,a,1\n\n,,\n2,b,2\n"
    descriptor = package(resource(fields=FIELDS, primaryKey=["id"]))
    result = validate(descriptor, {"data/data.csv": rows})
    assert triples(result) == [[3, None, "blank-row"], [4, None, "blank-row"]]


def test_csv_reports_each_kind_of_label_problem(validate: Any) -> None:
    fields = [{"name": n, "type": "string"} for n in ("a", "b", "c", "d", "e")]
    rows = "a,,a,D\n1,2,3,4\n"
    result = validate(package(resource(fields=fields)), {"data/data.csv": rows})
    assert triples(result) == [
        [1, "b", "blank-label"],
        [1, "c", "duplicate-label"],
        [1, "d", "incorrect-label"],
        [1, "e", "missing-label"],
    ]


def test_csv_reports_extra_labels_and_their_missing_cells(validate: Any) -> None:
    fields = [{"name": "id", "type": "integer"}]
    result = validate(package(resource(fields=fields)), {"data/data.csv": "id,more\n1,x\n2\n"})
    assert triples(result) == [[1, "", "extra-label"], [3, "more", "missing-cell"]]


def test_csv_honours_delimiter_and_quote_char(validate: Any) -> None:
    dialect = {"delimiter": ";", "quoteChar": "'"}
    rows = "id;name;value\n1;'a;b';1.5\n"
    result = validate(package(resource(fields=FIELDS, dialect=dialect)), {"data/data.csv": rows})
    assert result.report.valid, result.report.summary()
    assert result.tables["data"].to_pylist() == [{"id": 1, "name": "a;b", "value": 1.5}]


def test_csv_honours_header_rows_after_a_title_line(validate: Any) -> None:
    rows = "贵州省 2023 年数据 (synthetic)\nid,name,value\n1,a,1\n2,b,x\n"
    descriptor = package(resource(fields=FIELDS, dialect={"headerRows": [2]}))
    result = validate(descriptor, {"data/data.csv": rows})
    assert triples(result) == [[4, "value", "type-error"]]


def test_csv_joins_multi_row_headers_with_a_space(validate: Any) -> None:
    fields = [{"name": "id code", "type": "integer"}, {"name": "name text", "type": "string"}]
    descriptor = package(resource(fields=fields, dialect={"headerRows": [1, 2]}))
    result = validate(descriptor, {"data/data.csv": "id,name\ncode,text\n1,a\n"})
    assert result.report.valid, result.report.summary()
    assert result.report.tasks[0].labels == ["id code", "name text"]


def test_csv_without_header_maps_fields_by_position(validate: Any) -> None:
    descriptor = package(resource(fields=FIELDS, dialect={"header": False}))
    result = validate(descriptor, {"data/data.csv": "1,a,1\n2,b,y\n"})
    assert triples(result) == [[2, "value", "type-error"]]


def test_csv_header_only_file_is_valid_and_empty(validate: Any) -> None:
    result = validate(package(resource(fields=FIELDS)), {"data/data.csv": "id,name,value\n"})
    assert result.report.valid
    assert result.tables["data"].num_rows == 0


def test_csv_reports_an_empty_file(validate: Any) -> None:
    result = validate(package(resource()), {"data/data.csv": ""})
    assert types(result) == ["source-error"]
    assert "empty" in result.report.errors[0].message


def test_csv_reports_a_missing_file(validate: Any) -> None:
    result = validate(package(resource(path="data/nowhere.csv")))
    assert types(result) == ["scheme-error"]
    assert 'file "data/nowhere.csv" does not exist' in result.report.errors[0].message


def test_csv_refuses_paths_that_escape_the_dataset_folder(validate: Any, tmp_path: Any) -> None:
    (tmp_path.parent / "outside.csv").write_text("id\n1\n")
    for path in ("../outside.csv", str(tmp_path.parent / "outside.csv"), "data/../../x.csv"):
        result = validate(package(resource(path=path)))
        assert types(result) == ["scheme-error"], path


def test_csv_refuses_a_symlink_out_of_the_dataset_folder(validate: Any, tmp_path: Any) -> None:
    outside = tmp_path.parent / "secret.csv"
    outside.write_text("id\n1\n")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "link.csv").symlink_to(outside)
    result = validate(package(resource(path="data/link.csv")))
    assert types(result) == ["scheme-error"]


def test_csv_missing_values_are_configurable(validate: Any) -> None:
    descriptor = package(resource(fields=FIELDS, missingValues=["", "-", "NA"]))
    result = validate(descriptor, {"data/data.csv": "id,name,value\n1,a,-\n2,NA,NA\n"})
    assert result.report.valid, result.report.summary()
    assert result.tables["data"].column("value").to_pylist() == [None, None]
    assert result.tables["data"].column("name").to_pylist() == ["a", None]


def test_csv_errors_are_ordered_by_row(validate: Any) -> None:
    rows = "id,name,value\nx,a,1\n2,b,2,3\n3,c,y\n"
    result = validate(package(resource(fields=FIELDS)), {"data/data.csv": rows})
    assert [e.row for e in result.report.errors] == [2, 3, 4]


def test_csv_header_rows_past_the_end_of_the_file_read_as_blank(validate: Any) -> None:
    descriptor = package(resource(dialect={"headerRows": [1, 2]}))
    result = validate(descriptor, {"data/data.csv": "id\n"})
    assert result.report.valid and result.report.tasks[0].labels == ["id"]


def test_csv_reports_a_dialect_the_parser_refuses(validate: Any) -> None:
    descriptor = package(resource(dialect={"delimiter": ";;"}))
    result = validate(descriptor, {"data/data.csv": "id\n1\n"})
    assert types(result) == ["source-error"]
