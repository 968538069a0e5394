"""The preference rule across tables, on figures drawn by hypothesis (SYNTHETIC data).

Each property is what a reader of a series relies on: every printed figure is shown once
(preferred or as an alternative), the answer does not depend on the order the tables were
read in, and the preferred figure wins by the first rule that separates it from each other.
"""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.series import DEFECT_FLAGS, Agreeing, Point, PrintedFigure, prefer, standing
from web import reason_text

FLAGS = st.frozensets(st.sampled_from(["revised", "rounded", *DEFECT_FLAGS, "translation"]))


@st.composite
def figures(draw: st.DrawFn) -> PrintedFigure:
    period = draw(st.sampled_from(["2019", "2020", "2020-H1"]))
    value = draw(st.none() | st.sampled_from(["4.1", "4.09", "4.10", "100", "99.5"]))
    return PrintedFigure(
        slug=draw(st.sampled_from(["bulletin", "yearbook", "indicators"])),
        version="v1",
        resource=draw(st.sampled_from(["observations", "alternatives"])),
        period_type=draw(st.sampled_from(["annual", "year_end"])),
        period=period,
        year=int(period[:4]),
        value=None if value is None else Decimal(value),
        unit="%",
        value_as_printed=value or "?",
        unit_as_printed="%",
        decimals=None if value is None else len(value.partition(".")[2]),
        source_id=draw(st.sampled_from(["S001", "S002", "S003", "S004"])),
        also_source_ids=draw(st.frozensets(st.sampled_from(["S005", "S006"]), max_size=1)),
        tier=draw(st.integers(0, 3)),
        source_title="",
        source_url="",
        flags=draw(FLAGS),
        note="",
        qualifier="",
        period_as_printed=period,
    )


FIGURES = st.lists(figures(), min_size=1, max_size=12)


def shown(points: list[Point]) -> list[list[PrintedFigure]]:
    return [
        sorted(
            (f for g in [p.preferred, *(a for a, _ in p.alternatives)] for f in g.figures), key=repr
        )
        for p in points
    ]


def summary(points: list[Point]) -> list[tuple[object, ...]]:
    return [
        (
            p.period,
            p.preferred.value,
            p.preferred.source_ids,
            [(a.value, r) for a, r in p.alternatives],
        )
        for p in points
    ]


@settings(max_examples=300, deadline=None)
@given(FIGURES)
def test_every_printed_figure_is_shown_exactly_once(drawn: list[PrintedFigure]) -> None:
    points = prefer(drawn)
    assert sorted((f for group in shown(points) for f in group), key=repr) == sorted(
        drawn, key=repr
    )
    assert [p.period for p in points] == sorted({f.period for f in drawn}, key=lambda x: (x[:4], x))


@settings(max_examples=300, deadline=None)
@given(FIGURES, st.randoms(use_true_random=False))
def test_the_answer_does_not_depend_on_the_order_tables_are_read(
    drawn: list[PrintedFigure], shuffler: object
) -> None:
    mixed = list(drawn)
    shuffler.shuffle(mixed)  # type: ignore[attr-defined]
    assert summary(prefer(mixed)) == summary(prefer(drawn))


@settings(max_examples=300, deadline=None)
@given(FIGURES)
def test_the_preferred_group_ranks_first_and_agreeing_figures_are_one_group(
    drawn: list[PrintedFigure],
) -> None:
    for point in prefer(drawn):
        groups: list[Agreeing] = [point.preferred, *(a for a, _ in point.alternatives)]
        assert all(standing(point.preferred) <= standing(g) for g in groups)
        values = [(g.value.normalize(), g.figures[0].unit) for g in groups if g.value is not None]
        assert len(values) == len(set(values)), "two groups print the same value"


@settings(max_examples=300, deadline=None)
@given(FIGURES)
def test_a_typo_is_never_preferred_while_a_clean_figure_exists(drawn: list[PrintedFigure]) -> None:
    for point in prefer(drawn):
        clean = [g for g, _ in point.alternatives if g.value is not None and not g.defective]
        if clean:
            assert not point.preferred.defective


def figure(
    value: str, source: str, *, tier: int = 1, flags: frozenset[str] = frozenset()
) -> PrintedFigure:
    return PrintedFigure(
        slug="bulletin", version="v1", resource="observations", period_type="annual",
        period="2012", year=2012, value=Decimal(value), unit="%", value_as_printed=value,
        unit_as_printed="%", decimals=len(value.partition(".")[2]), source_id=source,
        also_source_ids=frozenset(), tier=tier, source_title="", source_url="", flags=flags,
        note="", qualifier="", period_as_printed="2012",
    )  # fmt: skip


def test_each_reason_names_the_rule_that_decided() -> None:
    cases = [
        ([figure("5", "S1", tier=0), figure("6", "S2", tier=1)], "source tier B is below"),
        ([figure("5", "S1", flags=frozenset({"revised"})), figure("6", "S2")], "superseded"),
        ([figure("6", "S2"), figure("5", "S1", flags=frozenset({"suspected_typo"}))], "typo"),
        ([figure("4.09", "S1"), figure("4.1", "S2")], "rounded version of the preferred exact"),
        ([figure("5", "S1"), figure("5", "S3"), figure("6", "S2")], "fewer sources agree (1"),
        ([figure("6", "S1"), figure("5", "S2")], "tie broken deterministically"),
    ]
    for printed, reason in cases:
        (point,) = prefer(printed)
        assert point.preferred.value == printed[0].value
        ((_, why),) = point.alternatives
        assert reason in why, (printed, why)


def test_every_reason_reads_in_chinese_on_a_chinese_page() -> None:
    printed = [
        [figure("5", "S1", tier=0), figure("6", "S2", tier=1)],
        [figure("5", "S1", flags=frozenset({"revised"})), figure("6", "S2")],
        [figure("6", "S2"), figure("5", "S1", flags=frozenset({"suspected_typo"}))],
        [figure("4.09", "S1"), figure("4.1", "S2")],
        [figure("5", "S1"), figure("5", "S3"), figure("6", "S2")],
        [figure("6", "S1"), figure("5", "S2")],
        [figure("6", "S1", tier=0), figure("5", "S2", tier=3)],
    ]
    unreadable = replace(figure("1", "S9"), value=None, value_as_printed="?")
    printed.append([figure("6", "S1"), unreadable])
    for figures in printed:
        ((_, reason),) = prefer(figures)[0].alternatives
        chinese = reason_text(reason, "zh")
        assert re.fullmatch(r"[^a-z]*(value_as_printed)?[^a-z]*", chinese), (reason, chinese)
        assert reason_text(reason, "en") == reason


def test_a_rounded_copy_is_recognised_only_against_a_finer_figure() -> None:
    (point,) = prefer([figure("4.1", "S1"), figure("4.09", "S2")])
    assert point.preferred.value == Decimal("4.09")
    (point,) = prefer([figure("4.1", "S1"), figure("4.2", "S2")])
    assert not point.preferred.rounded and not point.alternatives[0][0].rounded


def test_one_source_in_two_tables_outweighs_a_lone_mistyped_copy() -> None:
    """A new table mistyping a figure of the same source must not win by its text."""
    printed_twice = [
        replace(figure("68453", "S018"), slug="prefecture-indicators"),
        replace(figure("68453", "S018"), slug="prefecture-wages"),
    ]
    mistyped = replace(figure("123456789012345678901234.56789", "S018"), slug="new-table")
    (point,) = prefer([mistyped, *printed_twice])
    assert point.preferred.value == Decimal("68453")
    ((lost, reason),) = point.alternatives
    assert lost.value == mistyped.value and "fewer tables (1 against 2)" in reason
    (point,) = prefer([figure("100", "S1"), figure("99", "S1")])
    assert point.preferred.value == Decimal("99")  # by number: "100" < "99" as text
    assert "same source prints both values" in point.alternatives[0][1]
    assert not re.search("[a-z]", reason_text(reason, "zh"))
