"""The preference rule for indicator figures, on small hand-made keys and on a real file."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from curation import reference
from curation.observations import Row
from curation.preference import Resolved, curate_indicator_file, resolve
from curation.sources import Source, read_rows
from curation.units import normalise, parse_decimal


def figure(
    printed: str, source_id: str, tier: str = "A", unit: str = "万人", flags: str = ""
) -> Row:
    """A printed figure of one key (urban new jobs, national, 2020)."""
    value, normalised_unit = normalise(parse_decimal(printed), unit)
    source = Source(source_id, f"https://example.org/{source_id}", tier, ("news_repro_nbs",))
    return Row("test.csv", "urban_new_jobs", "000000", 2020, "annual", "2020", "annual",
               value, normalised_unit, printed, unit, "exact", source,
               set(flags.split(";")) - {""})  # fmt: skip


def preferred_and_reasons(*rows: Row) -> tuple[tuple[str, str], list[tuple[str, str]]]:
    """(value_as_printed, source_id) preferred, and (source_id, reason) of each alternative."""
    resolved = resolve(rows)
    assert len(resolved.preferred) == 1
    chosen = resolved.preferred[0]
    return (chosen["value_as_printed"], chosen["source_id"]), [
        (alt["source_id"], alt["reason"]) for alt in resolved.alternatives
    ]


def test_a_typo_on_the_page_loses_even_to_a_lower_tier() -> None:
    chosen, alts = preferred_and_reasons(
        figure("1186", "S001", flags="as_printed_typo"), figure("1168", "S002", tier="C")
    )
    assert chosen == ("1168", "S002")
    assert alts == [
        ("S001", "typo on the page (see note); the correctly printed figure is preferred")
    ]


def test_the_revised_figure_wins_over_the_original() -> None:
    chosen, alts = preferred_and_reasons(
        figure("1186", "S001"), figure("1190", "S005", tier="B", flags="revised")
    )
    assert chosen == ("1190", "S005")
    assert alts == [("S001", "original figure, superseded by the revised figure")]


def test_tier_a_wins_over_b() -> None:
    chosen, alts = preferred_and_reasons(figure("1186", "S001", tier="B"), figure("1190", "S009"))
    assert chosen == ("1190", "S009")
    assert alts == [("S001", "source tier B is below the preferred source's tier A")]


def test_an_exact_figure_wins_over_its_rounding() -> None:
    chosen, alts = preferred_and_reasons(figure("1186", "S001"), figure("1186.4", "S002"))
    assert chosen == ("1186.4", "S002")
    assert alts == [("S001", "rounded version of the preferred exact figure")]


def test_a_rounding_in_a_larger_unit_is_recognised() -> None:
    resolved = resolve([figure("0.12", "S001", unit="亿人"), figure("1186", "S002")])
    assert resolved.preferred[0]["source_id"] == "S002"
    assert "rounded" in resolved.alternatives[0]["flags"]


def test_the_figure_more_sources_agree_on_wins_and_cites_them() -> None:
    resolved = resolve([figure("1186", "S003"), figure("1190", "S001"), figure("1186", "S002")])
    chosen = resolved.preferred[0]
    assert (chosen["value"], chosen["source_id"], chosen["also_source_ids"]) == (
        "11860000",
        "S002",
        "S003",
    )
    assert chosen["has_alternatives"] == "true"
    assert resolved.alternatives[0]["reason"] == "fewer sources agree (1 against 2)"
    assert resolved.duplicates == 1


def test_a_tie_goes_to_the_lower_source_id() -> None:
    chosen, alts = preferred_and_reasons(figure("1190", "S007"), figure("1186", "S004"))
    assert chosen == ("1186", "S004")
    assert alts == [("S007", "equal standing; tie broken deterministically by the lower source_id")]


def test_an_unreadable_figure_is_kept_as_an_alternative() -> None:
    chosen, alts = preferred_and_reasons(figure("11?6", "S001"), figure("1186", "S002", tier="C"))
    assert chosen == ("1186", "S002")
    assert alts == [
        ("S001", "value unreadable on the page; the printed text is kept in value_as_printed")
    ]


def test_a_source_printing_the_same_figure_twice_is_one_alternative() -> None:
    resolved = resolve([figure("1186", "S001"), figure("1190", "S003"), figure("1190", "S003")])
    assert len(resolved.alternatives) == 1
    assert resolved.duplicates == 1


@pytest.mark.parametrize(
    "file",
    ["national_hrss_bulletin.csv", "guizhou_hrss_indicators.csv",
     "guizhou_prefecture_indicators.csv", "provincial_social_insurance_yearbook.csv",
     "guizhou_hrss_disclosure_2018.csv"],
)  # fmt: skip
def test_a_real_file_has_one_preferred_figure_per_key_and_loses_no_row(
    file: str, sources_dir: Path, sources: dict[str, Source]
) -> None:
    resolved = curate_indicator_file(sources_dir / file, sources, reference.indicators())
    keys = Counter(key_of(r) for r in resolved.preferred)
    assert max(keys.values()) == 1
    assert {key_of(r) for r in resolved.alternatives} <= set(keys)
    assert resolved.tally.total == len(read_rows(sources_dir / file))
    assert all(r["reason"] for r in resolved.alternatives)


def key_of(record: dict[str, str]) -> tuple[str, str, str]:
    return (record["indicator_code"], record["region_code"], record["period"])


def test_the_national_bulletin_keeps_its_eight_alternatives(
    sources_dir: Path, sources: dict[str, Source]
) -> None:
    path = sources_dir / "national_hrss_bulletin.csv"
    resolved: Resolved = curate_indicator_file(path, sources, reference.indicators())
    assert resolved.tally.preferred == 300
    assert resolved.tally.alternatives == 8
    revised = next(r for r in resolved.preferred if "revised" in r["flags"].split(";"))
    assert revised["has_alternatives"] == "true"
    assert Decimal(revised["value"]) > 0
