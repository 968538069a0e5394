"""What a new steward met drafting a real yearbook table with `opendata init`: a note among
the provinces, a datasets folder without the code lists, indicator names printed with
full-width brackets (issue 12, the steward's trial)."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml
from typer.testing import CliRunner

from catalog.store import FolderStore, Publisher
from cli import app
from drafting import DraftError, draft_dataset, init_dataset
from tests.drafting import yearbook

# Whole init-and-build runs of the yearbook form: the full suite runs them; the fast tier
# keeps the shorter ones of test_init and test_layout_publish.
pytestmark = pytest.mark.slow

NOTE = "注：吉林省数据不含长白山管委会。"


def noted_table(path: Path) -> tuple[Path, int]:
    """The yearbook CSV with a note line before 黑龙江; the note's line number."""
    lines = yearbook.lines()
    at = next(n for n, line in enumerate(lines) if line[0] == "黑龙江")
    lines.insert(at, [NOTE, "", "", "", "", ""])
    text = "\r\n".join(",".join(line) for line in lines) + "\r\n"
    path.write_bytes(text.encode("gb18030"))
    return path, at + 1


def test_a_note_among_the_provinces_is_a_note_row_and_every_province_publishes(
    tmp_path: Path, datasets: Path
) -> None:
    table, note = noted_table(tmp_path / "表22-42.csv")
    draft = init_dataset(table, datasets, "yb")
    layout = yaml.safe_load((datasets / "yb" / "datapackage.yaml").read_text("utf-8"))["resources"][
        0
    ]["layout"]
    assert layout["note_rows"] == [note]
    assert any(f"line {note}: a note among the data" in line for line in draft.review)
    store = FolderStore(tmp_path / "store")
    publisher = Publisher(store, datasets)
    for source in publisher.plan([publisher.sources()["yb"]]):
        publisher.build(source)
    rows = pq.read_table(store.version_path("yb") / "observations.parquet")
    regions = set(rows.column("region_as_printed").to_pylist())
    assert len(regions) == len(yearbook.figures()) and "黑龙江" in regions


def test_a_datasets_folder_without_region_codes_is_named(tmp_path: Path) -> None:
    table = yearbook.write_csv(tmp_path / "表22-42.csv")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DraftError) as caught:
        draft_dataset(table, empty, "yb")
    assert str(caught.value).startswith(f"{empty} has no region-codes dataset")
    env = {"OPENDATA_DATASETS": str(empty), "OPENDATA_STORE": str(tmp_path / "store"),
           "OPENDATA_STATE": str(tmp_path / "state")}  # fmt: skip
    result = CliRunner().invoke(app, ["init", str(table), "--datasets", str(empty)], env=env)
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "has no region-codes dataset" in " ".join(result.output.split())
    assert not isinstance(result.exception, FileNotFoundError)


BRACKETS = ["表3 2010年各地区工伤保险基本情况", "单位：万人、亿元",
            "地区,参保人数,累计结余(含储备金),基金收入（亿元）",
            "北  京,12.6,19.7,3.1", "天  津,5.6,10.7,1.2", "河  北,5.2,6.8,2.0"]  # fmt: skip


def test_half_width_brackets_are_kept_in_the_name_and_match_full_width_indicators(
    tmp_path: Path, datasets: Path
) -> None:
    table = tmp_path / "t.csv"
    table.write_bytes("\r\n".join(BRACKETS).encode("gb18030") + b"\r\n")
    draft = draft_dataset(table, datasets, "wi")
    layout = draft.document["resources"][0]["layout"]
    names = {i["name_zh"] for i in layout["indicators"]}
    assert "工伤保险：累计结余(含储备金)" in names
    assert "column 3: nearest indicator work_injury_insurance_fund_balance" in "\n".join(
        draft.review
    )


def test_build_says_which_groups_the_national_sum_did_not_check(
    tmp_path: Path, datasets: Path
) -> None:
    """The fixture prints 27 provinces; the drafted national check says `complete: 31`."""
    init_dataset(yearbook.write_csv(tmp_path / "表22-42.csv"), datasets, "yb")
    env = {"OPENDATA_DATASETS": str(datasets), "OPENDATA_STORE": str(tmp_path / "store"),
           "OPENDATA_STATE": str(tmp_path / "state")}  # fmt: skip
    result = CliRunner().invoke(app, ["build", "yb"], env=env)
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())
    assert "note: data/表22-42.csv: check" in output
    assert "(27 of 31 parts)" in output
