"""The report's words: each figure's label as the disclosure report prints it, and in English.

The headings follow the department's annual 政府信息公开工作年度报告 (the 2018 one is the
dataset `guizhou-hrss-disclosure-2018`): a section per matter, each figure a line with its
unit (个, 次, 件, 个工作日); the outcomes of applications name the legal grounds of a refusal
as 《政府信息公开条例》 and the provincial regulation do (`catalog.state.GROUNDS`).
"""

from __future__ import annotations

from dataclasses import dataclass

from catalog.state import GROUNDS

SECTIONS = {
    "datasets": ("一、数据集开放情况", "1. Datasets opened"),
    "use": ("二、数据下载和接口调用情况", "2. Downloads and API calls"),
    "requests": ("三、依申请开放情况", "3. Data requests (依申请开放)"),
}
UNITS_EN = {"个": "datasets", "次": "times", "件": "requests", "个工作日": "working days"}


@dataclass(frozen=True)
class Label:
    section: str
    zh: str
    en: str
    unit: str


INDICATORS = {
    label_code: Label(*values)
    for label_code, values in {
        "datasets_published": ("datasets", "本年新发布数据集", "Datasets first published", "个"),
        "datasets_updated": ("datasets", "本年更新数据集", "Datasets updated", "个"),
        "dataset_updates": ("datasets", "本年数据集更新次数", "Updates (new versions)", "次"),
        "datasets_withdrawn": ("datasets", "本年撤回数据集", "Datasets withdrawn", "个"),
        "datasets_open": ("datasets", "年末开放数据集", "Datasets open at the year's end", "个"),
        "downloads": ("use", "数据下载量", "Downloads", "次"),
        "api_calls": ("use", "接口调用量", "API calls", "次"),
        "page_views": ("use", "数据集页面浏览量", "Dataset page views", "次"),
        "requests_received": ("requests", "本年新收数据开放申请", "Requests received", "件"),
        "requests_carried_in": ("requests", "上年结转申请", "Carried over from last year", "件"),
        "requests_granted": ("requests", "予以开放", "Granted", "件"),
        "requests_denied": ("requests", "不予开放", "Denied", "件"),
        "requests_withdrawn": ("requests", "申请人撤回", "Withdrawn by the applicant", "件"),
        "requests_extended": ("requests", "延期答复", "Deadline extended", "件"),
        "requests_answered_late": ("requests", "逾期答复", "Answered after the deadline", "件"),
        "requests_overdue": (
            "requests", "逾期未答复", "Not answered by the deadline (still open)", "件",
        ),
        "requests_carried_out": (
            "requests", "结转下年度继续办理", "Carried over to next year", "件",
        ),
        "reply_working_days_median": (
            "requests", "答复用时中位数", "Median reply time", "个工作日",
        ),
    }.items()
}  # fmt: skip

BREAKDOWNS = {
    "_all": ("合计", "total"),
    "web": ("网页", "web pages"),
    "rest": ("REST API", "REST API"),
    "ckan": ("CKAN API", "CKAN API"),
    "sdmx": ("SDMX", "SDMX"),
    "dcat": ("DCAT 目录", "DCAT feeds"),
    "unconditional": ("无条件开放", "open without conditions"),
    "conditional": ("有条件开放", "open on conditions"),
    **{code: (ground.zh, ground.en) for code, ground in GROUNDS.items()},
}
DATASETS = {"_all": ("合计", "total"), "*": ("不指向单个数据集", "not about one dataset")}


def breakdown_labels(code: str) -> tuple[str, str]:
    """The Chinese and English words of a breakdown; an unknown one (a ground no longer
    known) is its code."""
    return BREAKDOWNS.get(code, (code, code))
