"""`python -m benchmarks search`: the query set through the real `package_search`.

Builds the shipped datasets into a temporary store (or takes `--store`, one already built),
starts the app in this process (httpx over ASGI: nothing to listen on, nothing heavier), asks
each question of `queries.csv` as a researcher types it (`q=<query>&rows=10`), and prints
recall and precision in the top 10 per kind and overall, then every question that missed a
relevant dataset or returned one that holds none of the figure.

`--regenerate` instead derives the `relevant` column anew from the built data and rewrites
the query set (run it when datasets change; the tests check that the file is current).
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from api import create_app
from benchmarks import report
from benchmarks.search.holdings import read_holdings
from benchmarks.search.metrics import TOP, Answer, Score, by_kind, percent
from benchmarks.search.questions import (
    QUERIES,
    Question,
    read_questions,
    regenerate,
    write_questions,
)
from benchmarks.servers import ROOT
from catalog.settings import Settings
from catalog.store import FolderStore, Publisher

NAME = "search"
BASE_URL = "http://search.bench"
SEARCH = "/api/3/action/package_search"


def build_store(datasets: Path, store: Path) -> Path:
    """Every dataset of `datasets` published into the folder store `store`."""
    publisher = Publisher(FolderStore(store), datasets)
    for source in publisher.plan(list(publisher.sources().values())):
        publisher.build(source)
    return store


@contextmanager
def published(datasets: Path, store: Path | None) -> Iterator[tuple[Path, Path]]:
    """The store to search (built afresh unless given) and a state folder, both temporary."""
    with tempfile.TemporaryDirectory(prefix="bench-search-") as work:
        scratch = Path(work)
        yield (store or build_store(datasets, scratch / "store")), scratch / "state"


async def ask_all(store: Path, state: Path, questions: Sequence[Question]) -> list[Answer]:
    settings = Settings(store=str(store), datasets=store / "none", state=state, base_url=BASE_URL)
    transport = httpx.ASGITransport(app=create_app(settings))
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        return [await ask(client, question) for question in questions]


async def ask(client: httpx.AsyncClient, question: Question) -> Answer:
    answer = await client.get(SEARCH, params={"q": question.query, "rows": TOP})
    answer.raise_for_status()
    names = tuple(str(found["name"]) for found in answer.json()["result"]["results"])
    return Answer(question, names)


def evaluate(store: Path, state: Path, questions: Sequence[Question]) -> list[Answer]:
    return asyncio.run(ask_all(store, state, questions))


def score_row(score: Score) -> dict[str, Any]:
    return {
        "questions": score.questions,
        "found": score.found,
        "wanted": score.wanted,
        "returned": score.returned,
        "recall": score.recall,
        "precision": score.precision,
    }


def answer_row(answer: Answer) -> dict[str, Any]:
    q = answer.question
    return {
        "query": q.query,
        "kind": q.kind,
        "relevant": sorted(q.relevant),
        "returned": list(answer.top),
        "missed": sorted(answer.missed),
        "extra": list(answer.extra),
    }


def results(answers: Sequence[Answer]) -> dict[str, Any]:
    code = report.checkout()
    return {
        "commit": code["commit"],
        "uncommitted_changes": code["uncommitted_changes"],
        "top": TOP,
        "scores": {kind: score_row(s) for kind, s in by_kind(answers).items()},
        "answers": [answer_row(a) for a in answers],
    }


def markdown(answers: Sequence[Answer]) -> str:
    scores = [
        [kind, s.questions, f"{s.found} of {s.wanted}", percent(s.recall), percent(s.precision)]
        for kind, s in by_kind(answers).items()
    ]
    headers = ("kind", "questions", "relevant found", f"recall@{TOP}", f"precision@{TOP}")
    lines = [f"# Search: the query set through package_search (top {TOP})", ""]
    lines += [report.code_line(report.checkout()), ""]
    lines += report.table(headers, "lrrrr", scores)
    missing = [a for a in answers if not a.perfect]
    if missing:
        rows = [_miss_row(a) for a in missing]
        lines += ["", "## Questions that missed", ""]
        lines += report.table(("query", "kind", "found", "missed", "not relevant"), "lllll", rows)
    return "\n".join(lines) + "\n"


def _miss_row(answer: Answer) -> list[str]:
    def slugs(names: Sequence[str]) -> str:
        return ", ".join(f"`{n}`" for n in names) or "–"

    found = f"{len(answer.found)} of {answer.wanted}"
    q = answer.question
    return [q.query, q.kind, found, slugs(sorted(answer.missed)), slugs(answer.extra)]


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks search", description=(__doc__ or "").splitlines()[0]
    )
    parser.add_argument("--out", type=Path, default=Path("bench-results"))
    parser.add_argument("--queries", type=Path, default=QUERIES)
    parser.add_argument("--datasets", type=Path, default=ROOT / "datasets")
    parser.add_argument("--store", type=Path, help="a store already built (default: build one)")
    parser.add_argument("--regenerate", action="store_true", help="rewrite --queries' answers")
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    args = parser().parse_args(argv)
    questions = read_questions(args.queries)
    with published(args.datasets, args.store) as (store, state):
        if args.regenerate:
            write_questions(regenerate(questions, read_holdings(FolderStore(store))), args.queries)
            report.say(NAME, f"wrote the relevant datasets of {len(questions)} questions")
            return
        report.say(NAME, f"{len(questions)} questions through package_search")
        answers = evaluate(store, state, questions)
    report.write(args.out, NAME, results(answers), markdown(answers))
