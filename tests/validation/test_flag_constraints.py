"""A warning check writes its flags after the schema's constraints were checked, so the
flags field may declare no constraint they could break (issue 12 attack, 11)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests import contradiction
from tests.validation.conftest import types

FILES = {"data/pension.csv": contradiction.csv_text()}


def with_flag_constraints(constraints: dict[str, Any], **check: Any) -> dict[str, Any]:
    descriptor = copy.deepcopy(contradiction.package(**check))  # its fields are shared
    for field in descriptor["resources"][0]["schema"]["fields"]:
        if field["name"] == "flags":
            field["constraints"] = constraints
    return descriptor


@pytest.mark.parametrize(
    ("constraints", "named"),
    [({"maxLength": 7}, "maxLength"), ({"enum": ["", "rounded", "revised"]}, "enum"),
     ({"pattern": "^[a-z]*$", "required": False}, "pattern"),
     ({"unique": True, "minLength": 1}, "minLength, unique")],
)  # fmt: skip
def test_a_constraint_on_the_flags_a_warning_writes_is_a_declaration_error(
    validate: Any, constraints: dict[str, Any], named: str
) -> None:
    result = validate(with_flag_constraints(constraints), FILES)
    assert types(result) == ["check-error"]
    assert not result.report.valid
    message = result.report.errors[0].message
    assert 'check "participants-add-up"' in message
    assert (
        'writes the "flags" field of pension after its constraints are checked; that field'
        f" may declare no constraint but required, found {named}"
    ) in message


def test_required_is_allowed_for_flagging_only_adds(validate: Any) -> None:
    text = contradiction.csv_text().replace(",\n", ",none\n")
    result = validate(with_flag_constraints({"required": True}), {"data/pension.csv": text})
    assert result.report.valid, [e.message for e in result.report.errors]
    assert result.tables["pension"].column("flags").to_pylist()[0] == "rounded;contradicted"


def test_an_error_check_leaves_the_flags_field_as_declared(validate: Any) -> None:
    descriptor = with_flag_constraints({"maxLength": 7}, severity=None)
    result = validate(descriptor, FILES)
    assert types(result) == ["components-error", "components-error"]
