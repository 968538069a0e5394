"""A `decimalsField` must agree with its value: a value with more decimals (trailing zeros
aside) than its row declares is an error naming the row, the field and both figures."""

from __future__ import annotations

from typing import Any

from tests.validation.conftest import package, resource, triples

FIELDS = [
    {"name": "id", "type": "integer"},
    {"name": "value", "type": "number", "decimalsField": "value_decimals"},
    {"name": "value_decimals", "type": "integer"},
]


def checked(validate: Any, rows: list[str]) -> Any:
    descriptor = package(resource("observations", "data/o.csv", FIELDS))
    text = "id,value,value_decimals\n" + "".join(row + "\n" for row in rows)
    return validate(descriptor, {"data/o.csv": text})


def test_values_within_their_declared_decimals_pass(validate: Any) -> None:
    rows = ["1,211,0", "2,211.50,1", "3,40147.0,1", "4,8021000,0", "5,-0.05,2", "6,7.5,", "7,,3"]
    result = checked(validate, rows)
    assert result.report.valid, [e.message for e in result.report.errors]


def test_a_value_with_more_decimals_than_declared_names_its_row(validate: Any) -> None:
    result = checked(validate, ["1,211,0", "2,211.5,0", "3,40147.25,1", "4,0.125,5"])
    assert triples(result) == [[3, "value", "constraint-error"], [4, "value", "constraint-error"]]
    first = result.report.errors[0]
    assert first.message == (
        'data/o.csv row 3, field "value": expected at most the decimals its "value_decimals"'
        ' field gives (0), found "211.5"'
    )
    assert first.found == "211.5" and first.field_number == 2


def test_bounds_and_enums_compare_exactly_with_exact_decimals(validate: Any) -> None:
    """A `minimum` on a `decimalsField` number crashed the validation: the bound was built as
    a double beside exact decimals (`Could not convert Decimal('0') ... to double`)."""
    bounded = {**FIELDS[1], "constraints": {"minimum": "0.005", "maximum": 100}}
    descriptor = package(resource("observations", "data/o.csv", [FIELDS[0], bounded, FIELDS[2]]))
    text = "id,value,value_decimals\n1,0.00,2\n2,0.01,2\n3,100.00,2\n4,100.01,2\n5,-3,0\n"
    result = validate(descriptor, {"data/o.csv": text})
    assert triples(result) == [
        [2, "value", "constraint-error"],
        [5, "value", "constraint-error"],
        [6, "value", "constraint-error"],
    ]
    listed = {**FIELDS[1], "constraints": {"enum": ["1.5", "0.001"]}}
    descriptor = package(resource("observations", "data/o.csv", [FIELDS[0], listed, FIELDS[2]]))
    result = validate(descriptor, {"data/o.csv": "id,value,value_decimals\n1,1.50,2\n2,0.00,2\n"})
    assert triples(result) == [[3, "value", "constraint-error"]]
