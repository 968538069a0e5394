"""The register speaks Chinese and states units: 信息项描述 from the field's Chinese text or the
register's own, 计量单位 from the field or from its data, 更新周期 as the descriptor says."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from catalog.metadata import FREQUENCIES, language_of

DATASETS = Path(__file__).resolve().parents[2] / "datasets"


@pytest.fixture(scope="module")
def resources(real_server: str) -> list[dict[str, Any]]:
    answer = httpx.get(f"{real_server}/catalog/register.json", timeout=60).json()
    found: list[dict[str, Any]] = answer["resources"]
    return found


def items(resources: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [item for resource in resources for item in resource["items"]]


def test_every_item_description_is_chinese(resources: list[dict[str, Any]]) -> None:
    # Chinese as dcat.md's `language_of` says (Han characters at least as many as Latin
    # letters): an English sentence holding `万` is not (issue 14: 41 such items).
    english = [(i["table"], i["identifier"], i["description"]) for i in items(resources)
               if language_of(i["description"]) != "zh"]  # fmt: skip
    assert english == []
    indicators = next(r for r in resources if r["dataset"] == "guizhou-hrss-indicators")
    unit = next(i for i in indicators["items"] if i["identifier"] == "unit")
    assert unit["description"] == "数值的规范计量单位（已去掉万、亿等数量级）"
    bulletin = next(r for r in resources if r["dataset"] == "national-hrss-bulletin")
    code = next(i for i in bulletin["items"] if i["identifier"] == "region_code")
    assert code["description"] == "行政区划代码（GB/T 2260），000000 表示全国"


def test_the_value_of_a_long_table_has_the_units_its_data_states(
    resources: list[dict[str, Any]],
) -> None:
    maternity = next(r for r in resources if r["dataset"] == "maternity-insurance-by-province-2010")
    units = {i["identifier"]: i["unit"] for i in maternity["items"]}
    assert set(units["value"].split("；")) == {"人", "元"}
    assert set(units["value_as_printed"].split("；")) == {"万人", "亿元"}
    assert units["region_code"] == ""  # no unit declared or stated: none is made up


def test_the_update_period_is_the_descriptors_frequency(resources: list[dict[str, Any]]) -> None:
    for resource in resources:
        declared = yaml.safe_load((DATASETS / resource["dataset"] / "datapackage.yaml").read_text())
        assert resource["frequency"] == FREQUENCIES[declared["frequency"]][0], resource["dataset"]


def test_the_home_page_and_the_api_page_link_the_register(real_server: str) -> None:
    for path in ("/", "/api"):
        page = httpx.get(real_server + path, headers={"Accept": "text/html"}, timeout=30).text
        assert 'href="/catalog/register.xlsx"' in page and 'href="/catalog/register.csv"' in page


def test_units_printed_in_another_script_are_given_in_chinese(
    resources: list[dict[str, Any]],
) -> None:
    """The sources print `million persons` (English bulletin), `억원` (Korean page), `億元`
    (Japanese yearbook): the register gives the guide's Chinese unit, the printed form after."""
    units = {
        (r["dataset"], i["table"], i["identifier"]): i["unit"].split("；")
        for r in resources
        for i in r["items"]
    }
    bulletin = units[("national-hrss-bulletin", "observations", "value_as_printed")]
    assert "百万人（原文印作 million persons）" in bulletin and "亿元（原文印作 억원）" in bulletin
    soe = units[("soe-employment-and-wages-by-province-2008", "observations", "value_as_printed")]
    assert "亿元（原文印作 億元）" in soe
    for found in (u for cells in units.values() for u in cells if u):
        assert language_of(found.split("（")[0]) == "zh", found
        assert not any(
            "\uac00" <= c <= "\ud7af" or "\u3040" <= c <= "\u30ff" for c in found.split("（")[0]
        )
