"""The replica benchmark's client: `wrk`, N connections on one thread, cycling through a mix.

The client is a C program on one thread (epoll), not Python: on a two-core machine it shares
the cores with the servers, nginx and (for S3) moto, so the less CPU it takes the more the
figures measure the servers. Each run also counts the CPU seconds every party used (from
/proc), so the report says how much the client took from the measured side.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TypedDict

from benchmarks import report

WRK = shutil.which("wrk") or "/usr/bin/wrk"
TICKS = os.sysconf("SC_CLK_TCK")
# Each connection asks the mix's questions in turn; the summary is printed as one JSON line.
SCRIPT = """
local paths = {PATHS}
local n = 0
request = function()
  n = n % #paths + 1
  return wrk.format("GET", paths[n])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "duration_us": %d, "bytes": %d, "non_2xx": %d,'
    .. ' "socket_errors": %d, "p50_us": %d, "p99_us": %d, "max_us": %d}\\n',
    summary.requests, summary.duration, summary.bytes, e.status,
    e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
"""


class Run(TypedDict):
    """One timed run of a mix against one configuration."""

    requests: int
    seconds: float
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    non_2xx: int
    socket_errors: int
    bytes: int
    cpu_seconds: dict[str, float]
    load_1min: list[float]


def script(folder: Path, name: str, questions: Sequence[str]) -> Path:
    """The Lua script that asks `questions` in turn (ASCII, percent-encoded: JSON strings
    are Lua strings)."""
    path = folder / f"{name}.lua"
    quoted = ", ".join(json.dumps(asked) for asked in questions)
    path.write_text(SCRIPT.replace("PATHS", quoted), encoding="utf-8")
    return path


def wrk(url: str, lua: Path, clients: int, seconds: float) -> tuple[dict[str, int], float]:
    """Run wrk; its summary, and the CPU seconds it used."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    command = [WRK, "-t1", f"-c{clients}", f"-d{seconds:g}s", "--timeout", "60s", "-s", str(lua)]
    done = subprocess.run([*command, url], capture_output=True, text=True, timeout=seconds + 120)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    used = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    summary: dict[str, int] = json.loads(lines[-1].removeprefix("RESULT "))
    return summary, used


def cpu_of_trees(roots: Mapping[str, Sequence[int]]) -> dict[str, float]:
    """CPU seconds (user + system) so far of each party's processes and their children."""
    stats: dict[int, tuple[int, float]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # ended meanwhile
            stats[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / TICKS)
    return {party: sum(stats[p][1] for p in tree(stats, pids)) for party, pids in roots.items()}


def tree(stats: Mapping[int, tuple[int, float]], roots: Sequence[int]) -> set[int]:
    """`roots` and every process below them."""
    found = {pid for pid in roots if pid in stats}
    grew = True
    while grew:
        below = {pid for pid, (parent, _) in stats.items() if parent in found} - found
        found |= below
        grew = bool(below)
    return found


def measure(
    url: str, lua: Path, clients: int, seconds: float, parties: Mapping[str, Sequence[int]]
) -> Run:
    """One timed run of wrk against `url`, with the CPU every party used meanwhile."""
    load_before, cpu_before = report.load_average(), cpu_of_trees(parties)
    summary, client_cpu = wrk(url, lua, clients, seconds)
    cpu_after = cpu_of_trees(parties)
    cpu = {party: round(cpu_after[party] - cpu_before[party], 2) for party in parties}
    elapsed = summary["duration_us"] / 1e6
    return Run(
        requests=summary["requests"],
        seconds=round(elapsed, 2),
        requests_per_second=round(summary["requests"] / elapsed, 1),
        p50_ms=round(summary["p50_us"] / 1000, 1),
        p99_ms=round(summary["p99_us"] / 1000, 1),
        max_ms=round(summary["max_us"] / 1000, 1),
        non_2xx=summary["non_2xx"],
        socket_errors=summary["socket_errors"],
        bytes=summary["bytes"],
        cpu_seconds={**cpu, "client": round(client_cpu, 2)},
        load_1min=[load_before, report.load_average()],
    )


def warm(url: str, lua: Path, clients: int, seconds: float) -> None:
    """An untimed run first: copies fetched, caches filled, connections open."""
    if seconds > 0:
        wrk(url, lua, clients, seconds)
        time.sleep(0.2)
