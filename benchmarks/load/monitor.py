"""The load benchmark's monitor: its own process, so that the client's work does not delay it.

It polls `/healthz` every 50 ms and samples the server's RSS every 20 ms, and kills the server
(SIGKILL) if its RSS passes a cap: the machine is shared, and a server past that has failed
the budget already.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from typing import Any

import httpx

from benchmarks.load.results import Samples
from benchmarks.memory import reset_peak, status_kb

HEALTH_INTERVAL = 0.05
RSS_INTERVAL = 0.02


def monitor(url: str, pid: int, kill_kb: int, stop: Any, results: Any) -> None:
    """Poll /healthz and sample RSS until `stop` is set; put the samples on `results`.

    `stop` is a multiprocessing Event and `results` a multiprocessing Queue.
    """
    hwm_reset = reset_peak(pid)
    started = time.monotonic()
    rss: list[tuple[float, int]] = []
    killed: list[int] = []
    sampler = threading.Thread(
        target=sample_rss, args=(pid, kill_kb, stop, started, rss, killed), daemon=True
    )
    sampler.start()
    health = poll_health(url, stop, started)
    sampler.join()
    hwm = status_kb(pid, "VmHWM") if hwm_reset else None
    results.put(Samples(rss=rss, health=health, hwm_kb=hwm, killed_at_kb=killed))


def sample_rss(
    pid: int,
    kill_kb: int,
    stop: Any,
    started: float,
    rss: list[tuple[float, int]],
    killed: list[int],
) -> None:
    """Append (seconds, RSS kB) to `rss`; kill the server once past `kill_kb`."""
    while not stop.is_set():
        found = status_kb(pid, "VmRSS")
        if found is not None:
            rss.append((time.monotonic() - started, found))
            if found > kill_kb and not killed:
                killed.append(found)
                os.kill(pid, signal.SIGKILL)
        stop.wait(RSS_INTERVAL)


def poll_health(url: str, stop: Any, started: float) -> list[tuple[float, float | None, str]]:
    """(seconds, ms taken or None, status or exception name) of each /healthz poll."""
    health: list[tuple[float, float | None, str]] = []
    with httpx.Client(timeout=10) as client:
        while not stop.is_set():
            tick = time.monotonic()
            try:
                status = str(client.get(f"{url}/healthz").status_code)
                took: float | None = (time.monotonic() - tick) * 1000
            except httpx.HTTPError as exc:
                status, took = type(exc).__name__, None
            health.append((tick - started, took, status))
            stop.wait(max(0.0, HEALTH_INTERVAL - (time.monotonic() - tick)))
    return health
