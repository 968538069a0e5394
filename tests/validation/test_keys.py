"""Primary keys, unique fields and foreign keys (same package and across packages)."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from tests.validation.conftest import package, resource, triples, types

REGIONS = [{"name": "code", "type": "string"}, {"name": "name", "type": "string"}]
OBS = [
    {"name": "region", "type": "string"},
    {"name": "year", "type": "year"},
    {"name": "value", "type": "number"},
]


def test_primary_key_reports_duplicates_on_the_later_row(validate: Any) -> None:
    rows = "region,year,value\n520100,2023,1\n520100,2024,2\n520100,2023,3\n520100,2023,4\n"
    result = validate(
        package(resource(fields=OBS, primaryKey=["region", "year"])), {"data/data.csv": rows}
    )
    assert triples(result) == [
        [4, "region, year", "primary-key"],
        [5, "region, year", "primary-key"],
    ]
    assert result.report.errors[0].note == "the same as in the row at position 2"
    assert result.report.errors[1].note == "the same as in the row at position 4"
    assert "already used in row 2" in result.report.errors[0].message


def test_primary_key_reports_rows_whose_key_is_all_empty(validate: Any) -> None:
    rows = "region,year,value\n,,1\n"
    result = validate(
        package(resource(fields=OBS, primaryKey=["region", "year"])), {"data/data.csv": rows}
    )
    assert triples(result) == [[2, "region, year", "primary-key"]]


def test_unique_constraint_reports_repeats(validate: Any) -> None:
    fields = [{"name": "v", "type": "string", "constraints": {"unique": True}}]
    result = validate(package(resource(fields=fields)), {"data/data.csv": "v\na\nb\na\n\n\n"})
    assert triples(result) == [
        [4, "v", "unique-error"],
        [5, None, "blank-row"],
        [6, None, "blank-row"],
    ]


def _fk(package_name: str | None = None) -> list[dict[str, Any]]:
    reference: dict[str, Any] = {"resource": "regions", "fields": ["code"]}
    if package_name:
        reference["package"] = package_name
    return [{"fields": ["region"], "reference": reference}]


def test_foreign_key_reports_values_missing_from_the_same_package(validate: Any) -> None:
    descriptor = package(
        resource("regions", "data/regions.csv", REGIONS),
        resource("obs", "data/obs.csv", OBS, foreignKeys=_fk()),
    )
    files = {
        "data/regions.csv": "code,name\n520100,贵阳市\n520300,遵义市\n",
        "data/obs.csv": "region,year,value\n520100,2023,1\n529999,2023,2\n,2023,3\n",
    }
    result = validate(descriptor, files)
    assert triples(result) == [[3, "region", "foreign-key"]]
    error = result.report.errors[0]
    assert error.resource == "obs" and error.found == "529999"
    assert error.message == (
        'data/obs.csv row 3, field "region": expected a value of code in regions, found "529999"'
    )
    assert result.report.to_dict()["tasks"][1]["errors"][0]["referenceName"] == "regions"


def test_foreign_key_resolves_other_packages_through_the_resolver(validate: Any) -> None:
    codes = pa.table({"code": ["520100", "520300"], "name": ["贵阳市", "遵义市"]})
    asked: list[tuple[str, str]] = []

    def resolver(package_name: str, resource_name: str) -> pa.Table:
        asked.append((package_name, resource_name))
        if package_name != "region-codes":
            raise KeyError(package_name)
        return codes

    descriptor = package(resource("obs", "data/obs.csv", OBS, foreignKeys=_fk("region-codes")))
    rows = "region,year,value\n520300,2023,1\n520400,2023,2\n"
    result = validate(descriptor, {"data/obs.csv": rows}, references=resolver)
    assert triples(result) == [[3, "region", "foreign-key"]]
    assert "region-codes/regions" in result.report.errors[0].message
    assert asked == [("region-codes", "regions")]


def test_foreign_key_to_another_package_without_resolver_is_a_clear_error(validate: Any) -> None:
    descriptor = package(resource("obs", "data/obs.csv", OBS, foreignKeys=_fk("region-codes")))
    result = validate(descriptor, {"data/obs.csv": "region,year,value\n520300,2023,1\n"})
    assert types(result) == ["resource-error"]
    assert "no resolver" in result.report.errors[0].message


def test_foreign_key_to_an_unknown_package_is_a_clear_error(validate: Any) -> None:
    def resolver(package_name: str, resource_name: str) -> pa.Table:
        raise KeyError(package_name)

    descriptor = package(resource("obs", "data/obs.csv", OBS, foreignKeys=_fk("nowhere")))
    result = validate(
        descriptor, {"data/obs.csv": "region,year,value\n520300,2023,1\n"}, references=resolver
    )
    assert types(result) == ["resource-error"]
    assert 'package "nowhere"' in result.report.errors[0].message


def test_foreign_key_to_an_unknown_resource_is_a_clear_error(validate: Any) -> None:
    descriptor = package(resource("obs", "data/obs.csv", OBS, foreignKeys=_fk()))
    result = validate(descriptor, {"data/obs.csv": "region,year,value\n520300,2023,1\n"})
    assert types(result) == ["resource-error"]
    assert '"regions"' in result.report.errors[0].message
