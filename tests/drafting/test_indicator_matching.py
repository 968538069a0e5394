"""A column whose printed label names one existing indicator is drafted with its code; two
named, or one in another unit, stay a new code with the candidates in the review."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from drafting import draft_dataset
from tests.conftest import REPO

DATASETS = REPO / "datasets"
SOURCE = REPO / "curation" / "sources" / "provincial_social_insurance_yearbook.csv"
TABLE = "China Statistical Yearbook 2012, table 23-39"
WORK_INJURY = [
    "work_injury_insurance_participants",
    "work_injury_insurance_beneficiaries",
    "work_injury_insurance_fund_income",
    "work_injury_insurance_fund_expenditure",
    "work_injury_insurance_fund_balance",
]
# CSY2012 table 23-39 as a steward tester wrote it from the sources: the fund's three
# columns under one group label, `年末` in the persons' headers.
TOP = [
    ["表23-39 各地区工伤保险情况(2011年)", "", "", "", "", ""],
    ["单位：万人、亿元", "", "", "", "", ""],
    ["地　区", "年末参保人数", "年末享受工伤待遇人数", "工伤保险基金", "", ""],
    ["", "", "", "基金收入", "基金支出", "累计结余(含储备金)"],
    ["Region", "Participants at Year-end", "Beneficiaries at Year-end", "Revenue",
     "Expenditure", "Accumulated Balance (incl. Reserve)"],
]  # fmt: skip


def figures() -> list[list[str]]:
    """The first eight regions printing all five figures, as printed."""
    rows: dict[str, dict[str, str]] = {}
    with SOURCE.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["source_table"] == TABLE and row["indicator_code"] in WORK_INJURY:
                rows.setdefault(row["region_name_zh"], {})[row["indicator_code"]] = row["value"]
    whole = [name for name, values in rows.items() if len(values) == len(WORK_INJURY)]
    return [[name] + [rows[name][c] for c in WORK_INJURY] for name in whole][:8]


def write(path: Path, top: list[list[str]]) -> Path:
    """The table as a desktop spreadsheet saves it: GB18030, CRLF."""
    text = "\r\n".join(",".join(line) for line in [*top, *figures()]) + "\r\n"
    path.write_bytes(text.encode("gb18030"))
    return path


def datasets_with(tmp_path: Path, extra_indicator: str = "") -> Path:
    """The reference datasets, linked; indicator-codes copied with one more line if given."""
    folder = tmp_path / "datasets"
    folder.mkdir()
    for name in ("region-codes", "hrss-sources", "guizhou-hrss-indicators"):
        (folder / name).symlink_to(DATASETS / name)
    shutil.copytree(DATASETS / "indicator-codes", folder / "indicator-codes")
    with (folder / "indicator-codes" / "data" / "indicators.csv").open("a", encoding="utf-8") as f:
        f.write(extra_indicator)
    return folder


def columns(path: Path, datasets: Path) -> tuple[list[str], list[str]]:
    draft = draft_dataset(path, datasets, "wi")
    layout = draft.document["resources"][0]["layout"]  # type: ignore[index]
    return [c["indicator"] for c in layout["columns"]], draft.review


def test_every_column_of_table_23_39_takes_the_indicator_its_label_names(
    tmp_path: Path,
) -> None:
    # Before: four of the five were new codes with the right one only as a suggestion.
    # `年末参保人数` (a phrase whose meaning it already contained was never applied),
    # `工伤保险基金` over `基金收入` (the shared `基金` printed twice), `年末享受工伤待遇人数`
    # (phrases in indicator-codes/phrases).
    codes, review = columns(write(tmp_path / "表23-39.csv", TOP), DATASETS)
    assert codes == WORK_INJURY
    assert not any("new indicators" in line for line in review)


def test_two_indicators_named_by_one_label_leave_a_new_code_and_both_suggested(
    tmp_path: Path,
) -> None:
    extra = "x_fund_income_twice,工伤保险基金基金收入,Twice,,,元,flow,true,s\n"
    codes, review = columns(write(tmp_path / "t.csv", TOP), datasets_with(tmp_path, extra))
    assert codes[2].startswith("wi_") and codes[3] == WORK_INJURY[3]
    line = next(r for r in review if r.startswith("column 4:"))
    assert "work_injury_insurance_fund_income" in line and "x_fund_income_twice" in line


def test_an_indicator_in_another_unit_is_not_taken(tmp_path: Path) -> None:
    # A unit line naming money only: the persons' columns are in 元, their indicators in 人.
    top = [TOP[0], ["单位：亿元", "", "", "", "", ""], *TOP[2:]]
    codes, review = columns(write(tmp_path / "t.csv", top), DATASETS)
    assert codes[0].startswith("wi_") and codes[2:] == WORK_INJURY[2:]
    line = next(r for r in review if r.startswith("column 2:"))
    assert "work_injury_insurance_participants" in line and "in 人, the column in 元" in line


@pytest.mark.parametrize(
    ("group", "code"),
    [("城镇职工", "urban_employee_pension_participants"),
     ("城乡居民", "resident_pension_participants")],
)  # fmt: skip
def test_the_title_subject_goes_between_the_group_and_the_header(
    tmp_path: Path, group: str, code: str
) -> None:
    lines = ["表1 各地区基本养老保险情况(2011年)", "单位：万人", f"地区,{group}", ",参保人数",
             "北京,1.1", "天津,2.2", "河北,3.3", "山西,4.4"]  # fmt: skip
    table = tmp_path / "t.csv"
    table.write_text("\n".join(lines) + "\n", encoding="utf-8")
    codes, _ = columns(table, DATASETS)
    assert codes == [code]


def test_a_table_number_with_a_letter_is_left_out_of_new_names(tmp_path: Path) -> None:
    lines = ["表22-42A 各地区劳动保障监察情况(2011年)", "单位：万人", "地区,受理举报人数",
             "北京,1.1", "天津,2.2", "河北,3.3", "山西,4.4"]  # fmt: skip
    table = tmp_path / "t.csv"
    table.write_text("\n".join(lines) + "\n", encoding="utf-8")
    draft = draft_dataset(table, DATASETS, "wi")
    declared = draft.document["resources"][0]["layout"]["indicators"]  # type: ignore[index]
    assert [i["name_zh"][:1] for i in declared] == ["劳"]


def guizhou_wages(path: Path) -> Path:
    """Guizhou's 2022 wages by prefecture as the statistics bureau prints them: the all-units
    wage and `其中：在岗职工` under one group label (figures from the sources)."""
    source = REPO / "curation" / "sources" / "guizhou_prefecture_indicators.csv"
    wanted = ("avg_wage_all_urban_units", "avg_wage_on_post_staff")
    by_region: dict[str, dict[str, str]] = {}
    with source.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["year"] == "2022" and row["indicator_code"] in wanted:
                names = by_region.setdefault(row["region_name_zh"], {})
                names[row["indicator_code"]] = row["value"]
    lines = ["表1 2022年全省及各市（州）城镇单位就业人员年平均工资", "单位：元",
             "地区,城镇单位就业人员年平均工资,", ",全口径,其中：在岗职工"]  # fmt: skip
    lines += [f"{name},{v[wanted[0]]},{v[wanted[1]]}" for name, v in by_region.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_the_bureaus_wage_columns_take_their_indicators(tmp_path: Path) -> None:
    codes, _ = columns(guizhou_wages(tmp_path / "t.csv"), DATASETS)
    assert codes == ["avg_wage_all_urban_units", "avg_wage_on_post_staff"]
