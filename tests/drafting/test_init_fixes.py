"""What the first drafts of real tables got wrong, each fixed: unknown regions stop `init`,
region name variants and printed units are data, `complete` is the full set of parts, names
and indicators come from title and header, and counts over the year are flows."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml
from typer.testing import CliRunner

from catalog.store import FolderStore, Publisher
from cli import app
from drafting import DraftError, Steward, draft_dataset, init_dataset
from tests.conftest import REPO

# Whole init-and-build runs of the yearbook form: the full suite runs them; the fast tier
# keeps the shorter ones of test_init and test_layout_publish.
pytestmark = pytest.mark.slow

DATASETS = REPO / "datasets"


def write(path: Path, lines: list[str]) -> Path:
    """A table as a desktop spreadsheet saves it: GB18030 with CRLF."""
    path.write_bytes("\r\n".join(lines).encode("gb18030") + b"\r\n")
    return path


def layout_of(document: dict[str, object]) -> dict[str, object]:
    resources = document["resources"]
    assert isinstance(resources, list)
    layout: dict[str, object] = resources[0]["layout"]
    return layout


TOP = [
    "表1 2010年各地区生育保险基本情况",
    "单位：万人、亿元",
    "地区,享受待遇人数,基金收入,累计结余",
]
MARS = [*TOP, "北  京,12.6,12.2,19.7", "天  津,5.6,5.6,10.7", "河  北,5.2,4.7,6.8",
        "火  星,1.0,1.0,1.0", "山  西,1.7,2.2,4.0"]  # fmt: skip


def test_a_line_of_figures_under_an_unknown_name_stops_init(tmp_path: Path,
                                                           datasets: Path) -> None:  # fmt: skip
    table = write(tmp_path / "t.csv", MARS)
    with pytest.raises(DraftError) as caught:
        init_dataset(table, datasets, "mars")
    message = str(caught.value)
    assert "line 7: '火  星'" in message
    assert "--remap" in message and "region_aliases.csv" in message and "--skip-row" in message
    assert not (datasets / "mars").exists()  # nothing written, nothing dropped


def test_the_steward_maps_the_name_or_declares_the_line(tmp_path: Path) -> None:
    table = write(tmp_path / "t.csv", MARS)
    steward = Steward(remap={"火星": "150000"})
    mapped = layout_of(draft_dataset(table, DATASETS, "m", steward=steward).document)
    assert mapped["region"] == {"column": 1, "remap": {"火星": "150000"}}
    assert "skip_rows" not in mapped
    skipped = layout_of(
        draft_dataset(table, DATASETS, "m", steward=Steward(skip_rows=(7,))).document
    )
    assert skipped["skip_rows"] == [7]


def test_the_command_takes_remap_and_skip_row(tmp_path: Path, datasets: Path) -> None:
    table = write(tmp_path / "t.csv", MARS)
    args = ["init", str(table), "--datasets", str(datasets)]
    refused = CliRunner().invoke(app, [*args, "--slug", "a"])
    assert refused.exit_code == 1 and "line 7" in refused.output
    bad = CliRunner().invoke(app, [*args, "--slug", "b", "--remap", "火星"])
    assert bad.exit_code == 1 and "NAME=CODE" in bad.output
    done = CliRunner().invoke(app, [*args, "--slug", "c", "--remap", "火星=150000"])
    assert done.exit_code == 0, done.output
    skip = CliRunner().invoke(app, [*args, "--slug", "d", "--skip-row", "7"])
    assert skip.exit_code == 0, skip.output


def publish(datasets: Path, tmp_path: Path, slug: str) -> dict[str, list[object]]:
    store = FolderStore(tmp_path / "store")
    publisher = Publisher(store, datasets)
    for source in publisher.plan([publisher.sources()[slug]]):
        publisher.build(source)
    folder = tmp_path / "store" / slug
    version = (folder / "CURRENT").read_text().strip()
    rows: dict[str, list[object]] = pq.read_table(
        folder / version / "observations.parquet"
    ).to_pydict()
    return rows


JAPANESE = ["4-27 各地区の国有企業の就業人数と労働報酬(2008年)",
            "地  区,従業員(万人),賃金総額(億元)",
            "全  国,3946.5,13138.7", "遼 寧,360.6,1091.6", "山 東,237.2,755.4",
            "広 東,218.6,959.2", "江 蘇,180.2,629.4", "黒竜江,217.7,506.5",
            "内モンゴル,93.4,259.5"]  # fmt: skip


def test_japanese_forms_and_oku_yuan_are_published_through_init_and_build(
    tmp_path: Path, datasets: Path
) -> None:
    init_dataset(write(tmp_path / "jp.csv", JAPANESE), datasets, "jp")
    layout = layout_of(yaml.safe_load((datasets / "jp" / "datapackage.yaml").read_text("utf-8")))
    assert layout["region"] == {"column": 1, "remap": {}}  # region-codes/aliases knows them
    assert [c["unit"] for c in layout["columns"]] == ["万人", "億元"]  # type: ignore[index]
    rows = publish(datasets, tmp_path, "jp")
    codes = dict(zip(rows["value_as_printed"], rows["region_code"], strict=True))
    assert (codes["1091.6"], codes["755.4"], codes["959.2"]) == ("210000", "370000", "440000")
    assert (codes["629.4"], codes["506.5"], codes["259.5"]) == ("320000", "230000", "150000")
    values = dict(zip(rows["value_as_printed"], rows["value"], strict=True))
    assert values["1091.6"] == 109_160_000_000


ENGLISH = ["MATERNITY INSURANCE BY REGION(2010)", "Unit: 10000 persons",
           ",Region,Beneficiaries", ",National,211", ",Beijing,12.6", ",Tibet,0.3",
           ",Inner Mongolia,2.2", ",Guangxi,3.6", ",Ningxia,0.6", ",Xinjiang,8.4"]  # fmt: skip


def test_english_variants_are_aliases_too(tmp_path: Path, datasets: Path) -> None:
    lines = [ENGLISH[0], "单位：万人", *ENGLISH[2:]]
    init_dataset(write(tmp_path / "en.csv", lines), datasets, "en")
    rows = publish(datasets, tmp_path, "en")
    assert rows["region_code"] == ["000000", "110000", "540000", "150000", "450000", "640000",
                                   "650000"]  # fmt: skip


def test_complete_is_every_part_region_codes_knows(tmp_path: Path) -> None:
    partial = write(tmp_path / "p.csv", [*TOP, "全  国,211,159.6,261.4", *MARS[3:6]])
    draft = draft_dataset(partial, DATASETS, "p")
    checks = draft.document["checks"]
    assert isinstance(checks, list)
    assert {c["complete"] for c in checks} == {31}  # not the 3 provinces printed
    assert any("prints 3 of the 31" in line for line in draft.review)
    prefectures = write(tmp_path / "g.csv", ["2016年贵州各市(州)城镇就业人数", "单位：万人",
                                             "地区,就业人数", "贵州省,100", "贵阳市,20",
                                             "遵义市,30", "黔南州,10"])  # fmt: skip
    guizhou = draft_dataset(prefectures, DATASETS, "g").document["checks"]
    assert isinstance(guizhou, list)
    assert [(c["total"], c["complete"]) for c in guizhou] == [("region_code = '520000'", 9)]


def test_a_label_wrapped_over_two_lines_is_one_name(tmp_path: Path) -> None:
    table = write(tmp_path / "w.csv", ["附录1-7 职 工 平 均 工 资 (2002年)", "单位:元",
                                       "地 区,平均工资,#国 有,#联 营",
                                       ",,单 位,", "北 京,21852,23754,15157",
                                       "天 津,16258,17059,15466",
                                       "河 北,10032,10578,10521"])  # fmt: skip
    layout = layout_of(draft_dataset(table, DATASETS, "w").document)
    names = [i["name_zh"] for i in layout["indicators"]]  # type: ignore[attr-defined]
    assert names == ["职工平均工资", "职工平均工资：#国有单位", "职工平均工资：#联营"]
    headers = [c["header"] for c in layout["columns"]]  # type: ignore[attr-defined]
    assert headers[1] == "#国 有 / 单 位"  # the reader's joined text is unchanged


def test_a_year_header_and_a_growth_header_match_indicators_by_the_title(tmp_path: Path) -> None:
    table = write(tmp_path / "y.csv", ["表1  2016年各市(州)城镇非私营单位就业人员年平均工资",
                                       "单位:元", "市(州)名称,2016,同比名义增长(%)",
                                       "贵阳市,68453,10.4", "遵义市,70383,10.4",
                                       "黔南州,63676,8.7"])  # fmt: skip
    draft = draft_dataset(table, DATASETS, "y")
    layout = layout_of(draft.document)
    codes = [c["indicator"] for c in layout["columns"]]  # type: ignore[attr-defined]
    assert codes == ["avg_wage_urban_nonprivate", "avg_wage_urban_nonprivate_growth"]
    assert "indicators" not in layout
    assert sum("matched indicator" in line for line in draft.review) == 2


def test_counts_over_the_year_and_money_are_flows_balances_stocks(tmp_path: Path) -> None:
    draft = draft_dataset(write(tmp_path / "f.csv", MARS[:6]), DATASETS, "f")
    columns = layout_of(draft.document)["columns"]
    assert isinstance(columns, list)
    types = [c.get("period", {}).get("type") for c in columns]
    period = layout_of(draft.document)["period"]
    assert isinstance(period, dict)
    resolved = [t or period["type"] for t in types]
    assert resolved == ["annual", "annual", "year_end"]  # 享受待遇人数, 基金收入, 累计结余
