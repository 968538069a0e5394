"""The search benchmark: recall and precision in the top 10 of `package_search` on a query set
of indicator, place and synonym questions (issue 13), whose answers come from the data itself.

- `queries.csv`: the questions, what each means, and the datasets that hold its figure;
- `holdings`: what the published data holds (indicators, regions) read from a built store;
- `questions`: the query set as data, and `regenerate`, which derives its answers;
- `metrics`: recall and precision in the top 10, per question, per kind and pooled;
- `run`: `python -m benchmarks search [--store S] [--regenerate]`.
"""

from benchmarks.search.holdings import HeldFigures, Holdings, KnownRegion, read_holdings
from benchmarks.search.metrics import TOP, Answer, Score, by_kind, score
from benchmarks.search.questions import (
    KINDS,
    QUERIES,
    Question,
    read_questions,
    regenerate,
    relevant_datasets,
    write_questions,
)
from benchmarks.search.run import build_store, evaluate, main

__all__ = [
    "KINDS",
    "QUERIES",
    "TOP",
    "Answer",
    "HeldFigures",
    "Holdings",
    "KnownRegion",
    "Question",
    "Score",
    "build_store",
    "by_kind",
    "evaluate",
    "main",
    "read_holdings",
    "read_questions",
    "regenerate",
    "relevant_datasets",
    "score",
    "write_questions",
]
