"""What the operations tests share: a store with one large CSV download, a raw slow reader,
an app served by uvicorn on a thread (for an app whose parts a test holds), the metrics."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import build_all, descriptor, write_dataset
from tests.servers import free_port

BIG = "big-test"  # synthetic: sequential ids and values, large enough to outlast socket buffers
BIG_ROWS = 200_000


def publish_big(root: Path) -> Path:
    """A store at `root/store` whose dataset `big-test` has a CSV download of a few MB."""
    rows = "".join(f"{i},{i * 7 % 100_003},row-{i}\n" for i in range(BIG_ROWS))
    fields = [
        {"name": "id", "type": "integer", "constraints": {"required": True}},
        {"name": "value", "type": "integer"},
        {"name": "label", "type": "string"},
    ]
    resource = {
        "name": "big",
        "path": "data/big.csv",
        "format": "csv",
        "schema": {"fields": fields, "primaryKey": ["id"]},
    }
    datasets = root / "datasets"
    write_dataset(
        datasets, BIG, {"big.csv": "id,value,label\n" + rows}, descriptor(BIG, [resource])
    )
    store = root / "store"
    assert build_all(store, datasets).broken == {}
    return store


def stored_csv(store: Path) -> bytes:
    """The CSV download of `big-test` as it was rendered at publish."""
    version = (store / BIG / "CURRENT").read_text(encoding="utf-8").strip()
    return (store / BIG / version / "downloads" / "big.csv").read_bytes()


def slow_request(url: str, path: str, receive_buffer: int = 4096) -> socket.socket:
    """A GET sent on a socket whose receive buffer is small, so the server cannot push the
    whole answer into the kernel at once: it stays in flight while the test reads slowly."""
    host, port = url.removeprefix("http://").split(":")
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    sock.connect((host, int(port)))
    head = f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept-Encoding: identity\r\n"
    sock.sendall((head + "Connection: close\r\n\r\n").encode())
    return sock


def read_all(sock: socket.socket, *, pause: float = 0.0, chunk: int = 4096) -> bytes:
    """Everything the server sends until it closes, `pause` seconds between reads."""
    parts = []
    while data := sock.recv(chunk):
        parts.append(data)
        time.sleep(pause)
    return b"".join(parts)


def body_of(response: bytes) -> tuple[str, bytes]:
    """The status line and the body of an HTTP/1.1 answer with a Content-Length."""
    head, _, body = response.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    length = next(
        int(v) for k, v in (h.split(": ", 1) for h in lines[1:]) if k.lower() == "content-length"
    )
    assert len(body) == length, (len(body), length)
    return lines[0], body


def refused(url: str, seconds: float = 5.0) -> bool:
    """Whether a new connection to `url` is refused within `seconds`."""
    host, port = url.removeprefix("http://").split(":")
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection((host, int(port)), timeout=1).close()
        except ConnectionRefusedError:
            return True
        time.sleep(0.05)
    return False


@contextmanager
def on_a_thread(app: Any) -> Iterator[str]:
    """`app` served by a real uvicorn on 127.0.0.1, on a thread of this process."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while not server.started:
            assert time.monotonic() < deadline and thread.is_alive(), "server did not start"
            time.sleep(0.05)
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def metric_samples(url: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of `/metrics`, read with prometheus_client's own parser."""
    text = httpx.get(url + "/metrics", timeout=10).text
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }
