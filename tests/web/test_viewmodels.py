"""The pure parts of the pages: citations, charts, highlighting, safe Markdown, year facets."""

from __future__ import annotations

from datetime import date

from catalog.metadata.citation import apa, gbt7714
from catalog.search import covered_years
from catalog.store import Package
from web import build_chart, highlight, markdown_html, snippet
from web.charts import Series, compact, line_chart, nice_ticks

DESCRIPTOR = {
    "name": "wages-test",
    "title": "测试工资",
    "title_en": "Test wages",
    "version": "20260101T000000Z-abc",
    "organization": {"name": "test-org", "title": "测试单位", "title_en": "Test unit"},
    "build": {"published": "2026-01-02T03:04:05Z"},
    "issued": "2025-12-31",
    "temporal": {"start": "2019", "end": "2021-06-30"},
}
URL = "https://data.example.org/dataset/wages-test"


def test_gbt7714_cites_a_dataset_online_with_update_and_access_dates() -> None:
    assert gbt7714(Package.of(DESCRIPTOR), URL, date(2026, 3, 1)) == (
        "测试单位. 测试工资[DS/OL]. 版本 20260101T000000Z-abc. (2026-01-02)[2026-03-01]. "
        "https://data.example.org/dataset/wages-test."
    )


def test_apa_cites_a_data_set_with_its_english_title_and_version() -> None:
    assert apa(Package.of(DESCRIPTOR), URL, "开放数据平台") == (
        "测试单位. (2026). 测试工资 [Test wages] (Version 20260101T000000Z-abc) [Data set]. "
        "开放数据平台. https://data.example.org/dataset/wages-test"
    )


def test_years_covered_spans_temporal_start_to_end() -> None:
    assert covered_years(Package.of(DESCRIPTOR)) == [2019, 2020, 2021]
    assert covered_years(
        Package.of({"name": "x", "temporal": {"start": "2018", "end": "2018"}})
    ) == [2018]
    assert covered_years(Package.of({"name": "x"})) == []


def test_highlight_escapes_and_marks_every_match() -> None:
    assert highlight("<b>养老</b>保险与养老金", ["养老"]) == (
        "&lt;b&gt;<mark>养老</mark>&lt;/b&gt;保险与<mark>养老</mark>金"
    )


def test_snippet_starts_near_the_first_match() -> None:
    text = "甲" * 200 + "最低工资" + "乙" * 200
    assert "最低工资" in snippet(text, ["最低工资"], width=60)


def test_markdown_escapes_html_and_refuses_script_links() -> None:
    html = markdown_html("**粗体** <script>alert(1)</script> [x](javascript:alert(1))")
    assert "<strong>粗体</strong>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="javascript' not in html


def test_chart_lines_never_bridge_a_missing_year() -> None:
    svg = line_chart(
        [Series("全国", [(2011, 1.0), (2012, 2.0), (2014, 3.0), (2015, 4.0)])], title="t", unit="人"
    )
    assert svg.count("<polyline") == 2
    assert svg.count("<circle") == 4


def test_chart_escapes_labels() -> None:
    svg = line_chart([Series("<x>", [(2020, 1.0), (2021, 2.0)])], title="a&b", unit="")
    assert "<x>" not in svg and "&lt;x&gt;" in svg and "a&amp;b" in svg


def test_build_chart_picks_the_indicator_with_most_years_and_drops_the_total() -> None:
    rows = [
        {"indicator_code": "a", "region_code": r, "year": y, "unit": "人", "max_value": v}
        for r, v in (("000000", 100.0), ("110000", 1.0), ("120000", 2.0), ("130000", 3.0))
        for y in (2010, 2011, 2012)
    ] + [{"indicator_code": "b", "region_code": "000000", "year": 2010, "max_value": 1.0}]
    chart = build_chart(rows, "", {"a": "指标A"}, {"110000": "北京"}, "zh")
    assert chart is not None
    assert chart.indicator == "a" and chart.indicators == [("a", "指标A")]
    assert [s.name for s in chart.series] == ["北京", "120000", "130000"]


def test_compact_numbers_and_round_ticks() -> None:
    assert compact(467_730_000, "zh") == "4.68亿"
    assert compact(467_730_000, "en") == "468M"
    assert nice_ticks(0, 4.7e8) == [0.0, 2e8, 4e8, 6e8]
