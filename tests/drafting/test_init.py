"""`opendata init` on yearbook forms written from real figures, and on real printed tables."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from cli import app
from drafting import DraftError, draft_dataset, init_dataset
from tests.conftest import REPO
from tests.drafting import yearbook
from tests.drafting.conftest import REFERENCES

DATASETS = REPO / "datasets"
# Real tables as they arrived, transcribed from the stored pages and shipped as datasets.
REAL = {
    "guizhou-2016": DATASETS / "guizhou-prefecture-average-wage-2016" / "data" / "table.csv",
    "maternity-2010": DATASETS / "maternity-insurance-by-province-2010" / "data" / "table.xlsx",
    "wages-2002": DATASETS / "average-wage-by-province-and-ownership-2002" / "data" / "table.xlsx",
}
COLUMNS = yearbook.COLUMNS  # the indicator of each column, as the sources file them


@pytest.fixture(params=["csv", "xlsx"])
def table(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    if request.param == "csv":
        return yearbook.write_csv(tmp_path / "表22-42.csv")
    return yearbook.write_xlsx(tmp_path / "表22-42.xlsx")


def layout_of(document: dict[str, object]) -> dict[str, object]:
    resources = document["resources"]
    assert isinstance(resources, list)
    layout: dict[str, object] = resources[0]["layout"]
    return layout


def test_the_yearbook_form_is_read_line_by_line(table: Path) -> None:
    layout = layout_of(draft_dataset(table, DATASETS, "yb").document)
    assert (layout["title_rows"], layout["unit_rows"]) == ([1], [2])
    assert (layout["header_rows"], layout["english_header_rows"]) == ([3, 4], [5])
    assert layout["region"] == {"column": 1, "remap": {}}  # 全国 is region-codes' name_zh
    assert layout["period"] == {"year": 2008, "type": "year_end"}
    columns = layout["columns"]
    assert isinstance(columns, list)
    assert [(c["header"], c["unit"]) for c in columns] == [
        ("参保人数 / 小计", "万人"), ("参保人数 / 参保职工", "万人"),
        ("参保人数 / 离退休人员", "万人"), ("基金收入", "亿元"), ("基金支出", "亿元"),
    ]  # fmt: skip
    assert columns[3]["period"] == {"year": 2008, "type": "annual"}


def test_the_encoding_and_the_footer_are_detected(tmp_path: Path) -> None:
    draft = draft_dataset(yearbook.write_csv(tmp_path / "t.csv"), DATASETS, "yb")
    resource = draft.document["resources"][0]  # type: ignore[index]
    assert resource["encoding"] == "gb18030"
    assert any("footer from line 39" in line for line in draft.detected)


def without_indicator(tmp_path: Path, code: str) -> Path:
    """A datasets folder whose indicator-codes lacks `code`, the rest linked."""
    folder = tmp_path / "datasets"
    folder.mkdir()
    for name in REFERENCES:
        if name != "indicator-codes":
            (folder / name).symlink_to(DATASETS / name)
    shutil.copytree(DATASETS / "indicator-codes", folder / "indicator-codes")
    listed = folder / "indicator-codes" / "data" / "indicators.csv"
    lines = listed.read_text("utf-8").splitlines(keepends=True)
    listed.write_text("".join(line for line in lines if not line.startswith(code + ",")), "utf-8")
    return folder


def test_the_yearbook_columns_take_the_indicators_their_labels_name(table: Path) -> None:
    layout = layout_of(draft_dataset(table, DATASETS, "yb").document)
    assert [c["indicator"] for c in layout["columns"]] == COLUMNS  # type: ignore[attr-defined]
    assert "indicators" not in layout


def test_new_indicators_are_declared_with_names_from_both_headers(
    table: Path, tmp_path: Path
) -> None:
    datasets = without_indicator(tmp_path, "urban_employee_pension_contributing_workers")
    layout = layout_of(draft_dataset(table, datasets, "yb").document)
    assert layout["indicators"][0] == {  # type: ignore[index]
        "code": "yb_employees", "name_zh": "城镇职工基本养老保险：参保人数：参保职工",
        "name_en": "Employees",
        "unit": "人",
    }  # fmt: skip


def test_warning_checks_carry_the_printed_rounding(table: Path) -> None:
    checks = draft_dataset(table, DATASETS, "yb").document["checks"]
    assert isinstance(checks, list)
    components, persons, money = checks
    assert components["total"] == "urban_employee_pension_participants"
    assert components["parts"] == [
        "urban_employee_pension_contributing_workers", "urban_employee_pension_retirees"
    ]  # fmt: skip
    assert components["tolerance"] == 2 * 500  # two parts × 0.05万人
    assert {c["severity"] for c in checks} == {"warning"}
    # complete: the 31 provinces of region-codes, not the 27 the page prints
    assert (persons["total"], persons["complete"]) == ("region_code = '000000'", 31)
    assert persons["tolerance"] == 31 * 500
    assert money["tolerance"] == 31 * 5_000_000  # 31 × 0.05亿元


def test_metadata_is_the_departments(table: Path) -> None:
    document = draft_dataset(table, DATASETS, "yb", source_url="http://www.stats.gov.cn/x.htm")
    template_file = DATASETS / "guizhou-hrss-indicators" / "datapackage.yaml"
    template = yaml.safe_load(template_file.read_text("utf-8"))
    for key in ("organization", "contact", "licenses"):
        assert document.document[key] == template[key]
    assert document.document["sources"][0]["reliability_tier"] == "A"  # type: ignore[index]
    assert document.document["temporal"] == {"start": "2008", "end": "2008"}
    assert document.document["spatial"] == ["000000"]


def test_the_drafted_schema_states_the_period_build_accepts(table: Path) -> None:
    document = draft_dataset(table, DATASETS, "yb").document
    fields = {f["name"]: f for f in document["resources"][0]["schema"]["fields"]}  # type: ignore[index]
    assert fields["period_type"]["constraints"]["enum"] == [
        "year_end", "annual", "cumulative", "target"
    ]  # fmt: skip
    assert fields["year"]["constraints"] == {"required": True, "minimum": 1900, "maximum": 2100}


def test_init_writes_the_dataset_once(table: Path, datasets: Path) -> None:
    init_dataset(table, datasets, "yb")
    assert (datasets / "yb" / "data" / table.name).read_bytes() == table.read_bytes()
    written = yaml.safe_load((datasets / "yb" / "datapackage.yaml").read_text("utf-8"))
    assert written["name"] == "yb"
    with pytest.raises(DraftError, match="never overwrites"):
        init_dataset(table, datasets, "yb")


def test_the_command_prints_what_to_review(tmp_path: Path, datasets: Path) -> None:
    csv_file = yearbook.write_csv(tmp_path / "t.csv")
    result = CliRunner().invoke(app, ["init", str(csv_file), "--slug", "yb",
                                      "--datasets", str(datasets)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "review:" in result.output and "reliability_tier" in result.output
    assert "--source-url" in CliRunner().invoke(app, ["init", "--help"]).output


def test_a_file_without_regions_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("a,b\n1,2\n", "utf-8")
    with pytest.raises(DraftError, match="no column names"):
        draft_dataset(path, DATASETS, "t")


def real(name: str) -> Path:
    return REAL[name]


def test_prefectures_printed_with_zhou_are_region_code_aliases() -> None:
    draft = draft_dataset(real("guizhou-2016"), DATASETS, "gz")
    layout = layout_of(draft.document)
    # 黔南州 is a line of region-codes/aliases, which the reader knows too: no remap to review
    assert layout["region"]["remap"] == {}  # type: ignore[index]
    assert not any("prefix only" in line for line in draft.review)
    assert "checks" not in draft.document  # averages: no sum


def test_the_english_region_column_is_chosen_when_the_chinese_one_is_damaged() -> None:
    draft = draft_dataset(real("maternity-2010"), DATASETS, "mat")
    layout = layout_of(draft.document)
    assert layout["region"]["column"] == 2  # type: ignore[index]
    assert layout["english_header_rows"] == [5, 6]
    units = [c["unit"] for c in layout["columns"]]  # type: ignore[attr-defined]
    assert units == ["万人", "亿元", "亿元", "亿元"]


def test_a_table_without_a_year_says_so() -> None:
    draft = draft_dataset(real("wages-2002"), DATASETS, "sd")
    assert any("no year" in line for line in draft.review)
    assert layout_of(draft.document)["period"] == {"year": None, "type": "annual"}
    # The title says 平 均 工 资: averages, so the national line lies within the provinces'.
    assert [c["type"] for c in draft.document["checks"]] == ["within_parts"]  # type: ignore[union-attr]


@pytest.mark.parametrize("slug", ["nl-slug\n", "a" * 101, "Upper", "-x", "a/b"])
def test_a_slug_the_catalogue_refuses_is_refused_before_anything_is_written(
    tmp_path: Path, slug: str
) -> None:
    csv_file = yearbook.write_csv(tmp_path / "t.csv")
    with pytest.raises(DraftError, match=r"--slug .*: a slug is lowercase letters"):
        draft_dataset(csv_file, DATASETS, slug)


def test_a_table_without_an_english_title_gets_one_from_its_indicators(table: Path) -> None:
    document = draft_dataset(table, DATASETS, "yb").document
    assert document["title_en"] == (
        "Urban employees' basic pension insurance participants, Urban employees' basic pension"
        " insurance: contributing workers and 3 more indicators by province, 2008"
    )
    assert str(document["description_en"]).startswith(f"{document['title_en']}: 28 regions")
    assert "opendata init" not in f"{document['description']} {document['description_en']}"


def test_a_draft_is_one_publication_and_its_table_carries_the_printed_title(table: Path) -> None:
    """The register names a table by its title, and one printed table gains no rows by itself:
    a draft said `annual` with an untitled `observations` table before."""
    draft = draft_dataset(table, DATASETS, "yb")
    resource = draft.document["resources"][0]  # type: ignore[index]
    assert draft.document["frequency"] == "archived"
    assert (resource["title"], resource["title_en"]) == (
        draft.document["title"],
        draft.document["title_en"],
    )
    assert resource["title"]
    assert any(line.startswith("frequency: archived") for line in draft.review)
