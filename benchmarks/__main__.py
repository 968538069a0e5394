"""`python -m benchmarks [all | validation | api | ckan | load] [options]`, from the checkout.

    python -m benchmarks [all] [API options]    validation and CKAN benchmarks at their
                                                default sizes, then the API benchmark
    python -m benchmarks validation [options]   --rows, --runs, --frictionless-runs
    python -m benchmarks api [options]          --rows (e.g. 10000000), --repeat, ...
    python -m benchmarks ckan [options]         --datasets, --rows, --repeat
    python -m benchmarks load [options]         --rows, --downloads, --sql, --stalled, ...

Every benchmark takes `--out` (default `bench-results/`) and `--help`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence

from benchmarks import api, ckan, load, validation

BENCHMARKS: dict[str, Callable[[Sequence[str] | None], None]] = {
    "validation": validation.main,
    "api": api.main,
    "ckan": ckan.main,
    "load": load.main,
}


def main(argv: Sequence[str]) -> None:
    """Run the benchmark named first; without a name, all of them (options go to `api`)."""
    if argv[:1] in (["-h"], ["--help"]):
        print(__doc__)
        return
    which, options = (
        (argv[0], argv[1:]) if argv and argv[0] in (*BENCHMARKS, "all") else ("all", argv)
    )
    if which != "all":
        BENCHMARKS[which](options)
        return
    validation.main([])
    ckan.main([])
    api.main(options)


if __name__ == "__main__":
    main(sys.argv[1:])
