"""What the register says of the shipped descriptors is true and Chinese: every table by its
real name, units in Chinese words, and each 更新周期 in the guide's words and as the data is
(a one-off historical table is not one republished every year)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from catalog.metadata import FREQUENCIES, UNIT_LABELS
from catalog.metadata.vocabularies import FREQUENCY_EU_CODES
from catalog.query import CATALOGUED
from catalog.register import DOWNLOAD_FORMATS, catalogue_register
from catalog.store import Package
from catalog.store.model import FREQUENCY_CODES

CHINESE = re.compile(r"[\u3400-\u9fff]")
DATASETS = Path(__file__).resolve().parents[2] / "datasets"
ONE_OFF = (
    "average-wage-by-province-and-ownership-2002",
    "guizhou-hrss-disclosure-2018",
    "guizhou-prefecture-average-wage-2016",
    "maternity-insurance-by-province-2010",
    "soe-employment-and-wages-by-province-2008",
)


@pytest.fixture(scope="module")
def resources(real_server: str) -> list[dict[str, Any]]:
    answer = httpx.get(f"{real_server}/catalog/register.json", timeout=60).json()
    found: list[dict[str, Any]] = answer["resources"]
    return found


def descriptors() -> dict[str, dict[str, Any]]:
    return {
        folder.name: yaml.safe_load((folder / "datapackage.yaml").read_text(encoding="utf-8"))
        for folder in sorted(DATASETS.iterdir())
        if (folder / "datapackage.yaml").is_file()
    }


def test_every_table_is_named_by_its_title_not_its_identifier(
    resources: list[dict[str, Any]],
) -> None:
    tables = {(r["dataset"], i["table"], i["table_title"]) for r in resources for i in r["items"]}
    unnamed = sorted(t for t in tables if t[1] == t[2] or not CHINESE.search(t[2]))
    assert unnamed == []
    maternity = next(r for r in resources if r["dataset"] == "maternity-insurance-by-province-2010")
    assert maternity["items"][0]["table_title"] == (
        "各地区生育保险基本情况（2010年）（《中国劳动统计年鉴2011》表10-26）"
    )


def test_every_shipped_table_has_a_zh_and_an_en_name() -> None:
    missing = [
        (slug, resource["name"])
        for slug, document in descriptors().items()
        for resource in document["resources"]
        if not (resource.get("title") and resource.get("title_en"))
    ]
    assert missing == []


def test_a_unit_code_reads_as_a_chinese_word_in_the_register(
    resources: list[dict[str, Any]],
) -> None:
    units = {u for r in resources for i in r["items"] for u in i["unit"].split("；") if u}
    assert "ratio" not in units and "比值" in units
    assert UNIT_LABELS["ratio"] == ("比值", "ratio")  # the English form stays for English


def test_a_declared_field_unit_code_is_labelled_too(real_store: Path) -> None:
    from catalog.store import FolderStore

    package = FolderStore(real_store).package("national-hrss-bulletin")
    document = package.model_dump(by_alias=True, exclude_none=True)
    document["resources"][0]["schema"]["fields"][0]["unit"] = "ratio"
    (entry,) = catalogue_register([Package.model_validate(document)])
    assert entry.items[0].unit == "比值"


def test_update_periods_are_the_guides_words() -> None:
    zh = {code: pair[0] for code, pair in FREQUENCIES.items()}
    assert set(zh) == set(FREQUENCY_CODES)
    guide = {"realtime": "实时", "daily": "每日", "weekly": "每周", "monthly": "每月",
             "quarterly": "每季度", "annual": "每年"}  # fmt: skip
    assert {code: zh[code] for code in guide} == guide
    assert "每天" not in zh.values()


def test_one_off_historical_tables_are_not_declared_annual(
    resources: list[dict[str, Any]],
) -> None:
    shipped = descriptors()
    one_year = sorted(
        slug
        for slug, document in shipped.items()
        if document["temporal"]["start"] == document["temporal"]["end"]
    )
    assert set(ONE_OFF) <= set(one_year)  # and region-codes: a code list as of one date
    assert [slug for slug in one_year if shipped[slug]["frequency"] == "annual"] == []
    assert {shipped[slug]["frequency"] for slug in ONE_OFF} == {"archived"}
    assert FREQUENCY_EU_CODES["archived"] == "NEVER"  # dct:accrualPeriodicity in DCAT
    periods = {r["dataset"]: r["frequency"] for r in resources}
    assert {periods[slug] for slug in ONE_OFF} == {"归档不更新"}


def test_every_catalogued_download_format_has_its_place_in_the_guide() -> None:
    # A format added to the catalogue without one would be missing from the register.
    assert set(DOWNLOAD_FORMATS) == {f.extension for f in CATALOGUED}
