"""Checks with `severity: warning`: the data validates, and the rows they report are flagged
(real figures that contradict themselves, see tests/contradiction.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests import contradiction
from tests.contradiction import CONTRADICTED_ROWS, FLAG
from tests.validation.conftest import types
from validation.flags import joined

FILES = {"data/pension.csv": contradiction.csv_text()}


def flags_of(result: Any) -> list[str | None]:
    flags: list[str | None] = result.tables["pension"].column("flags").to_pylist()
    return flags


def test_a_warning_check_validates_and_flags_exactly_the_rows_it_reports(validate: Any) -> None:
    result = validate(contradiction.package(), FILES)
    assert result.report.valid and result.report.errors == []
    flagged = result.report.tasks[0].flagged
    assert [f.problem.row for f in flagged] == CONTRADICTED_ROWS
    assert {f.flag for f in flagged} == {FLAG}
    beijing = flagged[0].problem
    assert (beijing.field, beijing.found) == ("value", "757.2")
    assert beijing.expected == "the sum of contributing_workers, retirees, 757.1"
    # The transcriber's flags stay first; rows the check did not report keep theirs as given.
    assert flags_of(result) == [
        "rounded;contradicted", None, None, "revised", None, None,
        None, None, None, "contradicted", None, None,
    ]  # fmt: skip


def test_the_report_is_valid_with_the_warnings_located(validate: Any) -> None:
    report = validate(contradiction.package(), FILES).report.to_dict()
    json.dumps(report)
    assert report["valid"] is True
    assert report["stats"]["errors"] == 0 and report["stats"]["warnings"] == 2
    task = report["tasks"][0]
    assert task["valid"] is True and task["stats"]["warnings"] == 2
    assert all(isinstance(text, str) and "[contradicted]" in text for text in task["warnings"])
    located = task["flagged"]
    assert [(w["rowNumber"], w["fieldName"], w["found"], w["flag"]) for w in located] == [
        (2, "value", "757.2", FLAG),
        (11, "value", "2444.3", FLAG),
    ]
    assert located[1]["expected"] == "the sum of contributing_workers, retirees, 2444.2"
    assert located[1]["type"] == "components-error" and "row 11" in located[1]["message"]


def test_the_default_flag_is_the_check_type(validate: Any) -> None:
    result = validate(contradiction.package(flag=None), FILES)
    assert flags_of(result)[9] == "components"


def test_the_same_check_as_an_error_makes_the_data_invalid(validate: Any) -> None:
    for severity in ("error", None):
        result = validate(contradiction.package(severity=severity), FILES)
        assert not result.report.valid
        assert [e.row for e in result.report.errors] == CONTRADICTED_ROWS
        assert result.report.tasks[0].flagged == []


def test_two_warning_checks_flag_a_row_once_per_flag_in_declared_order(validate: Any) -> None:
    descriptor = contradiction.package()
    above = {"type": "range", "resource": "pension", "field": "value", "max": 2000}
    descriptor["checks"] += [
        {**above, "severity": "warning", "flag": "large"},
        {**contradiction.check(), "name": "again"},
    ]
    result = validate(descriptor, FILES)
    assert result.report.valid
    assert flags_of(result)[9] == "contradicted;large"  # 广东: 2444.3 and 2171.2 are large
    assert flags_of(result)[10] == "large"
    assert result.report.to_dict()["stats"]["warnings"] == 6


def test_a_warning_check_without_a_flags_string_field_is_a_declaration_error(
    validate: Any,
) -> None:
    descriptor = contradiction.package()
    fields = descriptor["resources"][0]["schema"]["fields"]
    descriptor["resources"][0]["schema"]["fields"] = [f for f in fields if f["name"] != "flags"]
    text = contradiction.csv_text().replace(",flags\n", "\n")
    rows = [line.rsplit(",", 1)[0] for line in text.splitlines()[1:]]
    result = validate(descriptor, {"data/pension.csv": "\n".join([text.splitlines()[0], *rows])})
    assert types(result) == ["check-error"]
    message = result.report.errors[0].message
    assert 'check "participants-add-up"' in message and '"flags" field of type string' in message


@pytest.mark.parametrize(
    ("options", "words"),
    [({"severity": "fatal"}, 'severity "fatal"'), ({"flag": "two words"}, 'flag "two words"')],
)
def test_a_bad_severity_or_flag_is_a_declaration_error(
    validate: Any, options: dict[str, Any], words: str
) -> None:
    result = validate(contradiction.package(**options), FILES)
    assert types(result) == ["check-error"]
    assert words in result.report.errors[0].message


def test_flags_are_joined_once_each_in_a_stable_order() -> None:
    assert joined(None, ["a"]) == "a"
    assert joined("", ["a", "b"]) == "a;b"
    assert joined("x;a", ["a", "b", "b"]) == "x;a;b"


def test_the_terminal_summary_lists_the_warnings(validate: Any) -> None:
    lines = validate(contradiction.package(), FILES).report.summary().splitlines()
    assert lines[0] == "valid: 1 resource(s), 12 row(s), 2 warning(s)"
    assert lines[1].startswith('  [contradicted] data/pension.csv row 2, field "value"')
