"""Benchmark: 1 and 2 `opendata serve` workers behind nginx, over a local folder store and over
an S3 store, on the same catalogue and rows questions; requests/s, p50 and p99, and ratios.

The data is the shipped catalogue (`datasets/`) plus a SYNTHETIC, seeded, made-up
12333-hotline log of `--rows` rows (benchmarks.hotline), built by `opendata build` into an S3
store on moto's server on 127.0.0.1 and copied key by key into a folder store
(benchmarks.replicas.stores). Two replicas of each store run throughout, sharing one state
database; a configuration is nginx in front of the first alone (1 worker) or of both (2):
local or S3, 1 or 2 workers. Every question is first asked through each nginx and of each
replica directly, and all answers must agree byte for byte. Then each mix gets `--clients`
connections of wrk against each configuration: `--warmup` untimed seconds, then `--rounds`
timed runs of `--seconds`, the configurations taking turns round by round.

    python -m benchmarks replicas [--rows 200000] [--clients 8] [--rounds 3] [--seconds 10]
        [--warmup 5] [--out bench-results/] [--tmp DIR]

Writes ``replicas.json`` and ``replicas.md`` into ``--out``. Needs nginx and wrk (Debian).
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import time
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path

from benchmarks import report
from benchmarks.replicas.balancer import NGINX, Front, balanced, replicas, server_settings
from benchmarks.replicas.drive import WRK, Run, measure, script, warm
from benchmarks.replicas.markdown import markdown
from benchmarks.replicas.questions import (
    answers,
    catalogue_mix,
    disagreements,
    middle_cursor,
    rows_mix,
)
from benchmarks.replicas.results import (
    STORES,
    WORKERS,
    Agreement,
    Plan,
    ReplicaResults,
    Runs,
    measured,
    ratios,
)
from benchmarks.replicas.stores import BUCKET, Stores, prepare
from benchmarks.s3server import serving_s3
from benchmarks.servers import Server

NAME = "replicas"
NGINX_WORKERS = 1  # balancer.nginx_config


Configuration = tuple[str, int]  # the store, and how many workers


class Bench:
    """The run's state: its options, the configurations, the questions, and the rounds."""

    def __init__(self, args: argparse.Namespace, tmp: Path, moto: Server) -> None:
        self.args, self.tmp, self.moto = args, tmp, moto
        self.fronts: dict[Configuration, Front] = {}
        self.mixes: dict[str, list[str]] = {}
        self.scripts: dict[str, Path] = {}
        self.rounds: dict[tuple[str, int, str], list[Run]] = {}

    def start(self, stack: ExitStack, stores: Stores) -> None:
        """Two replicas of each store; nginx in front of the first alone, and of both."""
        for store in STORES:
            report.say(NAME, f"starting two replicas of the {store} store")
            folder = self.tmp / store
            env = {**stores.env[store], "OPENDATA_DATASETS": str(stores.datasets)}
            servers = stack.enter_context(replicas(env, max(WORKERS), folder, self.args.clients))
            for workers in WORKERS:
                front = balanced(folder / f"nginx-{workers}", servers[:workers])
                self.fronts[store, workers] = stack.enter_context(front)

    def ask(self) -> list[dict[str, set[str]]]:
        """The mixes (the keyset page's cursor walked to once: both stores hold the same
        versions), and every configuration's answers to them."""
        first = next(iter(self.fronts.values()))
        cursor = middle_cursor(first.url, self.args.rows)
        self.mixes = {"catalogue": catalogue_mix(), "rows": rows_mix(cursor)}
        self.scripts = {mix: script(self.tmp, mix, qs) for mix, qs in self.mixes.items()}
        every = [asked for mix in self.mixes.values() for asked in mix]
        return [answers(front, every) for front in self.fronts.values()]

    def parties(self, store: str, workers: int) -> dict[str, list[int]]:
        front = self.fronts[store, workers]
        return {
            **{f"replica {n}": [server.pid] for n, server in enumerate(front.replicas, 1)},
            "nginx": [front.nginx.pid],
            **({"s3": [self.moto.pid]} if store == "s3" else {}),
        }

    def time_round(self, configuration: Configuration, mix: str, first: bool) -> None:
        """One round of `mix` against `configuration` (the first after its warm-up)."""
        url, lua, clients = self.fronts[configuration].url, self.scripts[mix], self.args.clients
        if first:
            warm(url, lua, clients, self.args.warmup)
        run = measure(url, lua, clients, self.args.seconds, self.parties(*configuration))
        self.rounds.setdefault((*configuration, mix), []).append(run)

    def run_rounds(self) -> None:
        """Every round: each configuration in turn (a different one first each round)."""
        order = list(self.fronts)
        for number in range(self.args.rounds):
            report.say(NAME, f"round {number + 1} of {self.args.rounds}")
            for configuration in order[number % len(order) :] + order[: number % len(order)]:
                for mix in self.mixes:
                    self.time_round(configuration, mix, first=number == 0)

    def runs(self) -> Runs:
        runs: Runs = {}
        for (store, workers, mix), rounds in self.rounds.items():
            runs.setdefault(store, {}).setdefault(str(workers), {})[mix] = measured(rounds)
        return runs


def agreement(seen: list[dict[str, set[str]]], fronts: int) -> Agreement:
    differing = disagreements(seen)
    return Agreement(
        agree=not differing,
        questions=len(seen[0]),
        # through each nginx, and of each replica directly by each configuration
        answers_per_question=fronts + sum(WORKERS) * len(STORES),
        disagreements=differing,
    )


def tool_versions() -> dict[str, str]:
    """nginx's and wrk's versions, as they print them."""
    nginx = subprocess.run([NGINX, "-v"], capture_output=True, text=True).stderr.strip()
    wrk = subprocess.run([WRK, "-v"], capture_output=True, text=True)
    return {
        "nginx": nginx.split("/")[-1],
        "wrk": (wrk.stdout + wrk.stderr).split()[1] if (wrk.stdout + wrk.stderr) else "?",
    }


def run(args: argparse.Namespace, tmp: Path) -> ReplicaResults:
    with serving_s3(BUCKET, threaded=True) as moto, ExitStack() as stack:
        report.say(NAME, f"building the catalogue and {args.rows:,} SYNTHETIC rows into S3")
        stores, preparation = prepare(tmp, moto.url, args.rows)
        report.say(NAME, f"prepared: {preparation}")
        bench = Bench(args, tmp, moto)
        bench.start(stack, stores)
        seen = bench.ask()
        bench.run_rounds()
    runs = bench.runs()
    return ReplicaResults(
        data="the shipped catalogue (datasets/) plus a SYNTHETIC 12333-hotline log"
        " (seeded, made up; not real data)",
        machine=report.machine(),
        code=report.checkout(),
        software={**report.versions("duckdb", "pyarrow", "uvicorn", "moto"), **tool_versions()},
        plan=Plan(
            clients=args.clients,
            rounds=args.rounds,
            seconds=args.seconds,
            warmup_seconds=args.warmup,
            nginx_worker_processes=NGINX_WORKERS,
            client="wrk, one thread, keep-alive connections, each asking the mix in turn",
            s3_server="moto's server with a thread per request (benchmarks.s3server)",
        ),
        server_settings=server_settings(args.clients),
        preparation=preparation,
        mixes=bench.mixes,
        runs=runs,
        ratios=ratios(runs),
        agreement=agreement(seen, len(bench.fronts)),
        run_seconds=0.0,
    )


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks replicas", description=(__doc__ or "").splitlines()[0]
    )
    parser.add_argument("--rows", type=int, default=200_000, help="SYNTHETIC rows")
    parser.add_argument("--clients", type=int, default=8, help="connections at once")
    parser.add_argument("--rounds", type=int, default=3, help="timed runs of each mix")
    parser.add_argument("--seconds", type=float, default=10.0, help="of each timed run")
    parser.add_argument("--warmup", type=float, default=5.0, help="untimed, before the first")
    parser.add_argument("--out", type=Path, default=Path("bench-results"))
    parser.add_argument("--tmp", type=Path, default=None, help="where the scratch folder goes")
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    args = parser().parse_args(argv)
    for tool in (NGINX, WRK):
        if not Path(tool).is_file():
            raise SystemExit(f"{tool} is not installed (Debian: apt-get install nginx wrk)")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-replicas-", dir=args.tmp) as tmp:
        results = run(args, Path(tmp))
    results["run_seconds"] = round(time.perf_counter() - started, 1)
    report.write(args.out, NAME, results, markdown(results))
