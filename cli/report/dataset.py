"""The figures as a dataset of the catalogue: `platform-usage-YYYY`, one per year.

A dataset per year, as the disclosure report is one per year: the slug names its year, its
frequency is annual, and a year still running is published again with the counts grown
(a new version only when a figure changed: the store is content-addressed, and nothing in
the folder but the figures moves; `issued` stays the day the first version was). The folder
is written where every dataset folder is (`OPENDATA_DATASETS`), so `opendata validate` and
`opendata build` treat it as any other, and is published by the same `Publisher`.

Its source is the platform itself: its usage log (`usage_daily` in the state database), its
register of data requests, and the store's version history.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from catalog.errors import OpenDataError
from catalog.store import Store
from cli.report.figures import FIGURES_PREFIX, Figure
from cli.report.render import as_csv

RESOURCE = "figures"


def slug_of(year: int) -> str:
    return f"{FIGURES_PREFIX}{year}"


def _field(
    name: str, kind: str, zh: str, en: str, description: str, **extra: Any
) -> dict[str, Any]:
    found = {"name": name, "type": kind, "title": zh, "title_en": en, "description": description}
    return {**found, **extra}


REQUIRED = {"constraints": {"required": True}}
FIELDS = [
    _field("year", "integer", "年度", "Year", "The calendar year (China time) counted.",
           **REQUIRED),
    _field("section", "string", "部分", "Section",
           "datasets (published, updated, open); use (downloads, API calls, page views);"
           " requests (依申请开放).", **REQUIRED),
    _field("indicator_code", "string", "指标代码", "Indicator code",
           "What is counted (docs/report.md lists them).", **REQUIRED),
    _field("indicator_zh", "string", "指标", "Indicator (zh)", "As the report prints it.",
           **REQUIRED),
    _field("indicator_en", "string", "指标（英文）", "Indicator", "In English.", **REQUIRED),
    _field("dataset", "string", "数据集", "Dataset",
           "A dataset's slug; `*` for use concerning no one dataset (catalogue feeds, searches,"
           " SQL) or naming none that exists; `_all` for a total.", **REQUIRED),
    _field("breakdown", "string", "细分", "Breakdown",
           "A channel (web, rest, ckan, sdmx, dcat), a 开放属性 (unconditional, conditional),"
           " a legal ground of a denial, or `_all`.", **REQUIRED),
    _field("breakdown_zh", "string", "细分名称", "Breakdown (zh)", "As the report prints it.",
           **REQUIRED),
    _field("breakdown_en", "string", "细分名称（英文）", "Breakdown", "In English.", **REQUIRED),
    _field("value", "number", "数值", "Value", "The figure, in `unit`.",
           decimalsField="value_decimals", **REQUIRED),
    _field("value_decimals", "integer", "小数位数", "Decimals",
           "Digits after the point of value: 0 for counts, 1 for the median.",
           constraints={"required": True, "minimum": 0}),
    _field("unit", "string", "计量单位", "Unit", "个 (datasets), 次 (times), 件 (requests),"
           " 个工作日 (working days).", **REQUIRED),
]  # fmt: skip


def descriptor(year: int, issued: str, base_url: str) -> dict[str, Any]:
    source = {"title": "HRSS Open Data 平台使用记录（usage_daily）、数据开放申请登记和版本历史 /"
                       " the platform's usage log, register of data requests and version history",
              "id": "PLATFORM"}  # fmt: skip
    if base_url:
        source["path"] = base_url.rstrip("/") + "/"
    return {
        "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
        "name": slug_of(year),
        "title": f"开放数据平台{year}年度数据开放情况统计",
        "title_en": f"The open-data platform's own figures, {year}",
        "description": (
            f"本平台{year}年度的数据开放情况：数据集发布、更新和开放属性，数据下载量、接口调用量和"
            "页面浏览量（按数据集和渠道），依申请开放的收件、办理结果（不予开放按法定理由）、逾期、"
            "结转和答复用时。由 `opendata report --year` 从平台自身记录生成，不含任何 IP 地址、"
            "令牌或用户代理。"
        ),
        "description_en": (
            f"The platform's own figures of {year}: datasets published, updated and open by"
            " access level; downloads, API calls and page views by dataset and channel; data"
            " requests received, decided (denials by legal ground), overdue, carried over, and"
            " the median reply time. Made by `opendata report --year` from the platform's own"
            " records; no IP address, token or user agent is kept."
        ),
        "keywords": ["政务公开", "年度报告", "开放数据", "平台统计"],
        "keywords_en": ["government transparency", "annual report", "open data", "usage"],
        "licenses": [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/"}],
        "sources": [source],
        "organization": {
            "name": "guizhou-hrss",
            "title": "贵州省人力资源和社会保障厅",
            "title_en": "Department of Human Resources and Social Security of Guizhou Province",
        },
        "themes": ["government-transparency"],
        "frequency": "annual",
        "access_level": "unconditional",
        "temporal": {"start": str(year), "end": str(year)},
        "spatial": ["520000"],
        "contact": {"name": "HRSS Open Data curators", "email": "opendata@example.org"},
        "issued": issued,
        "resources": [
            {
                "name": RESOURCE,
                "title": "平台统计数字",
                "title_en": "The platform's figures",
                "path": f"data/{RESOURCE}.csv",
                "format": "csv",
                "encoding": "utf-8",
                "schema": {
                    "fields": FIELDS,
                    "primaryKey": ["year", "indicator_code", "dataset", "breakdown"],
                },
            }
        ],
    }


def first_issued(store: Store, slug: str, today: datetime) -> str:
    """The `issued` of the version served now, else today (China time is close enough to
    a date: it is the day the figures first appeared)."""
    try:
        issued = store.package(slug).issued
    except (OpenDataError, OSError, ValueError):
        issued = None
    return str(issued) if issued else today.astimezone(UTC).date().isoformat()


def write_folder(
    datasets: Path, year: int, figures: list[Figure], issued: str, base_url: str
) -> Path:
    """The dataset folder of `year`'s figures, written (replaced) under `datasets`."""
    folder = datasets / slug_of(year)
    (folder / "data").mkdir(parents=True, exist_ok=True)
    (folder / "data" / f"{RESOURCE}.csv").write_text(as_csv(figures), encoding="utf-8")
    import yaml  # here: `opendata serve` imports this command's module, never runs it

    text = yaml.safe_dump(descriptor(year, issued, base_url), allow_unicode=True, sort_keys=False)
    (folder / "datapackage.yaml").write_text(text, encoding="utf-8")
    return folder
