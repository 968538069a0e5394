"""Minimum wages: dating a printed standard, contradictions, preference, tier areas."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from curation.sources import Source
from curation.wages import (
    WageRow,
    curate_tier_areas,
    curate_wages,
    make_wage_row,
    mark_contradictions,
    resolve_wages,
)

RowOf = Callable[[str, int], dict[str, str]]


def standard(value: str, date: str, source_id: str, tier: str = "A", flags: str = "") -> WageRow:
    """Guizhou's first-tier monthly standard as one source prints it on one date."""
    source = Source(source_id, "", tier, ("news_repro_mohrss_min_wage_table",))
    basis, as_of = ("undated", "") if date == "undated" else ("as_of", date)
    flag_set = set(flags.split(";")) - {""}
    return WageRow("520000", "monthly", 1, date, basis, as_of, "", Decimal(value), "元/月",
                   value, source, flag_set, "")  # fmt: skip


def test_a_standard_is_dated_by_its_table_else_its_effective_date(
    row_of: RowOf, sources: dict[str, Source]
) -> None:
    dated = [make_wage_row(row_of("guizhou_min_wage.csv", n), sources) for n in range(2, 53)]
    bases = Counter(row.date_basis for row in dated)
    assert set(bases) == {"as_of", "effective", "undated"}
    for row in dated:
        expected = row.as_of_date or row.effective_date or "undated"
        assert row.reference_date == expected


def test_a_page_without_a_date_is_flagged_undated(
    row_of: RowOf, sources: dict[str, Source]
) -> None:
    undated = [
        row for n in range(2, 53)
        if not (row := make_wage_row(row_of("guizhou_min_wage.csv", n), sources)).as_of_date
        and not row.effective_date
    ]  # fmt: skip
    assert undated and all("undated" in row.flags for row in undated)


def test_a_garbled_value_is_empty_and_flagged(row_of: RowOf, sources: dict[str, Source]) -> None:
    row = make_wage_row(row_of("provincial_min_wage_snapshots.csv", 425), sources)
    assert row.value is None
    assert row.value_as_printed == "150()"
    assert "garbled" in row.flags


def test_a_figure_between_two_agreeing_better_tables_is_contradicted() -> None:
    rows = [standard("1790", "2023-01-01", "S001"), standard("1600", "2023-04-01", "S050", "C"),
            standard("1790", "2023-07-01", "S002")]  # fmt: skip
    mark_contradictions(rows)
    assert [bool(r.flags) for r in rows] == [False, True, False]
    assert rows[1].flags == {"contradicted"}


def test_no_contradiction_when_the_better_tables_disagree_or_one_side_is_missing() -> None:
    changed = [standard("1680", "2023-01-01", "S001"), standard("1600", "2023-04-01", "S050", "C"),
               standard("1790", "2023-07-01", "S002")]  # fmt: skip
    one_side = [standard("1600", "2023-04-01", "S050", "C"), standard("1790", "2023-07-01", "S002")]
    mark_contradictions(changed)
    mark_contradictions(one_side)
    assert not any(r.flags for r in changed + one_side)


def test_an_undated_figure_is_never_preferred_even_alone() -> None:
    resolved = resolve_wages([standard("1790", "undated", "S001", flags="undated")])
    assert resolved.preferred == 0
    assert [r["status"] for r in resolved.records] == ["alternative"]
    assert resolved.records[0]["reason"] == (
        "the page states no date, so the figure cannot be placed in time"
    )


def test_the_better_tier_is_preferred_and_agreeing_copies_cited() -> None:
    date = "2023-01-01"
    rows = [standard("1790", date, "S009", "B"), standard("1790", date, "S004"),
            standard("1780", date, "S002", "C"), standard("1790", date, "S004")]  # fmt: skip
    resolved = resolve_wages(rows)
    statuses = [
        (r["status"], r["source_id"], r["also_source_ids"], r["reason"]) for r in resolved.records
    ]
    assert statuses == [
        ("preferred", "S004", "S009", ""),
        ("alternative", "S002", "", "lower reliability tier than the preferred source"),
    ]
    assert (resolved.preferred, resolved.duplicates, resolved.alternatives) == (1, 2, 1)


def test_real_wage_files_have_one_preferred_figure_per_key(
    sources_dir: Path, sources: dict[str, Source]
) -> None:
    for file in ("guizhou_min_wage.csv", "provincial_min_wage_snapshots.csv"):
        records = curate_wages(sources_dir / file, sources)
        keys = Counter(
            (r["region_code"], r["wage_type"], r["tier"], r["reference_date"])
            for r in records if r["status"] == "preferred"
        )  # fmt: skip
        assert max(keys.values()) == 1


def test_tier_areas_carry_verified_county_codes_in_order(
    sources_dir: Path, sources: dict[str, Source]
) -> None:
    records = curate_tier_areas(sources_dir / "guizhou_min_wage_tier_areas.csv", sources)
    assert len(records) == 89
    assert all(r["county_code"].startswith(r["prefecture_code"][:4]) for r in records)
    order = [(r["as_of_date"], r["prefecture_code"], r["tier"], r["county_code"]) for r in records]
    assert order == sorted(order)
    aliases = [r for r in records if r["county_name_as_printed"] != r["county_name_zh"]]
    assert aliases and all(r["county_name_zh"].endswith("自治县") for r in aliases)
