"""Types and per-cell constraints."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from tests.validation.conftest import package, resource, triples, types


def _one_field(validate: Any, field: dict[str, Any], values: list[str]) -> Any:
    fields = [{"name": "id", "type": "integer"}, {"name": "v", **field}]
    content = "id,v\n" + "".join(f'{i},"{v}"\n' for i, v in enumerate(values))
    return validate(package(resource(fields=fields)), {"data/data.csv": content})


@pytest.mark.parametrize(
    ("field", "good", "bad"),
    [
        ({"type": "integer"}, ["1", "-2", "+3", " 4 "], ["1.5", "1e3", "x", "12.0", "9" * 20]),
        ({"type": "number"}, ["1.5", "-2", "1e3", ".5", "NaN"], ["12,3", "1.2.3", "x", "¥3"]),
        ({"type": "number", "decimals": 2}, ["1.5", "-2", "3.25"], ["3.125", "1e3", "x"]),
        ({"type": "boolean"}, ["true", "False", "1", "0"], ["yes", "t", "2"]),
        (
            {"type": "date"},
            ["2024-02-29", "2023-12-31"],
            ["2023-02-29", "2023-1-5", "2023/01/05", "0000-01-01"],
        ),
        (
            {"type": "datetime"},
            ["2024-01-05T10:11:12", "2024-01-05 10:11:12.5Z"],
            ["2024-01-05T25:00:00", "x"],
        ),
        ({"type": "year"}, ["2023", "1999"], ["23", "2023-01", "x"]),
        ({"type": "yearmonth"}, ["2023-01", "2023-12"], ["2023-13", "2023-1", "x"]),
    ],
)
def test_cast_reports_each_bad_value_of_each_type(
    validate: Any, field: dict[str, Any], good: list[str], bad: list[str]
) -> None:
    result = _one_field(validate, field, good + bad)
    first_bad = len(good) + 2
    assert triples(result) == [[first_bad + i, "v", "type-error"] for i in range(len(bad))]
    assert [e.found for e in result.report.errors] == bad


def test_cast_produces_exact_values(validate: Any) -> None:
    fields = [
        {"name": "n", "type": "number", "decimals": 2},
        {"name": "d", "type": "date"},
        {"name": "t", "type": "datetime"},
        {"name": "y", "type": "year"},
        {"name": "b", "type": "boolean", "trueValues": ["是"], "falseValues": ["否"]},
        {"name": "g", "type": "number", "groupChar": ",", "decimalChar": "."},
    ]
    content = 'n,d,t,y,b,g\n0.10,2024-02-29,2024-01-05T10:11:12.25,2023,是,"1,234.5"\n'
    result = validate(package(resource(fields=fields)), {"data/data.csv": content})
    assert result.report.valid, result.report.summary()
    assert result.tables["data"].to_pylist() == [
        {
            "n": Decimal("0.10"),
            "d": dt.date(2024, 2, 29),
            "t": dt.datetime(2024, 1, 5, 10, 11, 12, 250000),
            "y": 2023,
            "b": True,
            "g": 1234.5,
        }
    ]


def test_cast_honours_a_custom_date_format(validate: Any) -> None:
    result = _one_field(
        validate, {"type": "date", "format": "%d/%m/%Y"}, ["05/01/2023", "30/02/2023"]
    )
    assert triples(result) == [[3, "v", "type-error"]]


@pytest.mark.parametrize(
    ("field", "values", "bad_rows"),
    [
        ({"type": "string", "constraints": {"required": True}}, ["a", "", "b"], [3]),
        ({"type": "integer", "constraints": {"minimum": 0}}, ["0", "-1", "5"], [3]),
        ({"type": "number", "constraints": {"maximum": 100}}, ["100", "100.5"], [3]),
        (
            {"type": "date", "constraints": {"minimum": "2020-01-01"}},
            ["2019-12-31", "2020-01-01"],
            [2],
        ),
        ({"type": "string", "constraints": {"minLength": 2}}, ["ab", "a"], [3]),
        ({"type": "string", "constraints": {"maxLength": 2}}, ["ab", "abc"], [3]),
        (
            {"type": "string", "constraints": {"pattern": "52[0-9]{4}"}},
            ["520100", "5201000", "x"],
            [3, 4],
        ),
        ({"type": "string", "constraints": {"enum": ["男", "女"]}}, ["男", "其他", "女"], [3]),
        ({"type": "integer", "constraints": {"enum": [1, 2]}}, ["1", "3"], [3]),
    ],
)
def test_constraints_report_the_violating_rows(
    validate: Any, field: dict[str, Any], values: list[str], bad_rows: list[int]
) -> None:
    result = _one_field(validate, field, values)
    assert triples(result) == [[row, "v", "constraint-error"] for row in bad_rows]


def test_constraints_skip_cells_that_already_failed_their_type(validate: Any) -> None:
    field = {"type": "integer", "constraints": {"required": True, "minimum": 0}}
    result = _one_field(validate, field, ["x"])
    assert types(result) == ["type-error"]


def test_constraint_message_says_what_was_expected(validate: Any) -> None:
    result = _one_field(validate, {"type": "integer", "constraints": {"minimum": 0}}, ["-3"])
    error = result.report.errors[0]
    assert error.message == 'data/data.csv row 2, field "v": expected at least 0, found "-3"'
    assert error.note == 'constraint "minimum" is "0"'


@pytest.mark.parametrize(
    "schema",
    [
        {"fields": [{"name": "v", "type": "currency"}]},
        {"fields": []},
        {"fields": [{"name": "v"}, {"name": "v"}]},
        {"fields": [{"name": "v", "constraints": {"pattern": "("}}]},
        {"fields": [{"name": "v", "constraints": {"unknown": 1}}]},
        {"fields": [{"name": "v"}], "primaryKey": ["w"]},
        {"fields": [{"name": "v", "type": "integer", "decimals": 2}]},
        {"fields": [{"name": "v", "type": "number", "decimals": 18}]},
    ],
)
def test_schema_problems_are_schema_errors(validate: Any, schema: dict[str, Any]) -> None:
    descriptor = package({"name": "data", "path": "data/data.csv", "schema": schema})
    result = validate(descriptor, {"data/data.csv": "v\n1\n"})
    assert types(result) == ["schema-error"]
