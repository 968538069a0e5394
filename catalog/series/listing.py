"""Lists of series: the order a dataset page shows them in, and the codes nearest to one that
names no series (what a 404 suggests).

A researcher opening a dataset wants its best-covered figures first, the national and Guizhou
ones before other places, and a first look at every indicator before a second region of any;
a code list in code order puts 713 census sample counts of 全国, 北京, 天津 … first instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeVar

SUGGESTED = 5  # codes a 404 suggests
COMPARED = 48  # characters of a code or name the edit distance reads: bounded work per candidate
NATIONAL = "000000"
HOME_PROVINCE = "52"  # Guizhou: the province, its prefectures and counties


class Covered(Protocol):
    """A series as the catalogue lists it (`Printed`): enough to order it."""

    @property
    def indicator(self) -> str: ...
    @property
    def region(self) -> str: ...
    @property
    def count(self) -> int: ...


T = TypeVar("T", bound=Covered)


def place_rank(region: str) -> int:
    """0 for the nation, 1 for Guizhou (its province, then prefectures and counties), 2 else."""
    if region == NATIONAL:
        return 0
    return 1 if region.startswith(HOME_PROVINCE) else 2


def researcher_order(printed: Iterable[T]) -> list[T]:
    """Each indicator once (its best series: national, then Guizhou, then the best covered)
    before any indicator's second region; indicators with more figures first, then by code."""
    series = list(printed)
    coverage: dict[str, int] = {}
    for one in series:
        coverage[one.indicator] = coverage.get(one.indicator, 0) + one.count
    series.sort(
        key=lambda p: (
            -coverage[p.indicator],
            p.indicator,
            place_rank(p.region),
            -p.count,
            p.region,
        )
    )
    turn: dict[str, int] = {}
    ranked = []
    for one in series:
        turn[one.indicator] = turn.get(one.indicator, -1) + 1
        ranked.append((turn[one.indicator], one))
    ranked.sort(key=lambda pair: pair[0])  # stable: keeps the order within a turn
    return [one for _, one in ranked]


def nearest(
    asked: str, candidates: dict[str, tuple[str, ...]], limit: int = SUGGESTED
) -> list[str]:
    """The codes (keys of `candidates`, each with its names) closest to `asked`: a code or
    name it begins or that begins with it first, then one containing it, then by edit
    distance (to the whole text or its start) on the first COMPARED characters; ties by code."""
    wanted = asked.casefold()[:COMPARED]
    if not wanted:
        return []
    scored = [(_closeness(wanted, code, names), code) for code, names in candidates.items()]
    return [code for _, code in sorted(scored)[:limit]]


def _closeness(wanted: str, code: str, names: tuple[str, ...]) -> tuple[int, int]:
    texts = [t.casefold()[:COMPARED] for t in (code, *names) if t]
    if any(t.startswith(wanted) or wanted.startswith(t) for t in texts):
        return 0, 0
    if any(wanted in t or t in wanted for t in texts):
        return 1, 0
    # Against the whole text and its start as long as the question: `avg_wage_urbn` is one
    # edit from the start of `avg_wage_urban_private`, not nine from all of it.
    return 2, min(min(edit_distance(wanted, t), edit_distance(wanted, t[: len(wanted)]))
                  for t in texts)  # fmt: skip


def edit_distance(first: str, second: str) -> int:
    """Levenshtein distance (insert, delete, substitute), one row at a time."""
    previous = list(range(len(second) + 1))
    for i, a in enumerate(first, 1):
        current = [i]
        for j, b in enumerate(second, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a != b)))
        previous = current
    return previous[-1]
