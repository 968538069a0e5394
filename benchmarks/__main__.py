"""`python -m benchmarks [all | validation | api | ckan | load | search | ranges | replicas]
[options]`, from the checkout.

    python -m benchmarks [all] [API options]    validation and CKAN benchmarks at their
                                                default sizes, then the API benchmark
    python -m benchmarks validation [options]   --rows, --runs, --frictionless-rows,
                                                --frictionless-runs, --data
    python -m benchmarks api [options]          --rows (e.g. 10000000), --repeat, ...
    python -m benchmarks ckan [options]         --datasets, --rows, --repeat
    python -m benchmarks load [options]         --rows, --downloads, --sql, --stalled, ...
    python -m benchmarks search [options]       --store, --queries, --regenerate
    python -m benchmarks ranges [options]       --rows, --repeat, --cold: the engine over a
                                                folder, S3 in place, S3 copied whole
    python -m benchmarks replicas [options]     --rows, --clients, --seconds, --warmup

Every benchmark takes `--out` (default `bench-results/`) and `--help`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import NamedTuple

from benchmarks import api, ckan, load, ranges, replicas, search, validation


class Benchmark(NamedTuple):
    run: Callable[[Sequence[str] | None], None]
    # Part of `all`, which runs these in order. `load` is not: it counts failures under many
    # clients at once, a robustness run rather than timings beside a peer.
    in_all: bool


BENCHMARKS: dict[str, Benchmark] = {
    "validation": Benchmark(validation.main, in_all=True),
    "ckan": Benchmark(ckan.main, in_all=True),
    "api": Benchmark(api.main, in_all=True),
    "load": Benchmark(load.main, in_all=False),
    # Not timings: how well search finds the figures a researcher asks for (issue 13).
    "search": Benchmark(search.main, in_all=False),
    # The query engine over an S3 store read in place by byte ranges (issue 17).
    "ranges": Benchmark(ranges.main, in_all=False),
    # 1 and 2 workers behind nginx, folder store and S3 store (issue 17): needs nginx and wrk.
    "replicas": Benchmark(replicas.main, in_all=False),
}


def main(argv: Sequence[str]) -> None:
    """Run the benchmark named first; without a name, `all` (options go to the last, `api`)."""
    if argv[:1] in (["-h"], ["--help"]):
        print(__doc__)
        return
    which, options = (
        (argv[0], argv[1:]) if argv and argv[0] in (*BENCHMARKS, "all") else ("all", argv)
    )
    if which != "all":
        BENCHMARKS[which].run(options)
        return
    *first, last = [benchmark for benchmark in BENCHMARKS.values() if benchmark.in_all]
    for benchmark in first:
        benchmark.run([])
    last.run(options)


if __name__ == "__main__":
    main(sys.argv[1:])
