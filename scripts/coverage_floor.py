"""Fail unless the tests just run (scripts/test --fast) reached every module of the packages.

Reads the coverage data that pytest-cov left; the packages are coverage's `source` in
pyproject.toml, so a module no test imported is listed at 0 %.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import coverage

# Each module's share of lines that the fast tier must run. Importing a module runs its
# definitions, so the floor asks for more than that: some of its code was called. The lowest,
# at 22 to 25 % in one run (cli.push, cli.publish, catalog.ckan.actions.create,
# catalog.ckan.datastore.filters, catalog.ckan.push), are run mostly by the slow tier: real
# servers and the CLI's own process, which coverage does not follow.
FLOOR = 15.0
# Coverage's `source` holds benchmarks/ so that a full run reports it, but the benchmarks run
# only in the slow tier, each in a process of its own (tests/benchmarks): no floor here.
UNFLOORED = ("benchmarks/",)


def shares() -> dict[str, float]:
    """Per module, the percentage of its statements that ran (0 for a module never imported)."""
    cov = coverage.Coverage()
    cov.load()
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "coverage.json"
        cov.json_report(outfile=str(out))
        files = json.loads(out.read_text(encoding="utf-8"))["files"]
    return {name: entry["summary"]["percent_covered"] for name, entry in files.items()}


def main() -> int:
    found = shares()
    found = {path: share for path, share in found.items() if not path.startswith(UNFLOORED)}
    below = {path: share for path, share in found.items() if share < FLOOR}
    for path, share in sorted(below.items()):
        print(f"{share:5.1f} %  {path}", file=sys.stderr)
    if below:
        print(f"{len(below)} modules below {FLOOR:.0f} % in the fast tier", file=sys.stderr)
        return 1
    print(f"fast tier: all {len(found)} modules at {FLOOR:.0f} % or more of their lines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
