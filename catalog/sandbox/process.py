"""One SQL sandbox worker process as the pool sees it: started, asked, killed.

A request and its answer are frames (`catalog.sandbox.protocol`) over the process's stdin and
stdout; an answer is read within a deadline (`TimeoutError` past it) and within a size.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

from catalog.sandbox.protocol import FRAME, AnswerHeader, Limits, SqlRequest, ViewsRequest

START_SECONDS = 30.0  # for a new worker to import DuckDB and say it is ready
HEADER_BYTES = 4 * 1024 * 1024  # the answer's fields and flags, beside the capped rows
# The project root (above catalog/sandbox/), so that a worker imports this very `catalog`,
# wherever it is installed, and not another checkout's that site-packages may point to.
ROOT = str(Path(__file__).resolve().parents[2])


class WorkerGone(Exception):
    """The worker process died or broke the protocol; it must be replaced."""


class WorkerProcess:
    """One worker process and the pipes to it."""

    def __init__(self, limits: Limits) -> None:
        self.generation: str | None = None
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": ROOT}
        env.update({k: os.environ[k] for k in ("TZ", "LANG", "LC_ALL") if k in os.environ})
        # -P: no working directory on sys.path; -s: no user site; -B: no bytecode written.
        command = [sys.executable, "-P", "-s", "-B", "-m", "catalog.sandbox.worker"]
        self.process = subprocess.Popen(
            [*command, json.dumps(asdict(limits))],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd="/",
            env=env,
            close_fds=True,
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self._input = self.process.stdin
        self._output = self.process.stdout.fileno()
        try:
            header, _ = self._read(time.monotonic() + START_SECONDS, HEADER_BYTES)
        except (WorkerGone, TimeoutError):
            self.kill()
            raise
        if not header.get("ready"):
            self.kill()
            raise WorkerGone("the worker did not start")

    @property
    def pid(self) -> int:
        return self.process.pid

    def ask(
        self, request: SqlRequest | ViewsRequest, deadline: float, limit: int
    ) -> tuple[AnswerHeader, list[str]]:
        """Send `request`; the answer's header and rows. TimeoutError past `deadline`."""
        body = json.dumps(request, ensure_ascii=False).encode()
        try:
            self._input.write(FRAME.pack(len(body)) + body)
            self._input.flush()
        except OSError as exc:
            raise WorkerGone("the worker is gone") from exc
        return self._read(deadline, limit)

    def _read(self, deadline: float, limit: int) -> tuple[AnswerHeader, list[str]]:
        (size,) = FRAME.unpack(self._read_exactly(FRAME.size, deadline))
        if size > limit:
            raise WorkerGone(f"the worker sent {size} bytes, more than {limit}")
        data = self._read_exactly(size, deadline)
        head, _, rest = data.partition(b"\n")
        try:
            header: AnswerHeader = json.loads(head)  # the worker's; checked below as far as used
            rows = rest.decode().split("\n") if rest else []
        except ValueError as exc:
            raise WorkerGone("the worker sent something unreadable") from exc
        if not isinstance(header, dict) or len(rows) != int(header.get("count", 0)):
            raise WorkerGone("the worker's answer does not add up")
        return header, rows

    def _read_exactly(self, size: int, deadline: float) -> bytes:
        chunks = []
        poller = select.poll()
        poller.register(self._output, select.POLLIN | select.POLLHUP | select.POLLERR)
        while size:
            left = deadline - time.monotonic()
            if left <= 0 or not poller.poll(left * 1000):
                raise TimeoutError
            chunk = os.read(self._output, min(size, 1 << 20))
            if not chunk:
                raise WorkerGone("the worker is gone")
            chunks.append(chunk)
            size -= len(chunk)
        return b"".join(chunks)

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        self.process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):  # stuck in the kernel: let it be
            self.process.wait(timeout=5)
        self._input.close()
        if self.process.stdout is not None:
            self.process.stdout.close()

    def stop(self) -> None:
        """Let the worker end by itself (its input closes), killing it if it lingers."""
        try:
            self._input.close()
            self.process.wait(timeout=2)
        except (OSError, subprocess.TimeoutExpired):
            pass
        self.kill()
