"""Real servers on 127.0.0.1, each its own process: started, waited for, and stopped.

The one place that starts a server and waits until it answers; the tests (`tests/servers.py`)
and the benchmarks both use it. Ours runs as `opendata serve` (uvicorn, one process), as
`scripts/run` starts it; Datasette, the benchmarks' peer, as `datasette serve` on an immutable
SQLite file with an inspect file, its documented set-up for published data.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from subprocess import DEVNULL

import httpx

ROOT = Path(__file__).resolve().parent.parent
# The venv's own scripts: `opendata` and `datasette` beside the interpreter running this.
BIN = Path(sys.executable).parent
OPENDATA = BIN / "opendata"
POLL_SECONDS = 0.1


def free_port() -> int:
    """A port nobody listens on now (the OS picks it; the server binds it right after)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Server:
    """A server process that answered its readiness path."""

    name: str
    process: subprocess.Popen[bytes]
    url: str
    log: Path | None = None

    @property
    def pid(self) -> int:
        return self.process.pid

    def log_tail(self, lines: int = 30) -> str:
        if self.log is None or not self.log.exists():
            return "(no log kept)"
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


@contextmanager
def running(
    name: str,
    command: Sequence[str],
    port: int,
    *,
    ready_path: str = "/healthz",
    log: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 120.0,
) -> Iterator[Server]:
    """Start `command`, wait until `ready_path` answers 200, and stop it on the way out.

    The output goes to `log` (or nowhere); the server's working directory is the checkout.
    """
    process = start(command, log, env)
    server = Server(name, process, f"http://127.0.0.1:{port}", log)
    try:
        wait_ready(server, ready_path, timeout)
        yield server
    finally:
        stop(process)


def start(
    command: Sequence[str], log: Path | None, env: Mapping[str, str] | None
) -> subprocess.Popen[bytes]:
    environment = {**os.environ, **(env or {})}
    if log is None:
        return subprocess.Popen(
            list(command), cwd=ROOT, env=environment, stdout=DEVNULL, stderr=DEVNULL
        )
    with log.open("wb") as output:
        return subprocess.Popen(
            list(command), cwd=ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT
        )


def wait_ready(server: Server, path: str, timeout: float) -> None:
    """Poll `path` until it answers 200; fail if the process exits or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited early:\n{server.log_tail()}")
        try:
            if httpx.get(server.url + path, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(POLL_SECONDS)
    raise RuntimeError(
        f"{server.name} on {server.url} did not answer {path} in {timeout:g} s:\n"
        f"{server.log_tail()}"
    )


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL if the process has not ended within 15 s."""
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def serve_opendata(
    store: Path,
    *,
    datasets: Path | None = None,
    log: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 120.0,
) -> AbstractContextManager[Server]:
    """`opendata serve` of `store` on a free port, until the block ends."""
    port = free_port()
    command = [str(OPENDATA), "--store", str(store)]
    if datasets is not None:
        command += ["--datasets", str(datasets)]
    command += ["serve", "--host", "127.0.0.1", "--port", str(port)]
    return running("ours", command, port, log=log, env=env, timeout=timeout)


DATASETTE_SETTINGS = {
    # Long enough that the heaviest query of the run finishes instead of being cut off.
    "sql_time_limit_ms": "600000",
    # Our rows endpoint allows 10,000 rows per page; give Datasette the same.
    "max_returned_rows": "10000",
    # No cap on the size of a streamed CSV export, so the export is whole.
    "max_csv_mb": "0",
}


def serve_datasette(database: Path, inspect: Path, log: Path) -> AbstractContextManager[Server]:
    """`datasette serve --immutable` of `database` on a free port, until the block ends."""
    port = free_port()
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
    return running("datasette", command, port, ready_path="/-/versions.json", log=log)


def datasette_inspect(database: Path, inspect: Path) -> None:
    """`datasette inspect`: counts cached ahead, as Datasette's docs advise for immutable data."""
    subprocess.run(
        [str(BIN / "datasette"), "inspect", str(database), "--inspect-file", str(inspect)],
        check=True,
        capture_output=True,
    )
