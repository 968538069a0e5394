"""Reading the sources folder: the source list, its ids and titles, and a missing folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from curation.sources import (
    DISCLOSURE_TITLE,
    TIER_RANK,
    Source,
    describe_source,
    load_sources,
    read_rows,
    source_records,
    titled_by_kind,
)


def test_load_sources_numbers_them_in_file_order_with_the_report_last(sources_dir: Path) -> None:
    rows = read_rows(sources_dir / "sources.csv")
    sources = load_sources(sources_dir)
    assert len(rows) == 77
    assert [sources[row["source_url"]].source_id for row in rows] == [
        f"S{n:03d}" for n in range(1, 78)
    ]
    assert sources[DISCLOSURE_TITLE] == Source("S078", "", "A", ("official_guizhou_hrss_report",))


def test_load_sources_reads_the_tier_letter_and_every_kind(sources: dict[str, Source]) -> None:
    assert {s.tier for s in sources.values()} <= set(TIER_RANK)
    assert all(s.kinds and all(k == k.strip() and k for k in s.kinds) for s in sources.values())


def test_load_sources_names_the_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"sources\.csv"):
        load_sources(tmp_path / "nowhere")


def test_every_real_source_gets_a_title_and_publisher(sources: dict[str, Source]) -> None:
    records = source_records(sources)
    assert [r["source_id"] for r in records] == [f"S{n:03d}" for n in range(1, 79)]
    assert all(r["title_zh"] and r["title_en"] and r["publisher_zh"] for r in records)


@pytest.mark.parametrize(
    ("kind", "url", "title"),
    [("China Statistical Yearbook 2011, table 23-38", "https://www.stats.gov.cn/x",
      ("中国统计年鉴2011 表23-38", "China Statistical Yearbook 2011, table 23-38 (National Bureau"
       " of Statistics)", "国家统计局")),
     ("China Labour Statistical Yearbook 2009, table 9-2", "",
      ("中国劳动统计年鉴2009 表9-2", "China Labour Statistical Yearbook 2009, table 9-2 (NBS and"
       " MOHRSS)", "国家统计局、人力资源和社会保障部")),
     ("2010 Population Census tabulation 4-7 (towns)", "",
      ("2010年人口普查资料 表4-7（镇）", "2010 Population Census tabulation 4-7 (towns) (National"
       " Bureau of Statistics)", "国家统计局")),
     ("news_guizhou_daily", "http://www.gzdaily.cn/a.html",
      ("贵州日报报道（www.gzdaily.cn）", "Guizhou Daily report (www.gzdaily.cn)", "贵州日报"))],
)  # fmt: skip
def test_describe_source_derives_the_title_from_kind_and_host(
    kind: str, url: str, title: tuple[str, str, str]
) -> None:
    assert describe_source(Source("S001", url, "A", (kind,))) == title


def test_the_disclosure_report_is_titled_by_its_own_title() -> None:
    report = Source("S078", "", "A", ("official_guizhou_hrss_report",))
    assert describe_source(report)[0] == DISCLOSURE_TITLE


def test_a_more_specific_kind_wins_over_the_general_one() -> None:
    assert titled_by_kind("news_repro_mohrss_bulletin_english", "")[1] == (
        "MOHRSS statistical bulletin (English-language report)"
    )
    assert titled_by_kind("news_repro_mohrss_bulletin", "")[1] == (
        "MOHRSS statistical bulletin (reproduction)"
    )


def test_a_kind_without_a_title_rule_is_an_error() -> None:
    with pytest.raises(ValueError, match="no title rule for source kind 'blog'"):
        titled_by_kind("blog", "")
