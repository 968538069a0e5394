"""Domain checks from the descriptor's ``checks`` list (docs/descriptor.md)."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest

from tests.validation.conftest import package, resource, triples, types

OBS_FIELDS = [
    {"name": "indicator", "type": "string"},
    {"name": "region", "type": "string"},
    {"name": "year", "type": "year"},
    {"name": "unit", "type": "string"},
    {"name": "value", "type": "number"},
]
TEMPORAL = {"start": "2015", "end": "2024-12-31"}


def _check(validate: Any, rows: str, *checks: dict[str, Any], **kw: Any) -> Any:
    descriptor = package(
        resource("obs", "data/obs.csv", OBS_FIELDS),
        checks=[{"resource": "obs", **c} for c in checks],
        temporal=TEMPORAL,
    )
    return validate(descriptor, {"data/obs.csv": "indicator,region,year,unit,value\n" + rows}, **kw)


def test_non_negative_reports_negative_counts_only_where_asked(validate: Any) -> None:
    rows = "insured,520100,2023,人,-5\nrate,520100,2023,%,-1\ninsured,520300,2023,人,7\n"
    check = {"type": "non_negative", "fields": ["value"], "where": "unit <> '%'"}
    result = _check(validate, rows, check)
    assert triples(result) == [[2, "value", "non-negative-error"]]
    assert result.report.errors[0].message == (
        'data/obs.csv row 2, field "value": expected a value ≥ 0, found "-5"'
    )


def test_range_reports_rates_outside_0_to_100(validate: Any) -> None:
    rows = "rate,520100,2023,%,100.5\nrate,520300,2023,%,99.9\ncount,520300,2023,人,500\n"
    check = {"type": "range", "field": "value", "min": 0, "max": 100, "where": "unit = '%'"}
    result = _check(validate, rows, check)
    assert triples(result) == [[2, "value", "range-error"]]
    error = result.report.errors[0]
    assert (error.expected, error.found) == ("a value between 0 and 100", "100.5")


def test_within_temporal_reports_years_outside_the_package_temporal(validate: Any) -> None:
    rows = "a,520100,2014,人,1\na,520100,2015,人,1\na,520100,2024,人,1\na,520100,2025,人,1\n"
    result = _check(validate, rows, {"type": "within_temporal", "field": "year"})
    assert triples(result) == [[2, "year", "temporal-error"], [5, "year", "temporal-error"]]
    assert result.report.errors[0].expected == "a year from 2015 to 2024 (the package temporal)"


def test_within_temporal_reads_the_year_from_dates_and_strings(validate: Any) -> None:
    fields = [{"name": "d", "type": "date"}, {"name": "p", "type": "string"}]
    descriptor = package(
        resource("obs", "data/obs.csv", fields),
        checks=[
            {"type": "within_temporal", "resource": "obs", "field": "d"},
            {"type": "within_temporal", "resource": "obs", "field": "p"},
        ],
        temporal=TEMPORAL,
    )
    rows = "d,p\n2015-01-01,2015Q1\n2030-01-01,2030Q1\n"
    result = validate(descriptor, {"data/obs.csv": rows})
    assert triples(result) == [[3, "d", "temporal-error"], [3, "p", "temporal-error"]]


SUM_CHECK = {
    "type": "sum_of_parts",
    "value": "value",
    "group_by": ["indicator", "year"],
    "parts": "region <> '520000'",
    "total": "region = '520000'",
    "tolerance": 0.5,
}


def test_sum_of_parts_reports_the_total_row_of_a_group_that_does_not_add_up(validate: Any) -> None:
    rows = (
        "insured,520000,2023,人,30\ninsured,520100,2023,人,10\ninsured,520300,2023,人,20\n"
        "insured,520000,2024,人,31\ninsured,520100,2024,人,10\ninsured,520300,2024,人,20.4\n"
    )
    result = _check(validate, rows, SUM_CHECK)
    assert triples(result) == [[5, "value", "sum-error"]]
    error = result.report.errors[0]
    assert (error.expected, error.found) == ("the sum of its 2 parts, 30.4", "31")


def test_sum_of_parts_checks_only_complete_groups_when_asked(validate: Any) -> None:
    rows = (
        "insured,520000,2023,人,99\ninsured,520100,2023,人,10\n"  # one part of two: skipped
        "insured,520000,2024,人,99\ninsured,520100,2024,人,10\ninsured,520300,2024,人,20\n"
    )
    result = _check(validate, rows, {**SUM_CHECK, "complete": 2})
    assert triples(result) == [[4, "value", "sum-error"]]
    incomplete_too = _check(validate, rows, SUM_CHECK)
    assert triples(incomplete_too) == [[2, "value", "sum-error"], [4, "value", "sum-error"]]


WITHIN = {**SUM_CHECK, "type": "within_parts", "complete": 2, "tolerance": 1}


def test_within_parts_reports_an_average_outside_its_parts_range(validate: Any) -> None:
    rows = (
        "wage,520000,2023,元,90\nwage,520100,2023,元,95\nwage,520200,2023,元,80\n"
        "wage,520000,2024,元,97\nwage,520100,2024,元,95\nwage,520200,2024,元,80\n"
    )
    result = _check(validate, rows, WITHIN)
    assert triples(result) == [[5, "value", "within-error"]]
    assert result.report.errors[0].expected == "between its 2 parts' 80 and 95"


COMPONENTS = {
    "type": "components",
    "value": "value",
    "key": "indicator",
    "total": "insured_total",
    "parts": ["insured_urban", "insured_rural"],
    "match_on": ["region", "year"],
}


def test_components_reports_a_total_item_that_is_not_the_sum_of_its_parts(validate: Any) -> None:
    rows = (
        "insured_total,520100,2023,人,30\ninsured_urban,520100,2023,人,10\n"
        "insured_rural,520100,2023,人,20\n"
        "insured_total,520300,2023,人,50\ninsured_urban,520300,2023,人,10\n"
        "insured_rural,520300,2023,人,20\n"
        "insured_total,520400,2023,人,50\ninsured_urban,520400,2023,人,10\n"  # rural missing
    )
    result = _check(validate, rows, COMPONENTS)
    assert triples(result) == [[5, "value", "components-error"]]
    error = result.report.errors[0]
    assert error.expected == "the sum of insured_urban, insured_rural, 30"
    assert error.found == "50"


def test_components_naming_an_item_no_row_has_is_a_check_error(validate: Any) -> None:
    rows = "insured_total,520100,2023,人,30\ninsured_urban,520100,2023,人,10\n"
    misspelt = {**COMPONENTS, "parts": ["insured_urban", "insured_rurall"]}
    result = _check(validate, rows, misspelt)
    assert types(result) == ["check-error"]
    message = result.report.errors[0].message
    assert 'names "insured_rurall", which no row has as its "indicator"' in message


def test_not_above_compares_with_a_matching_reference_value(validate: Any) -> None:
    caps = [{"name": "region", "type": "string"}, {"name": "cap", "type": "number"}]
    descriptor = package(
        resource("obs", "data/obs.csv", OBS_FIELDS),
        resource("caps", "data/caps.csv", caps),
        checks=[
            {
                "type": "not_above",
                "resource": "obs",
                "value": "value",
                "reference": {"resource": "caps", "value": "cap"},
                "match_on": {"region": "region"},
            }
        ],
    )
    files = {
        "data/obs.csv": (
            "indicator,region,year,unit,value\na,520100,2023,人,10\na,520300,2023,人,11\n"
        ),
        "data/caps.csv": "region,cap\n520100,10\n520300,10.5\n",
    }
    result = validate(descriptor, files)
    assert triples(result) == [[3, "value", "not-above-error"]]
    assert result.report.errors[0].expected == "at most 10.5 (caps.cap)"


def test_not_above_reads_a_reference_from_another_package(validate: Any) -> None:
    check = {
        "type": "not_above",
        "value": "value",
        "reference": {"package": "wages", "resource": "minimum", "value": "amount"},
        "match_on": {"region": "code"},
    }

    def resolver(package_name: str, resource_name: str) -> pa.Table:
        return pa.table({"code": ["520100"], "amount": [1000.0]})

    rows = "a,520100,2023,元,1200\na,520100,2024,元,900\n"
    result = _check(validate, rows, check, references=resolver)
    assert triples(result) == [[2, "value", "not-above-error"]]


def test_sql_check_reports_the_rows_its_query_selects(validate: Any) -> None:
    check = {
        "type": "sql",
        "query": "SELECT _row, value FROM obs WHERE unit = '人' AND value <> round(value)",
        "message": "whole numbers of people",
    }
    rows = "a,520100,2023,人,10\na,520300,2023,人,10.5\n"
    result = _check(validate, rows, check)
    assert triples(result) == [[3, None, "sql-check-error"]]
    error = result.report.errors[0]
    assert (error.expected, error.found) == ("whole numbers of people", "value=10.5")
    assert "whole numbers of people" in error.message


def test_sql_check_cannot_read_files(validate: Any) -> None:
    check = {"type": "sql", "query": "SELECT 2 AS _row, * FROM read_csv('/etc/passwd')"}
    result = _check(validate, "a,520100,2023,人,1\n", check)
    assert types(result) == ["check-error"]
    assert "check 1 (sql on obs) cannot run" in result.report.errors[0].message


@pytest.mark.parametrize(
    ("check", "words"),
    [
        ({"type": "no_such_check"}, 'unknown type "no_such_check"'),
        ({"type": "non_negative", "fields": ["nope"]}, "nope"),
        ({"type": "range", "field": "value"}, '"min", "max"'),
        ({"type": "range", "field": "value", "min": "low"}, '"min" must be a number'),
        ({"type": "sum_of_parts", "value": "value", "group_by": ["year"]}, '"parts"'),
        ({"type": "components", "value": "value", "key": "indicator"}, '"total"'),
        (
            {"type": "not_above", "value": "value", "reference": {"resource": "x", "value": "v"}},
            '"x"',
        ),
        ({"type": "sql", "query": "SELEC nonsense"}, "cannot run"),
        ({"type": "sql", "query": "SELECT value FROM obs"}, "must select _row"),
        ({"type": "range", "field": "value", "min": 0, "where": "no_column > 1"}, "cannot run"),
    ],
)
def test_bad_check_declarations_are_check_errors_naming_the_check(
    validate: Any, check: dict[str, Any], words: str
) -> None:
    result = _check(validate, "a,520100,2023,人,1\n", {**check, "name": "my-check"})
    assert types(result) == ["check-error"]
    assert 'check "my-check"' in result.report.errors[0].message
    assert words in result.report.errors[0].message


def test_check_naming_an_unknown_resource_is_a_check_error(validate: Any) -> None:
    descriptor = package(
        resource("obs", "data/obs.csv", OBS_FIELDS),
        checks=[{"type": "non_negative", "resource": "nope", "fields": ["value"]}],
    )
    result = validate(descriptor, {"data/obs.csv": "indicator,region,year,unit,value\n"})
    assert types(result) == ["check-error"]


def test_within_temporal_without_package_temporal_is_a_check_error(validate: Any) -> None:
    descriptor = package(
        resource("obs", "data/obs.csv", OBS_FIELDS),
        checks=[{"type": "within_temporal", "resource": "obs", "field": "year"}],
    )
    del descriptor["temporal"]
    result = validate(descriptor, {"data/obs.csv": "indicator,region,year,unit,value\n"})
    assert types(result) == ["package-error", "check-error"]


def test_check_sql_fragments_cannot_smuggle_in_another_statement(validate: Any) -> None:
    # Parses as three statements once spliced into the check's query.
    where = "1=1)) AS x; DROP VIEW obs; SELECT * FROM (SELECT 1 AS _row, 1 AS value WHERE (1=1"
    smuggler = {"type": "non_negative", "fields": ["value"], "where": where}
    honest = {"type": "non_negative", "fields": ["value"]}
    result = _check(validate, "a,520100,2023,人,-1\n", smuggler, honest)
    assert types(result) == ["check-error", "non-negative-error"]
    assert "single SELECT" in result.report.errors[0].message
