"""The report's text in the shape of the disclosure report, Chinese and English, and its CSV
and JSON rows, from figures kept in the state database (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import io
import json

from catalog.state import OTHER, RequestFigures, State, UsageKey, UsageLog
from cli.report.figures import Figure, requests_figures, usage_figures
from cli.report.render import as_csv, as_json, as_text, width


def figures(state: State) -> list[Figure]:
    UsageLog(state.database).add({
        UsageKey("2026-01-01", "wages", "download", "rest"): 7,
        UsageKey("2026-06-30", "wages", "download", "web"): 2,
        UsageKey("2026-06-30", OTHER, "api_call", "dcat"): 4,
        UsageKey("2027-01-01", "wages", "download", "rest"): 100,  # another year
    })  # fmt: skip
    asked = RequestFigures(2026, received=3, granted=1, denied={"repeated": 1}, overdue=2,
                           answered_late=1, median_reply_working_days=2.5)  # fmt: skip
    return [*usage_figures(UsageLog(state.database), 2026), *requests_figures(asked)]


def line(text: str, start: str) -> list[str]:
    found = [row.split() for row in text.splitlines() if row.strip().startswith(start)]
    assert len(found) == 1, (start, text)
    return found[0]


def test_report_text_prints_the_use_by_channel_and_dataset(state: State) -> None:
    found = figures(state)
    text = as_text(found, "TITLE")
    assert text.startswith("TITLE\n\n一、数据集开放情况\n")
    assert line(text, "REST API") == ["REST", "API", "7", "0", "0"]
    assert line(text, "网页") == ["网页", "2", "0", "0"]
    assert line(text, "wages") == ["wages", "9", "0", "0"]
    assert line(text, "不指向单个数据集") == ["不指向单个数据集", "0", "4", "0"]
    assert line(text, "不予开放") == ["不予开放", "1", "件"]
    assert line(text, "其中：重复申请") == ["其中：重复申请", "1", "件"]
    assert line(text, "答复用时中位数") == ["答复用时中位数", "2.5", "个工作日"]
    assert line(text, "逾期答复") == ["逾期答复", "1", "件"]
    assert line(text, "逾期未答复") == ["逾期未答复", "2", "件"]
    english = as_text(found, "TITLE", "en")
    assert line(english, "Denied") == ["Denied", "1", "request"]  # not "1 requests"
    assert line(english, "Requests received") == ["Requests", "received", "3", "requests"]
    assert line(english, "Answered after") == [
        "Answered",
        "after",
        "the",
        "deadline",
        "1",
        "request",
    ]
    assert line(english, "not about one dataset") == [
        "not",
        "about",
        "one",
        "dataset",
        "0",
        "4",
        "0",
    ]


def test_report_text_keeps_its_column_past_a_long_ground() -> None:
    asked = RequestFigures(2026, denied={"security-or-stability": 3, "repeated": 1})
    for lang, unit in (("zh", " 件"), ("en", " request")):
        text = as_text(requests_figures(asked), "TITLE", lang)
        rows = [r.rstrip("s") for r in text.splitlines() if r.rstrip("s").endswith(unit)]
        assert len(rows) > 10 and len({width(r) for r in rows}) == 1, text  # one column


def test_report_csv_and_json_hold_the_same_rows(state: State) -> None:
    found = figures(state)
    rows = list(csv.DictReader(io.StringIO(as_csv(found))))
    document = json.loads(as_json(found, 2026, "TITLE"))
    assert [{k: str(v) for k, v in row.items()} for row in document["rows"]] == rows
    median = [r for r in document["rows"] if r["indicator_code"] == "reply_working_days_median"]
    assert median[0]["value"] == 2.5 and median[0]["unit"] == "个工作日"
    downloads = {(r["dataset"], r["breakdown"]): r["value"] for r in document["rows"]
                 if r["indicator_code"] == "downloads"}  # fmt: skip
    assert downloads[("_all", "_all")] == 9 and downloads[("wages", "rest")] == 7
