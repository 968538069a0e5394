"""A warning check that leaves groups unchecked says so: a table printing 30 provinces under
`complete: 31`, or a total whose parts are not all printed, is a note in the report and in
`summary()` (not a warning on rows, not silence that reads as "checked")."""

from __future__ import annotations

from typing import Any

from tests import contradiction

SUM = {"name": "provinces-add-up", "type": "sum_of_parts", "resource": "pension",
       "value": "value", "group_by": ["year", "indicator"], "parts": "region_code <> '000000'",
       "total": "region_code = '000000'", "complete": 31, "severity": "warning",
       "tolerance": 0.5}  # fmt: skip


def national_and_four_provinces() -> str:
    """The fixture's four provinces and a national line (000000) of their exact sum."""
    text = contradiction.csv_text()
    return text + "2008,000000,全国,participants,4440.5,\n"


def test_a_sum_over_an_incomplete_group_is_a_note_naming_the_group(validate: Any) -> None:
    package = {**contradiction.package(), "checks": [SUM]}
    report = validate(package, {"data/pension.csv": national_and_four_provinces()}).report
    assert report.valid and report.flagged == []
    assert len(report.notes) == 1
    note = report.notes[0]
    assert 'check "provinces-add-up" did not check 1 group(s)' in note
    assert "year=2008, indicator=participants (4 of 31 parts)" in note
    assert report.to_dict()["notes"] == report.notes
    assert 'note: data/pension.csv: check "provinces-add-up"' in report.summary()


def test_a_complete_group_leaves_no_note(validate: Any) -> None:
    package = {**contradiction.package(), "checks": [{**SUM, "complete": 4}]}
    report = validate(package, {"data/pension.csv": national_and_four_provinces()}).report
    assert report.notes == [] and "notes" not in report.to_dict()


def test_a_components_total_without_all_its_parts_is_a_note(validate: Any) -> None:
    lines = contradiction.csv_text().splitlines()
    text = "\n".join(line for line in lines if not line.startswith("2008,120000,天津,retirees"))
    report = validate(contradiction.package(), {"data/pension.csv": text + "\n"}).report
    assert report.valid and len(report.flagged) == 2
    assert report.notes and "year=2008, region_code=120000 (1 of 2 parts)" in report.notes[0]


def test_a_group_with_a_part_printed_twice_is_noted_as_such(validate: Any) -> None:
    package = {**contradiction.package(), "checks": [{**SUM, "complete": 3}]}
    report = validate(package, {"data/pension.csv": national_and_four_provinces()}).report
    assert "more parts than the 3 expected (a line printed twice?)" in report.notes[0]
    assert "(4 of 3 parts)" in report.notes[0]


def test_a_check_whose_where_matches_no_row_says_so(validate: Any) -> None:
    misspelt = {"type": "range", "resource": "pension", "field": "value", "min": 0,
                "max": 10**9, "where": "indicator = 'participantz'"}  # fmt: skip
    package = {**contradiction.package(), "checks": [misspelt]}
    report = validate(package, {"data/pension.csv": contradiction.csv_text()}).report
    assert report.valid
    assert report.notes == [
        "data/pension.csv: check 1 (range on pension) checked no row: its where"
        " (indicator = 'participantz') matches none (a misspelt code?)"
    ]
