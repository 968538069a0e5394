"""What the replica benchmark writes into `replicas.json`: its shape, and the ratios."""

from __future__ import annotations

from statistics import median
from typing import TypedDict

from benchmarks.replicas.drive import Run
from benchmarks.replicas.stores import Preparation
from benchmarks.report import Checkout, Machine

STORES = ("local", "s3")
WORKERS = (1, 2)
MIXES = ("catalogue", "rows")


class Measured(TypedDict):
    """A mix against a configuration over every round: the medians of the rounds' figures
    (rounds alternate the configurations, so a busy spell of a shared machine falls on all
    of them), with each round's figures beside them."""

    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests_per_second_rounds: list[float]
    p99_ms_rounds: list[float]
    requests: int
    errors: int
    # The replicas' CPU time per answered request: unlike requests/s, not lowered by other
    # work on a shared machine taking the cores (only by what it does to the caches).
    replica_cpu_ms_per_request: float
    cpu_seconds: dict[str, float]
    load_1min: list[float]
    rounds: list[Run]


# runs[store][workers][mix]; workers as a string key, as JSON has it.
Runs = dict[str, dict[str, dict[str, Measured]]]


class Plan(TypedDict):
    clients: int
    rounds: int
    seconds: float
    warmup_seconds: float
    nginx_worker_processes: int
    client: str
    s3_server: str


class Ratio(TypedDict):
    """`of` divided by `over`, for requests/s, p99 and the replicas' CPU per request."""

    mix: str
    of: str
    over: str
    requests_per_second: float
    p99: float
    cpu_per_request: float


class Agreement(TypedDict):
    agree: bool
    questions: int
    answers_per_question: int
    disagreements: dict[str, list[str]]


class ReplicaResults(TypedDict):
    data: str
    machine: Machine
    code: Checkout
    software: dict[str, str]
    plan: Plan
    server_settings: dict[str, str]
    preparation: Preparation
    mixes: dict[str, list[str]]
    runs: Runs
    ratios: list[Ratio]
    agreement: Agreement
    run_seconds: float


def measured(rounds: list[Run]) -> Measured:
    """The rounds of one mix against one configuration, summarized."""
    rates = [run["requests_per_second"] for run in rounds]
    p99s = [run["p99_ms"] for run in rounds]
    cpu: dict[str, float] = {}
    for run in rounds:
        for party, seconds in run["cpu_seconds"].items():
            cpu[party] = round(cpu.get(party, 0.0) + seconds, 2)
    loads = [load for run in rounds for load in run["load_1min"]]
    requests = sum(run["requests"] for run in rounds)
    replica_cpu = sum(seconds for party, seconds in cpu.items() if party.startswith("replica"))
    return Measured(
        requests_per_second=round(median(rates), 1),
        p50_ms=round(median(run["p50_ms"] for run in rounds), 1),
        p99_ms=round(median(p99s), 1),
        requests_per_second_rounds=rates,
        p99_ms_rounds=p99s,
        requests=requests,
        errors=sum(run["non_2xx"] + run["socket_errors"] for run in rounds),
        replica_cpu_ms_per_request=round(1000 * replica_cpu / max(requests, 1), 2),
        cpu_seconds=cpu,
        load_1min=[min(loads), max(loads)],
        rounds=rounds,
    )


def label(store: str, workers: int) -> str:
    return f"{store}, {workers} worker{'s' if workers > 1 else ''}"


def ratio(mix: str, of: tuple[str, int], over: tuple[str, int], runs: Runs) -> Ratio:
    top, bottom = runs[of[0]][str(of[1])][mix], runs[over[0]][str(over[1])][mix]
    return Ratio(
        mix=mix,
        of=label(*of),
        over=label(*over),
        requests_per_second=round(
            top["requests_per_second"] / max(bottom["requests_per_second"], 1e-9), 2
        ),
        p99=round(top["p99_ms"] / max(bottom["p99_ms"], 1e-9), 2),
        cpu_per_request=round(
            top["replica_cpu_ms_per_request"] / max(bottom["replica_cpu_ms_per_request"], 1e-9),
            2,
        ),
    )


def ratios(runs: Runs) -> list[Ratio]:
    """2 workers over 1 for each store, then S3 over local for each number of workers."""
    by_workers = [ratio(m, (s, 2), (s, 1), runs) for m in MIXES for s in STORES]
    by_store = [ratio(m, ("s3", w), ("local", w), runs) for m in MIXES for w in WORKERS]
    return by_workers + by_store
