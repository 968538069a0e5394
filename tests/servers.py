"""Real servers for client tests: `opendata serve` on 127.0.0.1, as scripts/run starts it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

OPENDATA = str(Path(sys.executable).with_name("opendata"))


@dataclass(frozen=True)
class Server:
    url: str
    pid: int


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def state_of(store: Path) -> Path:
    """The private state folder the test servers of `store` use: a sibling of the store."""
    return store.parent / "state"


@contextmanager
def serving(store: Path, *, env: dict[str, str] | None = None) -> Iterator[Server]:
    """Serve `store` until the block ends; fails if the server does not answer /healthz."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    # Private state (tokens, audit log) beside the store, never in the repository's state/.
    private = {"OPENDATA_STATE": str(state_of(store))}
    process = subprocess.Popen(
        [OPENDATA, "--store", str(store), "serve", "--port", str(port)],
        env={**os.environ, **private, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(url + "/healthz", timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the server on {url} did not start") from None
                time.sleep(0.1)
        yield Server(url=url, pid=process.pid)
    finally:
        process.terminate()
        process.wait(timeout=10)
