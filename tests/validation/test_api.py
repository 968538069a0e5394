"""The public face: names, Arrow mapping, report shape."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

import validation
from tests.validation.conftest import package, resource, types
from validation import ReportError, arrow_schema


def test_package_exports_exactly_the_public_names() -> None:
    assert sorted(validation.__all__) == sorted(
        [
            "FIRST_YEAR",
            "LAST_YEAR",
            "Layout",
            "PERIOD_TYPES",
            "RESOURCE_NAME",
            "Region",
            "RegionIndex",
            "SLUG",
            "ReadFailure",
            "ReferenceResolver",
            "Refusal",
            "Report",
            "ReportDocument",
            "ReportError",
            "Validation",
            "arrow_schema",
            "check_zip_file",
            "chinese_key",
            "csv_lines",
            "english_key",
            "field_name_problem",
            "is_resource_name",
            "is_slug",
            "printable",
            "refused_field_name",
            "sheet_cells",
            "short_name",
            "validate_package",
        ]
    )
    for name in validation.__all__:
        assert hasattr(validation, name)


def test_validation_imports_no_catalog_api_or_web_framework() -> None:
    # Imports flow api -> catalog -> validation, never back.
    package_dir = Path(validation.__file__).parent
    source = "\n".join(p.read_text(encoding="utf-8") for p in package_dir.rglob("*.py"))
    for forbidden in ("import catalog", "from catalog", "import api", "from api", "fastapi"):
        assert forbidden not in source


def test_arrow_schema_maps_every_type() -> None:
    schema = arrow_schema(
        {
            "fields": [
                {"name": "s", "type": "string", "constraints": {"required": True}},
                {"name": "i", "type": "integer"},
                {"name": "n", "type": "number"},
                {"name": "d2", "type": "number", "decimals": 2},
                {"name": "b", "type": "boolean"},
                {"name": "d", "type": "date"},
                {"name": "dt", "type": "datetime"},
                {"name": "y", "type": "year"},
                {"name": "ym", "type": "yearmonth"},
            ]
        }
    )
    assert schema.names == ["s", "i", "n", "d2", "b", "d", "dt", "y", "ym"]
    assert schema.types == [
        pa.string(), pa.int64(), pa.float64(), pa.decimal128(18, 2), pa.bool_(),
        pa.date32(), pa.timestamp("us"), pa.int32(), pa.string(),
    ]  # fmt: skip
    assert not schema.field("s").nullable


def test_validate_package_returns_typed_tables_in_schema_order(validate: Any) -> None:
    fields = [{"name": "b", "type": "string"}, {"name": "a", "type": "integer"}]
    result = validate(package(resource(fields=fields)), {"data/data.csv": "b,a\nx,1\ny,2\n"})
    assert result.report.valid
    table = result.tables["data"]
    assert table.schema == arrow_schema({"fields": fields})
    assert table.to_pylist() == [{"b": "x", "a": 1}, {"b": "y", "a": 2}]


def test_report_to_dict_has_the_frictionless_shape(validate: Any) -> None:
    fields = [{"name": "id", "type": "integer"}, {"name": "v", "type": "number"}]
    result = validate(package(resource(fields=fields)), {"data/data.csv": "id,v\n1,12,3\n2,x\n"})
    report = result.report.to_dict()
    json.dumps(report)  # serialisable as validation.json
    assert set(report) == {"valid", "stats", "warnings", "errors", "tasks"}
    assert report["stats"]["tasks"] == 1 and report["stats"]["errors"] == 2
    task = report["tasks"][0]
    assert {"name", "type", "valid", "place", "labels", "stats", "errors"} <= set(task)
    assert task["labels"] == ["id", "v"] and task["place"] == "data/data.csv"
    assert task["stats"]["rows"] == 2 and len(task["stats"]["sha256"]) == 64
    extra, bad = task["errors"]
    assert extra["type"] == "extra-cell" and extra["rowNumber"] == 2 and extra["cell"] == "3"
    assert extra["cells"] == ["1", "12", "3"] and extra["fieldNumber"] == 3
    assert bad["type"] == "type-error" and bad["fieldName"] == "v" and bad["cell"] == "x"
    assert {"title", "description", "message", "tags", "note"} <= set(bad)
    assert bad["tags"] == ["#table", "#row", "#cell"]


def test_report_messages_name_file_row_field_expected_and_found(validate: Any) -> None:
    fields = [{"name": "id", "type": "integer"}, {"name": "value", "type": "number"}]
    descriptor = package(resource("observations", "data/observations.csv", fields))
    rows = "id,value\n" + "".join(f"{i},1\n" for i in range(2, 17)) + '17,"12,3"\n'
    result = validate(descriptor, {"data/observations.csv": rows})
    (error,) = result.report.errors
    assert error.message == (
        'data/observations.csv row 17, field "value": expected a number, found "12,3"'
    )
    assert (error.row, error.field, error.expected, error.found) == (
        17,
        "value",
        "a number",
        "12,3",
    )


def test_report_summary_groups_per_resource_and_caps_each_type(validate: Any) -> None:
    rows = "id\n" + "x\n" * 8
    result = validate(package(resource()), {"data/data.csv": rows})
    summary = result.report.summary()
    assert summary.splitlines()[0] == "invalid: 8 error(s)"
    assert "data (data/data.csv): 8 type-error" in summary
    assert "… 3 more" in summary
    assert summary.count("[type-error] data/data.csv row") == 5


def test_report_summary_of_a_valid_package_is_one_line(validate: Any) -> None:
    result = validate(package(resource()), {"data/data.csv": "id\n1\n"})
    assert result.report.summary() == "valid: 1 resource(s), 1 row(s)"


def test_max_errors_caps_the_report_and_warns(validate: Any) -> None:
    result = validate(package(resource()), {"data/data.csv": "id\n" + "x\n" * 50}, max_errors=10)
    assert len(result.report.errors) == 10
    assert any("limit of 10 errors" in w for w in result.report.warnings)


def test_report_error_is_frozen_and_comparable() -> None:
    error = ReportError("type-error", "m", "r", "p", 2, "f", "an integer", "x")
    assert error == ReportError("type-error", "m", "r", "p", 2, "f", "an integer", "x")
    try:
        error.row = 3  # type: ignore[misc]
    except AttributeError:
        pass
    else:  # pragma: no cover
        raise AssertionError("ReportError must be frozen")


def test_validate_package_never_raises_on_a_nonsense_descriptor(validate: Any) -> None:
    bad: list[Any] = [None, [], {"resources": "x"}, {"resources": [1]}, {"resources": [{}]}]
    for descriptor in bad:
        result = validate(descriptor)
        assert not result.report.valid
        assert result.report.errors[0].type in {"package-error", "resource-error"}


def test_valid_tables_carry_exactly_the_arrow_schema(validate: Any) -> None:
    fields = [{"name": "id", "type": "integer", "constraints": {"required": True}}]
    result = validate(package(resource(fields=fields)), {"data/data.csv": "id\n1\n"})
    assert result.tables["data"].schema == arrow_schema({"fields": fields})
    assert not result.tables["data"].schema.field("id").nullable


def test_invalid_tables_are_nullable_where_values_failed(validate: Any) -> None:
    fields = [{"name": "id", "type": "integer", "constraints": {"required": True}}]
    result = validate(package(resource(fields=fields)), {"data/data.csv": "id\nx\n"})
    assert result.tables["data"].column("id").to_pylist() == [None]
    assert result.tables["data"].schema.field("id").nullable


def test_resource_names_must_be_unique(validate: Any) -> None:
    descriptor = package(resource(), resource())
    result = validate(descriptor, {"data/data.csv": "id\n1\n"})
    assert [e.type for e in result.report.errors] == ["resource-error"]
    assert "used twice" in result.report.errors[0].message


def test_missing_catalogue_metadata_is_a_package_error(validate: Any) -> None:
    descriptor = package(resource())
    del descriptor["title_en"], descriptor["themes"]
    result = validate(descriptor, {"data/data.csv": "id\n1\n"})
    assert not result.report.valid
    assert types(result) == ["package-error"]
    assert "title_en, themes" in result.report.errors[0].message


@pytest.mark.parametrize(
    ("text", "shown"),
    [("\x1b[31m", "\\x1b[31m"), ("757.2\u200b", "757.2\\u200b"), ("a\u202eb", "a\\u202eb"),
     ("\ufeffx", "\\ufeffx"), ("北京　2008", "北京　2008")],
)  # fmt: skip
def test_printable_escapes_what_would_hide_or_reorder_text(text: str, shown: str) -> None:
    assert validation.printable(text) == shown
