"""The one report writer: each benchmark's results as `<name>.json` and `<name>.md`.

Also what every report says about where it ran (commit, software, machine) and the small
Markdown pieces the reports share: tables, verdict cells, the provenance line.
"""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import TypedDict

from benchmarks.servers import ROOT

# The code the servers run: a change here not yet committed makes the figures unattributable.
SERVED_CODE = ("catalog", "api", "web", "cli", "validation")
ALIGN = {"l": "---", "r": "---:", "c": ":---:"}


class Checkout(TypedDict):
    commit: str
    uncommitted_changes: bool


class Machine(TypedDict):
    cpus: int | None
    arch: str


def write(out: Path, name: str, results: Mapping[str, object], markdown: str) -> None:
    """Write `<name>.json` and `<name>.md` into `out`, and print the Markdown."""
    out.mkdir(parents=True, exist_ok=True)
    text = json.dumps(results, indent=2, ensure_ascii=False) + "\n"
    (out / f"{name}.json").write_text(text, encoding="utf-8")
    (out / f"{name}.md").write_text(markdown, encoding="utf-8")
    print(markdown)


def say(benchmark: str, message: str) -> None:
    """Progress on stderr, timestamped: the results alone go to stdout."""
    print(f"[{benchmark} {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def checkout() -> Checkout:
    """The commit the servers ran, and whether the code they import differed from it."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return done.stdout.strip()

    changed = git("status", "--porcelain", "--", *SERVED_CODE)
    return Checkout(commit=git("rev-parse", "--short", "HEAD"), uncommitted_changes=bool(changed))


def versions(*packages: str) -> dict[str, str]:
    """Python's, SQLite's and each installed package's version."""
    found = {"python": platform.python_version(), "sqlite": sqlite3.sqlite_version}
    found.update({name: metadata.version(name) for name in packages})
    return found


def machine() -> Machine:
    return Machine(cpus=os.cpu_count(), arch=platform.machine())


def load_average() -> float:
    """The machine's 1-minute load average: shared machines make noisy figures."""
    return round(os.getloadavg()[0], 2)


def code_line(code: Checkout) -> str:
    """`Code at commit …`, flagged when the checkout had uncommitted changes."""
    dirty = " **with uncommitted changes**" if code["uncommitted_changes"] else ""
    return f"Code at commit `{code['commit']}`{dirty}"


def met_cell(met: bool | None) -> str:
    return {True: "yes", False: "**NO**", None: "not measured"}[met]


def table(headers: Sequence[str], align: str, rows: Iterable[Sequence[object]]) -> list[str]:
    """A Markdown table; `align` has one letter per column: l(eft), r(ight) or c(entre)."""
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(ALIGN[a] for a in align) + " |"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return lines
