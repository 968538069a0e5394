"""Resident memory of a server process, read from `/proc/<pid>/status`.

Peak memory is `VmHWM` after writing 5 to `/proc/<pid>/clear_refs` (which resets it), with a
sampler of `VmRSS` as a cross-check where the reset is refused.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TypedDict


class MemoryReport(TypedDict):
    """A server's resident memory around one block of work, in MB."""

    peak_rss_mb: float
    rss_before_mb: float
    rss_increase_mb: float
    peak_source: str
    sampled_peak_rss_mb: float


def status_kb(pid: int, key: str) -> int | None:
    """A `kB` line of `/proc/<pid>/status` (`VmRSS`, `VmHWM`), or None once the process is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def reset_peak(pid: int) -> bool:
    """Reset the process's `VmHWM` to its current RSS; False where the kernel refuses."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


class PeakMemory:
    """Peak resident memory of one process while a block runs."""

    def __init__(self, pid: int, interval: float = 0.02) -> None:
        self.pid = pid
        self.interval = interval
        self.before_kb: int | None = None
        self.sampled_peak_kb = 0
        self.hwm_kb: int | None = None
        self.hwm_reset = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> PeakMemory:
        self.before_kb = status_kb(self.pid, "VmRSS")
        self.hwm_reset = reset_peak(self.pid)
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self.hwm_kb = status_kb(self.pid, "VmHWM")

    def _sample(self) -> None:
        while not self._stop.is_set():
            rss = status_kb(self.pid, "VmRSS") or 0
            self.sampled_peak_kb = max(self.sampled_peak_kb, rss)
            self._stop.wait(self.interval)

    @property
    def peak_mb(self) -> float:
        """VmHWM when it was reset for this block, else the highest sampled VmRSS."""
        kb = self.hwm_kb if self.hwm_reset and self.hwm_kb else self.sampled_peak_kb
        return round(kb / 1024, 1)

    def report(self) -> MemoryReport:
        """The figures a benchmark result carries about this block."""
        before_mb = (self.before_kb or 0) / 1024
        return MemoryReport(
            peak_rss_mb=self.peak_mb,
            rss_before_mb=round(before_mb, 1),
            rss_increase_mb=round(self.peak_mb - before_mb, 1),
            peak_source="VmHWM after clear_refs" if self.hwm_reset else "sampled VmRSS",
            sampled_peak_rss_mb=round(self.sampled_peak_kb / 1024, 1),
        )
