"""Recall and precision in the top 10, per question, per kind and over the whole set.

Pooled, as issue 13 counted them ("24 of the 48 datasets"): recall is the relevant datasets
found over those that could be found, precision the relevant datasets found over all the
datasets returned. A question with more than 10 relevant datasets can find at most 10, so it
wants only 10. A question answered with nothing adds to recall's denominator only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from benchmarks.search.questions import KINDS, Question

TOP = 10


@dataclass(frozen=True)
class Answer:
    """What the search returned for one question, best first."""

    question: Question
    returned: tuple[str, ...]

    @property
    def top(self) -> tuple[str, ...]:
        return self.returned[:TOP]

    @property
    def found(self) -> frozenset[str]:
        return self.question.relevant & frozenset(self.top)

    @property
    def missed(self) -> frozenset[str]:
        return self.question.relevant - frozenset(self.top)

    @property
    def extra(self) -> tuple[str, ...]:
        return tuple(slug for slug in self.top if slug not in self.question.relevant)

    @property
    def wanted(self) -> int:
        return min(len(self.question.relevant), TOP)

    @property
    def perfect(self) -> bool:
        return len(self.found) == self.wanted and not self.extra


@dataclass(frozen=True)
class Score:
    questions: int
    found: int
    wanted: int
    returned: int

    @property
    def recall(self) -> float | None:
        return self.found / self.wanted if self.wanted else None

    @property
    def precision(self) -> float | None:
        return self.found / self.returned if self.returned else None


def score(answers: Iterable[Answer]) -> Score:
    listed = list(answers)
    return Score(
        questions=len(listed),
        found=sum(len(a.found) for a in listed),
        wanted=sum(a.wanted for a in listed),
        returned=sum(len(a.top) for a in listed),
    )


def by_kind(answers: Sequence[Answer]) -> dict[str, Score]:
    """The score of each kind asked, in `KINDS` order, then `all`."""
    kinds = [k for k in KINDS if any(a.question.kind == k for a in answers)]
    scores = {k: score(a for a in answers if a.question.kind == k) for k in kinds}
    return {**scores, "all": score(answers)}


def percent(share: float | None) -> str:
    return "–" if share is None else f"{100 * share:.1f} %"
