"""The suite's moto server (`benchmarks.s3server`): reads are answered together, each write
alone, as a real server decides conditional writes atomically (docs/s3.md, "What moto lacks").

Raw sockets hold a request half-sent, so what the server does meanwhile is seen exactly.
"""

from __future__ import annotations

import select
import socket
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from urllib.parse import urlsplit

import httpx

from tests.s3.moto import BUCKET

# moto picks the service by the credential scope and checks no signature.
AUTHORIZATION = (
    "AWS4-HMAC-SHA256 Credential=testing/20261201/us-east-1/s3/aws4_request,"
    " SignedHeaders=host, Signature=00"
)
BODY = b"0123456789"


@contextmanager
def connected(endpoint: str) -> Iterator[socket.socket]:
    where = urlsplit(endpoint)
    with closing(socket.create_connection((where.hostname, where.port), timeout=30)) as sock:
        yield sock


def put_head(key: str) -> bytes:
    """A conditional PUT of `BODY` under `key`, up to its body."""
    return (
        f"PUT /{BUCKET}/{key} HTTP/1.1\r\nHost: s3\r\nAuthorization: {AUTHORIZATION}\r\n"
        f"Content-Type: application/octet-stream\r\nContent-Length: {len(BODY)}\r\n"
        "If-None-Match: *\r\nConnection: close\r\n\r\n"
    ).encode()


def status(sock: socket.socket) -> int:
    return int(sock.recv(4096).split(b" ", 2)[1])


def answered_within(sock: socket.socket, seconds: float) -> bool:
    readable, _, _ = select.select([sock], [], [], seconds)
    return bool(readable)


def test_moto_server_answers_a_read_while_another_request_is_half_sent(s3_endpoint: str) -> None:
    # One request at a time, the server would wait for this client's headers first.
    with connected(s3_endpoint) as slow:
        slow.sendall(f"GET /{BUCKET}/nothing HTTP/1.1\r\nHost: s3\r\n".encode())
        answer = httpx.head(
            f"{s3_endpoint}/{BUCKET}", headers={"Authorization": AUTHORIZATION}, timeout=10
        )
        assert answer.status_code == 200


def test_moto_server_decides_a_conditional_write_alone(s3_endpoint: str) -> None:
    key = f"race-{uuid.uuid4().hex[:12]}"
    with connected(s3_endpoint) as first, connected(s3_endpoint) as second:
        first.sendall(put_head(key) + BODY[:4])  # moto is reading its body: a write under way
        assert not answered_within(first, 0.5)
        second.sendall(put_head(key) + BODY)
        # Served beside the first, the second would find no object yet and win.
        assert not answered_within(second, 2.0)
        first.sendall(BODY[4:])
        assert (status(first), status(second)) == (200, 412)
