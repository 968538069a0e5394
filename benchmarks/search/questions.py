"""The query set as data (`queries.csv`) and how its answers are derived from the data.

Each question has a `kind` (`indicator` and `english`: a figure asked for by a Chinese or an
English term; `place`: a region; `synonym`: an everyday word or abbreviation), the terms it
`means` (`;`-joined: the query itself for most; for a synonym, the terms it stands for), the
`relevant` datasets (`;`-joined slugs) and a `note`. `relevant` is never written by hand:
`regenerate` derives it from what the published data holds (`holdings`):

- an indicator term (`indicator`, `english`, `synonym`): the datasets whose rows hold an
  indicator whose zh/en name or definition contains one of the terms (`_names`: Chinese as a
  substring, English word by word), or whose figure table without an indicator column is
  named by it (the minimum wage tables);
- a place: the datasets whose rows cover a region whose name, English name, alias or code
  contains the term, or a region inside one (a county's figure is a figure of its prefecture).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from benchmarks.search.holdings import Holdings, KnownRegion

QUERIES = Path(__file__).with_name("queries.csv")
COLUMNS = ("query", "kind", "means", "relevant", "note")
KINDS = ("indicator", "english", "place", "synonym")
WORD = re.compile(r"[0-9a-z]+(?:['-][0-9a-z]+)*")


@dataclass(frozen=True)
class Question:
    query: str
    kind: str
    means: tuple[str, ...]
    relevant: frozenset[str]
    note: str = ""


def read_questions(path: Path = QUERIES) -> list[Question]:
    with path.open(encoding="utf-8", newline="") as file:
        return [_question(row) for row in csv.DictReader(file)]


def _question(row: dict[str, str]) -> Question:
    if row["kind"] not in KINDS:
        raise ValueError(f"query {row['query']!r}: kind {row['kind']!r} is not one of {KINDS}")
    means = tuple(_split(row["means"])) or (row["query"],)
    return Question(
        row["query"], row["kind"], means, frozenset(_split(row["relevant"])), row["note"]
    )


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(";") if part.strip()]


def write_questions(questions: Iterable[Question], path: Path = QUERIES) -> None:
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(COLUMNS)
        for q in questions:
            means = ";".join(q.means) if q.means != (q.query,) else ""
            writer.writerow([q.query, q.kind, means, ";".join(sorted(q.relevant)), q.note])


def regenerate(questions: Iterable[Question], holdings: Holdings) -> list[Question]:
    """The questions with `relevant` derived anew; a question no dataset answers is refused."""
    answered = []
    for question in questions:
        relevant = relevant_datasets(question, holdings)
        if not relevant:
            raise ValueError(
                f"query {question.query!r}: no published dataset holds {question.means}"
            )
        answered.append(replace(question, relevant=relevant))
    return answered


def relevant_datasets(question: Question, holdings: Holdings) -> frozenset[str]:
    if question.kind == "place":
        return covering(holdings, places(holdings.regions, question.means))
    return holding(holdings, question.means)


def _contains(texts: Iterable[str], terms: Iterable[str]) -> bool:
    return any(_names(text, term) for term in terms for text in texts)


def _names(text: str, term: str) -> bool:
    """Whether `text` contains `term`: Chinese as a substring (it has no spaces), English word
    by word in any order, each word the start of one of the text's words, case ignored (so
    `average wage` names "Average annual wage" and `pension` names "pensioners")."""
    text, term = text.casefold(), term.casefold()
    if not term.isascii():
        return term in text
    words = WORD.findall(text)
    return all(any(w.startswith(part) for w in words) for part in WORD.findall(term))


def holding(holdings: Holdings, terms: tuple[str, ...]) -> frozenset[str]:
    """The datasets holding a figure that one of `terms` names."""
    codes = {c for c, texts in holdings.indicator_texts.items() if _contains(texts, terms)}
    return frozenset(
        slug
        for slug, held in holdings.datasets.items()
        if held.indicators & codes or _contains(held.measure_texts, terms)
    )


def places(regions: dict[str, KnownRegion], terms: tuple[str, ...]) -> set[str]:
    """The codes of the regions `terms` name, and of every region inside them."""
    named = {c for c, r in regions.items() if _contains((c, *r.names), terms)}
    inside = set(named)
    grew = True
    while grew:  # a county's parent is a prefecture, whose parent is a province
        found = {c for c, r in regions.items() if r.parent in inside} - inside
        inside |= found
        grew = bool(found)
    return inside


def covering(holdings: Holdings, codes: set[str]) -> frozenset[str]:
    return frozenset(slug for slug, held in holdings.datasets.items() if held.regions & codes)
