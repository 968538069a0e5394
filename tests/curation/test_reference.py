"""The reference tables: complete, consistent with each other, their headers checked."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from curation import reference
from curation.sources import read_rows


def test_indicator_codes_are_unique_and_use_known_measures_and_themes() -> None:
    rows = reference.read_table(
        "indicators.csv", ("code", "name_zh", "name_en", "measure", "theme")
    )
    assert len(reference.indicators()) == len(rows) == 257
    for indicator in reference.indicators().values():
        assert re.fullmatch(r"[a-z0-9_]+", indicator.code)
        assert indicator.measure in reference.MEASURES
        assert indicator.theme in reference.THEMES
        assert indicator.name_zh and indicator.name_en


def test_regions_are_the_nation_its_provinces_xpcc_and_prefectures() -> None:
    regions = reference.regions()
    levels = [r.level for r in regions]
    assert levels.count("national") == 1
    assert levels.count("province") == 32  # 31 provinces and 660000, the XPCC
    assert {r.code for r in regions if r.parent_code == "520000"} == {
        "520100", "520200", "520300", "520400", "520500", "520600", "522300", "522600", "522700",
    }  # fmt: skip
    xpcc = next(r for r in regions if r.code == "660000")
    assert "NOT an official GB/T 2260 code" in xpcc.note


def test_every_region_and_county_has_a_unique_six_digit_code_under_a_known_parent() -> None:
    codes = [r.code for r in reference.regions()] + [c.code for c in reference.counties().values()]
    assert len(codes) == len(set(codes))
    assert all(re.fullmatch(r"\d{6}", code) for code in codes)
    parents = {r.code for r in reference.regions()}
    assert {r.parent_code for r in reference.regions()} - parents == {""}
    assert {c.code[:4] + "00" for c in reference.counties().values()} <= parents


def test_every_county_of_the_tier_list_has_a_verified_code(sources_dir: Path) -> None:
    printed = {
        row["county_or_district_zh"]
        for row in read_rows(sources_dir / "guizhou_min_wage_tier_areas.csv")
    }
    assert printed == set(reference.counties())


def test_every_indicator_of_the_sources_has_metadata(sources_dir: Path) -> None:
    used = {
        row["indicator_code"]
        for path in sources_dir.glob("*.csv")
        for row in read_rows(path)
        if "indicator_code" in row
    }
    assert used and used <= set(reference.indicators())


def test_read_table_refuses_a_header_it_does_not_expect() -> None:
    with pytest.raises(ValueError, match=r"reference/regions.csv: header \['code'"):
        reference.read_table("regions.csv", ("code", "name"))


@pytest.mark.parametrize(
    ("text", "error"),
    [("code,name\n520000,贵州省,extra\n", "t.csv line 2: 3 cells"),
     ("code,name\n520000,贵州省\n520000,贵州\n", "t.csv line 3: '520000' repeated")],
)  # fmt: skip
def test_parse_table_refuses_a_ragged_row_or_a_repeated_key(text: str, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        reference.parse_table("t.csv", text, ("code", "name"))


def test_parse_table_reads_quoted_cells() -> None:
    text = 'code,name\n440300,"Shenzhen, Guangdong"\n'
    assert reference.parse_table("t.csv", text, ("code", "name")) == [
        ("440300", "Shenzhen, Guangdong")
    ]


def test_every_source_title_rule_can_fire() -> None:
    """A fragment containing an earlier one would never be reached: the earlier one wins."""
    fragments = [rule.kind_fragment for rule in reference.source_titles()]
    assert len(fragments) == len(set(fragments))
    for later, fragment in enumerate(fragments):
        assert not [f for f in fragments[:later] if f in fragment], fragment
