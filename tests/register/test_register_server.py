"""The register of the real catalogue, through a real server: every published dataset once,
its 信息项 equal to the descriptor's data dictionary, the three formats saying the same, and
the undeclared codes left empty and said so (none is invented)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest

from catalog.register import ITEM_COLUMNS, RESOURCE_COLUMNS, catalogue_formats
from catalog.store import FolderStore, Package

FORMATS = ("csv", "xlsx", "json")


@pytest.fixture(scope="module")
def bodies(real_server: str) -> dict[str, httpx.Response]:
    return {f: httpx.get(f"{real_server}/catalog/register.{f}", timeout=60) for f in FORMATS}


@pytest.fixture(scope="module")
def published(real_store: Path) -> dict[str, Package]:
    store = FolderStore(real_store)
    return {slug: store.package(slug) for slug in store.slugs() if store.current(slug) is not None}


def csv_rows(body: bytes) -> list[dict[str, str]]:
    assert body.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only with its mark
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def xlsx_rows(body: bytes) -> list[dict[str, str]]:
    sheet = openpyxl.load_workbook(io.BytesIO(body), read_only=True).active
    assert sheet is not None
    rows = [
        [cell if cell is not None else "" for cell in row]
        for row in sheet.iter_rows(values_only=True)
    ]
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def json_resources(body: bytes) -> list[dict[str, Any]]:
    document = json.loads(body)
    assert document["count"] == len(document["resources"])
    resources: list[dict[str, Any]] = document["resources"]
    return resources


def test_register_lists_every_published_dataset_once(
    bodies: dict[str, httpx.Response], published: dict[str, Package]
) -> None:
    assert all(r.status_code == 200 for r in bodies.values())
    slugs = [r["dataset"] for r in json_resources(bodies["json"].content)]
    assert slugs == sorted(published)
    for rows in (csv_rows(bodies["csv"].content), xlsx_rows(bodies["xlsx"].content)):
        assert sorted({r["数据集标识"] for r in rows}) == sorted(published)


def test_register_items_are_the_descriptors_data_dictionaries(
    bodies: dict[str, httpx.Response], published: dict[str, Package]
) -> None:
    for resource in json_resources(bodies["json"].content):
        package = published[resource["dataset"]]
        expected = [
            (r.name, f.name, f.title or f.name)
            for r in package.resources
            for f in (r.table_schema.fields if r.table_schema else [])
        ]
        found = [(i["table"], i["identifier"], i["name"]) for i in resource["items"]]
        assert found == expected, package.name
        assert resource["name"] == package.title
        assert resource["keywords"] == package.keywords
        assert resource["issued"] == str(package.issued)


def test_register_items_carry_the_guides_data_type_of_each_field(
    bodies: dict[str, httpx.Response], published: dict[str, Package]
) -> None:
    # The guide's kinds: a whole number (a year too) is 整型I, a printed decimal 数值型N.
    kinds = {"integer": "整型I", "year": "整型I", "number": "数值型N", "string": "字符型C"}
    seen = set()
    for resource in json_resources(bodies["json"].content):
        package = published[resource["dataset"]]
        types = {
            (r.name, f.name): f.type
            for r in package.resources
            for f in (r.table_schema.fields if r.table_schema else [])
        }
        for item in resource["items"]:
            kind = types[(item["table"], item["identifier"])]
            if kind in kinds:
                assert item["data_type"] == kinds[kind], (package.name, item)
                seen.add(kind)
    assert seen >= {"integer", "number", "string"}  # no shipped table has a year field


def test_register_csv_xlsx_and_json_agree(bodies: dict[str, httpx.Response]) -> None:
    from_csv = csv_rows(bodies["csv"].content)
    assert xlsx_rows(bodies["xlsx"].content) == from_csv
    assert from_csv == flattened(json_resources(bodies["json"].content))


def flattened(resources: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The JSON as the CSV lays it out: one row per 信息项, lists joined with `；`."""
    rows = []
    headers = {key: header for key, header, _ in RESOURCE_COLUMNS}
    for resource in resources:
        head = {header: _text(resource[key]) for key, header, _ in RESOURCE_COLUMNS}
        for item in resource["items"]:
            cells = {header: item[key] for key, header, _ in ITEM_COLUMNS}
            undeclared = [headers[key] for key in resource["undeclared"]]
            rows.append({**head, **cells, "备注": _text(resource["notes"]),
                         "未声明元素": _text(undeclared)})  # fmt: skip
    return rows


def _text(value: Any) -> str:
    return "；".join(value) if isinstance(value, list) else str(value)


def test_register_leaves_undeclared_codes_empty_and_says_so(
    bodies: dict[str, httpx.Response], published: dict[str, Package]
) -> None:
    # No shipped descriptor declares the department's credit code or a resource code: the
    # sources hold neither, and the register must not make them up.
    for resource in json_resources(bodies["json"].content):
        package = published[resource["dataset"]]
        assert package.organization is not None and package.organization.credit_code is None
        assert resource["provider_code"] == "" and resource["code"] == ""
        assert resource["provider"] == package.organization.title
        assert "提供方统一社会信用代码未声明" in resource["notes"]
        assert "信息资源代码未声明" in resource["notes"]
        assert resource["open_type"] == "无条件开放"
        # ... and in a form a platform can act on: the keys of the elements left empty.
        assert resource["undeclared"] == [
            "code", "classification", "provider_code",
            "sharing_type", "sharing_conditions", "sharing_method",
        ]  # fmt: skip
        assert all(resource[key] == "" for key in resource["undeclared"])


def test_register_says_which_columns_are_undeclared_in_the_csv(
    bodies: dict[str, httpx.Response],
) -> None:
    for row in csv_rows(bodies["csv"].content):
        named = row["未声明元素"].split("；")
        assert named == ["信息资源代码", "信息资源分类", "提供方代码（统一社会信用代码）",
                         "共享类型", "共享条件", "共享方式"]  # fmt: skip
        assert all(row[header] == "" for header in named)


def test_register_formats_are_the_guides_types_and_sub_types(
    bodies: dict[str, httpx.Response],
) -> None:
    expected = [("电子表格", "csv"), ("电子表格", "xlsx"), ("自描述格式", "JSON"),
                ("服务接口", "OpenAPI"), ("其他", "Parquet")]  # fmt: skip
    assert list(catalogue_formats()) == expected
    for resource in json_resources(bodies["json"].content):
        pairs = list(zip(resource["format_types"], resource["format_subtypes"], strict=True))
        assert pairs == expected, resource["dataset"]
    row = csv_rows(bodies["csv"].content)[0]
    assert row["信息资源格式类型"] == "电子表格；电子表格；自描述格式；服务接口；其他"
    assert row["信息资源格式子类型"] == "csv；xlsx；JSON；OpenAPI；Parquet"


@pytest.mark.parametrize("extension", FORMATS)
def test_register_answers_revalidation_with_304_and_the_same_bytes_again(
    real_server: str, bodies: dict[str, httpx.Response], extension: str
) -> None:
    first = bodies[extension]
    assert first.headers["cache-control"] == "public, max-age=60"
    again = httpx.get(f"{real_server}/catalog/register.{extension}", timeout=60)
    assert again.headers["etag"] == first.headers["etag"] and again.content == first.content
    cached = httpx.get(
        f"{real_server}/catalog/register.{extension}",
        headers={"If-None-Match": first.headers["etag"]},
        timeout=60,
    )
    assert cached.status_code == 304 and cached.content == b""


def test_register_in_an_unknown_format_is_a_clear_400(real_server: str) -> None:
    answer = httpx.get(f"{real_server}/catalog/register.txt", timeout=60)
    assert answer.status_code == 400
    assert answer.json()["detail"] == "extension: Input should be 'csv', 'xlsx' or 'json'"
