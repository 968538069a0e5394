"""The two servers under test, each its own process on 127.0.0.1, and their memory.

Ours runs as `opendata serve` (uvicorn, one process); Datasette as `datasette serve` on an
immutable SQLite file with an inspect file, its documented set-up for published data. Peak
memory comes from `/proc/<pid>/status`: `VmHWM` after writing 5 to `/proc/<pid>/clear_refs`
(which resets it), with a sampler of `VmRSS` as a cross-check where the reset is refused.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    url: str
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def log_tail(self, lines: int = 30) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


@contextlib.contextmanager
def running(
    name: str,
    command: Sequence[str],
    port: int,
    ready_path: str,
    log: Path,
    env: Mapping[str, str] | None = None,
    timeout: float = 120.0,
) -> Iterator[Server]:
    """Start `command`, wait until `ready_path` answers 200, and stop it on the way out."""
    with log.open("wb") as output:
        process = subprocess.Popen(
            list(command),
            cwd=ROOT,
            env={**os.environ, **(env or {})},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    server = Server(name, process, f"http://127.0.0.1:{port}", log)
    try:
        _wait_ready(server, ready_path, timeout)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_ready(server: Server, path: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited early:\n{server.log_tail()}")
        try:
            if httpx.get(server.url + path, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(
        f"{server.name} did not answer {path} in {timeout:g} s:\n{server.log_tail()}"
    )


def ours(
    store: Path, datasets: Path, port: int, log: Path, env: Mapping[str, str]
) -> contextlib.AbstractContextManager[Server]:
    command = [
        str(BIN / "opendata"),
        "--store",
        str(store),
        "--datasets",
        str(datasets),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    return running("ours", command, port, "/healthz", log, env)


DATASETTE_SETTINGS = {
    # Long enough that the heaviest query of the run finishes instead of being cut off.
    "sql_time_limit_ms": "600000",
    # Our rows endpoint allows 10,000 rows per page; give Datasette the same.
    "max_returned_rows": "10000",
    # No cap on the size of a streamed CSV export, so the export is whole.
    "max_csv_mb": "0",
}


def datasette(
    database: Path, inspect: Path, port: int, log: Path
) -> contextlib.AbstractContextManager[Server]:
    command = [
        str(BIN / "datasette"),
        "serve",
        "--immutable",
        str(database),
        "--inspect-file",
        str(inspect),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    for name, value in DATASETTE_SETTINGS.items():
        command += ["--setting", name, value]
    return running("datasette", command, port, "/-/versions.json", log)


def datasette_inspect(database: Path, inspect: Path) -> None:
    """`datasette inspect`: counts cached ahead, as Datasette's docs advise for immutable data."""
    subprocess.run(
        [str(BIN / "datasette"), "inspect", str(database), "--inspect-file", str(inspect)],
        check=True,
        capture_output=True,
    )


def status_kb(pid: int, key: str) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


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
        try:
            Path(f"/proc/{self.pid}/clear_refs").write_text("5")
            self.hwm_reset = True
        except OSError:
            self.hwm_reset = False
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
