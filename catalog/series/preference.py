"""Which printed figure a series shows for a period, and why each other one was not shown.

The rule is the one the curated datasets are built with (datasets/README.md, "Preference
rule"), applied across every table that prints the series: figures are grouped by value and
unit, and the group preferred is, in order, not a typo or unreadable, the revised one, of the
best reliability tier, exact rather than rounded, printed by the most sources, and last the one
with the lowest source id. Figures are compared within one period label (`2012`, `2020-YTD`,
`2022-H1`): different labels are different keys and never compared.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Protocol

from catalog.series.figures import TIERS, PrintedFigure

# Flags that keep a figure from being preferred while another exists (datasets/README.md).
DEFECT_FLAGS = frozenset({"as_printed_typo", "suspected_typo"})


class Ranked(Protocol):
    """A group of agreeing figures as the rule sees it (curation's clusters are ones too)."""

    @property
    def value(self) -> Decimal | None: ...
    @property
    def defective(self) -> bool: ...
    @property
    def revised(self) -> bool: ...
    @property
    def tier(self) -> int: ...
    @property
    def rounded(self) -> bool: ...
    @property
    def source_ids(self) -> list[str]: ...


def standing(group: Ranked) -> tuple[bool, bool, int, bool, int, str]:
    """The preference rule as a sort key, best first: usable and not a typo, revised, tier,
    exact, support, lowest source id."""
    return (group.defective, not group.revised, group.tier, group.rounded,
            -len(group.source_ids), group.source_ids[0])  # fmt: skip


@dataclass
class Agreeing:
    """The figures of one period printing the same value in the same unit."""

    figures: list[PrintedFigure]
    rounded: bool = False

    @property
    def value(self) -> Decimal | None:
        return self.figures[0].value

    @property
    def defective(self) -> bool:
        return self.value is None or all(f.flags & DEFECT_FLAGS for f in self.figures)

    @property
    def revised(self) -> bool:
        return any("revised" in f.flags for f in self.figures)

    @property
    def tier(self) -> int:
        return min(f.tier for f in self.figures)

    @property
    def source_ids(self) -> list[str]:
        return sorted({s for f in self.figures for s in (f.source_id, *f.also_source_ids)})

    @property
    def shown(self) -> PrintedFigure:
        """The copy that stands for the group: best tier, then the finest printing, then id."""
        return min(self.figures, key=lambda f: (f.tier, -(f.decimals or 0), f.source_id, f.slug))


@dataclass
class Point:
    """One period of a series: the preferred group and every other group with its reason."""

    period_type: str
    period: str
    year: int
    preferred: Agreeing
    alternatives: list[tuple[Agreeing, str]] = field(default_factory=list)


def prefer(figures: Iterable[PrintedFigure]) -> list[Point]:
    """The points of a series, in period order (year, then the period's label)."""
    by_key: dict[str, list[PrintedFigure]] = defaultdict(list)
    for figure in figures:
        by_key[figure.key].append(figure)
    points = [_point(group) for group in by_key.values()]
    return sorted(points, key=lambda p: (p.year, p.period))


def _point(figures: list[PrintedFigure]) -> Point:
    groups = _agreeing(figures)
    _mark_rounded(groups)
    groups.sort(key=_order)
    chosen, others = groups[0], groups[1:]
    shown = chosen.shown
    return Point(
        shown.period_type,
        shown.period,
        min(f.year for f in figures),
        chosen,
        [(other, _reason(other, chosen)) for other in others],
    )


def _order(group: Agreeing) -> tuple[object, ...]:
    """The rule, then what only a series across tables can tie on: one source printing two
    values for a period (in two tables). More tables printing a value go first, then the
    smaller value (a number, not its text), so no order of reading changes the answer."""
    value = group.value
    return (standing(group), -_tables(group), value is None, value or 0, group.shown.unit)


def _tables(group: Agreeing) -> int:
    return len({(f.slug, f.resource) for f in group.figures})


def _reason(other: Agreeing, chosen: Agreeing) -> str:
    """Why `other` lost: the rule's own reason, unless the rule tied on everything."""
    if standing(other) != standing(chosen) or other.value is None:
        return why_not_preferred(other, chosen)
    if _tables(other) != _tables(chosen):
        return (
            f"the same source prints both values; this one in fewer tables"
            f" ({_tables(other)} against {_tables(chosen)})"
        )
    return "the same source prints both values in as many tables; the lower value is shown first"


def _agreeing(figures: Sequence[PrintedFigure]) -> list[Agreeing]:
    """Figures grouped by value and unit, in order of first appearance; an unreadable figure
    agrees with nothing."""
    groups: dict[object, list[PrintedFigure]] = {}
    for figure in sorted(figures, key=lambda f: (f.slug, f.resource, f.source_id)):
        token = (figure.value.normalize(), figure.unit) if figure.value is not None else figure
        groups.setdefault(token, []).append(figure)
    return [Agreeing(members) for members in groups.values()]


def _mark_rounded(groups: list[Agreeing]) -> None:
    """A group is rounded when each of its figures equals a finer figure of another group
    rounded to its own precision (or its curation already said so)."""
    for group in groups:
        group.rounded = all(
            "rounded" in f.flags or any(_rounds(f, other) for other in groups if other is not group)
            for f in group.figures
        )


def _rounds(figure: PrintedFigure, other: Agreeing) -> bool:
    finer = other.shown
    if figure.value is None or finer.value is None or figure.unit != finer.unit:
        return False
    places = _places(figure)
    if places >= _places(finer):
        return False
    try:
        step = Decimal(1).scaleb(-places)
        return finer.value.quantize(step, rounding=ROUND_HALF_UP) == figure.value
    except InvalidOperation:  # a step beyond the decimal context: no rounding to speak of
        return False


def _places(figure: PrintedFigure) -> int:
    """The decimal places the figure was printed with (from the value when unrecorded)."""
    if figure.decimals is not None:
        return figure.decimals
    exponent = figure.value.as_tuple().exponent if figure.value is not None else 0
    return -exponent if isinstance(exponent, int) else 0


def why_not_preferred(other: Ranked, chosen: Ranked) -> str:
    """The reason, for readers, that `other` lost to `chosen`: the first rule that decided."""
    if other.value is None:
        return "value unreadable on the page; the printed text is kept in value_as_printed"
    if other.defective:
        return "typo on the page (see note); the correctly printed figure is preferred"
    if chosen.revised and not other.revised:
        return "original figure, superseded by the revised figure"
    if other.tier != chosen.tier:
        return (
            f"source tier {_tier(other.tier)} is below the preferred source's tier"
            f" {_tier(chosen.tier)}"
        )
    if other.rounded and not chosen.rounded:
        return "rounded version of the preferred exact figure"
    if len(other.source_ids) != len(chosen.source_ids):
        return f"fewer sources agree ({len(other.source_ids)} against {len(chosen.source_ids)})"
    return "equal standing; tie broken deterministically by the lower source_id"


def _tier(rank: int) -> str:
    return TIERS[rank] if rank < len(TIERS) else "unrated"
