"""What publishing real tables showed a steward needs: flagged rows counted as rows, `build`
saying what it flagged, a reliability tier from a vocabulary, and one bad draft failing alone."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
import yaml
from typer.testing import CliRunner

from catalog.errors import DescriptorError
from catalog.store import FolderStore, Publisher, resolve
from cli import app
from drafting import draft_dataset, init_dataset
from tests.conftest import REPO
from tests.drafting import yearbook

# Whole init-and-build runs of the yearbook form: the full suite runs them; the fast tier
# keeps the shorter ones of test_init and test_layout_publish.
pytestmark = pytest.mark.slow

DATASETS = REPO / "datasets"
WRONG_SUBTOTAL = "999.9"  # 参保人数 / 小计 of the first province, not its parts' sum


def contradicting_table(path: Path) -> Path:
    """The yearbook form with one province's 小计 contradicting its two parts (one line, five
    values on it: exactly one long row must be flagged)."""
    lines = yearbook.lines()
    first = next(n for n, line in enumerate(lines) if line[0] == yearbook.spread("北京"))
    lines[first][1] = WRONG_SUBTOTAL
    text = "\r\n".join(",".join(line) for line in lines) + "\r\n"
    path.write_bytes(text.encode("gb18030"))
    return path


def env(tmp_path: Path, datasets: Path) -> dict[str, str]:
    return {
        "OPENDATA_DATASETS": str(datasets),
        "OPENDATA_STORE": str(tmp_path / "store"),
        "OPENDATA_STATE": str(tmp_path / "state"),
    }


def init_and_build(table: Path, tmp_path: Path, datasets: Path) -> FolderStore:
    """`table` drafted as `yb` and published with no edit, into the test's store."""
    init_dataset(table, datasets, "yb")
    store = FolderStore(tmp_path / "store")
    publisher = Publisher(store, datasets)
    for source in publisher.plan([publisher.sources()["yb"]]):
        publisher.build(source)
    return store


def test_a_flagged_layout_row_is_counted_and_flagged_alone(tmp_path: Path, datasets: Path) -> None:
    store = init_and_build(contradicting_table(tmp_path / "表22-42.csv"), tmp_path, datasets)
    rows = pq.read_table(store.version_path("yb") / "observations.parquet").to_pylist()
    flagged = [row for row in rows if row["flags"]]
    found = [(r["value_as_printed"], r["flags"]) for r in flagged]
    assert found == [(WRONG_SUBTOTAL, "components")]
    assert store.descriptor("yb")["build"]["warnings"]["observations"]["rows"] == 1
    report = store.package("yb").build
    assert report is not None and report.warnings is not None
    line = flagged[0]["source_line"]
    warning = (store.version_path("yb") / "validation.json").read_text("utf-8")
    assert f'"rowNumber": {line}' in warning and f"row {line}," in warning


def test_build_prints_the_warnings_as_validate_does(tmp_path: Path, datasets: Path) -> None:
    init_dataset(contradicting_table(tmp_path / "表22-42.csv"), datasets, "yb")
    result = CliRunner().invoke(app, ["build", "yb"], env=env(tmp_path, datasets))
    assert result.exit_code == 0, result.output
    assert "yb: published" in result.output
    assert "1 warning(s)" in result.output and "[components]" in result.output


def loads(folder: Path, document: dict[str, Any]) -> None:
    """`document` as a dataset folder's descriptor, loaded as `build` loads it."""
    folder.mkdir(exist_ok=True)
    text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
    (folder / "datapackage.yaml").write_text(text, "utf-8")
    resolve(str(folder), folder.parent)


def test_a_reliability_tier_outside_the_vocabulary_is_refused(tmp_path: Path) -> None:
    document = yaml_of(DATASETS / "guizhou-prefecture-average-wage-2016")
    document["sources"][0]["reliability_tier"] = "review"
    with pytest.raises(DescriptorError) as caught:
        loads(tmp_path / "guizhou-prefecture-average-wage-2016", document)
    assert "sources[0].reliability_tier: unknown value `review`" in str(caught.value)


@pytest.mark.parametrize(
    ("url", "tier", "reviewed"),
    [
        ("http://stjj.example.gov.cn/t.html", "A", False),
        ("https://spc.jst.go.jp/statistics/t.html", "B", True),
        (None, "B", True),
    ],
)
def test_init_writes_a_valid_tier(
    tmp_path: Path, url: str | None, tier: str, reviewed: bool
) -> None:
    table = yearbook.write_csv(tmp_path / "表22-42.csv")
    draft = draft_dataset(table, DATASETS, "yb", source_url=url)
    sources = draft.document["sources"]
    assert isinstance(sources, list) and sources[0]["reliability_tier"] == tier
    assert any("reliability_tier" in line for line in draft.review) is reviewed
    loads(tmp_path / "yb", draft.document)


def test_a_new_source_id_is_free_in_every_dataset(tmp_path: Path) -> None:
    table = yearbook.write_csv(tmp_path / "表22-42.csv")
    draft = draft_dataset(table, DATASETS, "yb", source_url="https://example.org/t.html")
    sources = draft.document["sources"]
    assert isinstance(sources, list)
    used = {
        s["id"]
        for d in DATASETS.glob("*/datapackage.yaml")
        for s in yaml_of(d.parent).get("sources", [])
    }
    assert sources[0]["id"] not in used


def test_a_draft_without_a_year_fails_alone(tmp_path: Path, datasets: Path) -> None:
    init_dataset(yearbook.write_csv(tmp_path / "表22-42.csv"), datasets, "yb")
    path = datasets / "yb" / "datapackage.yaml"
    path.write_text(path.read_text("utf-8").replace("year: 2008", "year: null"), "utf-8")
    result = CliRunner().invoke(app, ["build"], env=env(tmp_path, datasets))
    assert result.exit_code == 1
    assert "region-codes: published" in result.output
    assert "yb: NOT published: yb/datapackage.yaml: resources[0].layout.period.year:" in (
        result.output
    )
    named = CliRunner().invoke(app, ["build", "region-codes"], env=env(tmp_path, datasets))
    assert named.exit_code == 0, named.output


def yaml_of(folder: Path) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((folder / "datapackage.yaml").read_text("utf-8"))
    return document


def unlabelled_total_table(path: Path, *, shuffle: bool = False) -> Path:
    """The yearbook form where the group's total is headed `参保人数`, not `小计`, with the first
    province contradicting its parts; `shuffle`: the parts no longer add up on any line."""
    lines = yearbook.lines()
    lines[2][1], lines[3][1:4] = "城镇职工基本养老保险", ["参保人数", "在职职工", "离退休人员"]
    first = next(n for n, line in enumerate(lines) if line[0] == yearbook.spread("北京"))
    lines[first][1] = WRONG_SUBTOTAL
    for line in lines[first:] if shuffle else []:
        if line[1] and line[2]:
            line[1] = line[2]  # the "total" repeats one part: no column is the others' sum
    text = "\r\n".join(",".join(line) for line in lines) + "\r\n"
    path.write_bytes(text.encode("gb18030"))
    return path


def test_init_finds_an_unlabelled_total_by_its_figures(tmp_path: Path, datasets: Path) -> None:
    store = init_and_build(unlabelled_total_table(tmp_path / "表22-42.csv"), tmp_path, datasets)
    rows = pq.read_table(store.version_path("yb") / "observations.parquet").to_pylist()
    found = [(r["value_as_printed"], r["flags"]) for r in rows if r["flags"]]
    assert found == [(WRONG_SUBTOTAL, "components")]


def test_init_drafts_no_components_check_where_no_column_adds_up(
    tmp_path: Path, datasets: Path
) -> None:
    draft = draft_dataset(
        unlabelled_total_table(tmp_path / "表22-42.csv", shuffle=True), datasets, "yb"
    )
    assert "components" not in [c["type"] for c in draft.document.get("checks", [])]


def pension_table(
    path: Path, unit_in_header: str, total: str | None = None, total_value: str | None = None
) -> Path:
    """Guizhou's 2022 average monthly enterprise pension by prefecture, from the sources, as
    an office prints it: the unit `元/月` in the header; `total`: the province's line first,
    named so."""
    source = REPO / "curation" / "sources" / "guizhou_prefecture_indicators.csv"
    with source.open(encoding="utf-8", newline="") as handle:
        found = {row["region_code"]: row for row in csv.DictReader(handle)
                 if row["year"] == "2022" and row["indicator_code"] == PENSION
                 and (total or row["region_code"] != "520000")}.values()  # fmt: skip
    lines = ["表3 各市（州）企业退休人员月人均基本养老金（2022年）",
             f"地区,企业退休人员月人均基本养老金{unit_in_header}"]  # fmt: skip
    names = {"520000": total or ""}
    values = {"520000": total_value} if total_value else {}
    lines += [
        f"{names.get(r['region_code'], r['region_name_zh'])},"
        f"{values.get(r['region_code'], r['value'])}"
        for r in found
    ]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gb18030"))
    return path


PENSION = "enterprise_pension_avg_monthly"


def test_a_monthly_unit_is_drafted_and_published_whole(tmp_path: Path, datasets: Path) -> None:
    store = init_and_build(pension_table(tmp_path / "表3.csv", "（元/月）"), tmp_path, datasets)
    rows = pq.read_table(store.version_path("yb") / "observations.parquet").to_pylist()
    assert {(r["unit"], r["unit_as_printed"], r["period_type"]) for r in rows} == {
        ("元/月", "元/月", "annual")  # an average over the year is no stock at its end
    }
    assert len(rows) == 9


def test_a_column_unit_other_than_its_indicators_is_an_error(
    tmp_path: Path, datasets: Path
) -> None:
    # Printed in 元, the column is drafted as a new indicator; the steward maps it to the
    # monthly pension, which is in 元/月: build must not publish 元 figures under it.
    init_dataset(pension_table(tmp_path / "表3.csv", "（元）"), datasets, "yb")
    path = datasets / "yb" / "datapackage.yaml"
    document = yaml.safe_load(path.read_text("utf-8"))
    layout = document["resources"][0]["layout"]
    layout["columns"][0]["indicator"], layout["indicators"] = PENSION, []
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), "utf-8")
    publisher = Publisher(FolderStore(tmp_path / "store"), datasets)
    report = publisher.validate(publisher.sources()["yb"]).report
    assert [e.message for e in report.errors] == [
        f'data/表3.csv column 2: column 2: unit "元" gives figures in 元, but indicator "{PENSION}"'
        " is in 元/月: a unit or an indicator is mistaken"
    ]


@pytest.mark.parametrize("total", ["全省", "合计"])
def test_a_prefecture_tables_total_line_is_its_province(
    tmp_path: Path, datasets: Path, total: str
) -> None:
    table = pension_table(tmp_path / "表3.csv", "（元/月）", total=total)
    store = init_and_build(table, tmp_path, datasets)
    assert yaml.safe_load((datasets / "yb" / "datapackage.yaml").read_text("utf-8"))[
        "resources"][0]["layout"]["region"]["remap"] == {total: "520000"}  # fmt: skip
    rows = pq.read_table(store.version_path("yb") / "observations.parquet").to_pylist()
    assert sorted(r["region_code"] for r in rows)[0] == "520000" and len(rows) == 10


def test_a_province_average_above_every_prefecture_is_flagged(
    tmp_path: Path, datasets: Path
) -> None:
    table = pension_table(tmp_path / "表3.csv", "（元/月）", total="全省", total_value="9999")
    store = init_and_build(table, tmp_path, datasets)
    rows = pq.read_table(store.version_path("yb") / "observations.parquet").to_pylist()
    assert [(r["region_code"], r["flags"]) for r in rows if r["flags"]] == [
        ("520000", "within_parts")
    ]
