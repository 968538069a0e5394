"""Attacks on the HTTP perimeter: oversized, lying and stalled requests, floods from one client.

Bodies go over raw sockets, so that the test decides exactly what is sent and when, and reads
the answer while it is still sending (a server that answers 413 closes the connection; the
answer must be read before the close). Every attack asserts the refusal and the server's
health after it. The server here runs with a 20 MB upload limit (so the 800 MB upload is cut
quickly), a 2 s stall limit, and a small search bucket for the rate limit; the rate-limit
attacks come from their own loopback addresses (127.0.0.2, ...), so their buckets are theirs.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.attacks.conftest import MEMORY_BUDGET_MB, assert_healthy, assert_problem, rss_mb
from tests.servers import Server, serving

pytestmark = pytest.mark.slow

MB = 1024 * 1024
UPLOAD_LIMIT = 20 * MB
STALL_SECONDS = 2
SEARCH_BURST = 20
PAGE_POLICY_PARTS = ("default-src 'self'", "script-src 'self'", "frame-ancestors 'none'")


@pytest.fixture(scope="module")
def server_tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("server-tmp")


@pytest.fixture(scope="module")
def server(attack_store: Path, server_tmp: Path) -> Iterator[Server]:
    env = {
        "OPENDATA_MEMORY_BUDGET_MB": str(MEMORY_BUDGET_MB),
        "OPENDATA_MAX_UPLOAD_BYTES": str(UPLOAD_LIMIT),
        "OPENDATA_CLIENT_STALL_SECONDS": str(STALL_SECONDS),
        "OPENDATA_RATE_SEARCH_BURST": str(SEARCH_BURST),
        "OPENDATA_RATE_SEARCH_PER_SECOND": "0.2",
        "TMPDIR": str(server_tmp),  # where multipart bodies spool: watched by the upload attack
    }
    with serving(attack_store, env=env) as running:
        yield running


# Raw HTTP ---------------------------------------------------------------------------------


@dataclass
class Raw:
    """What a raw exchange got back: the first answer, parsed, and how much was sent."""

    status: int
    headers: dict[str, str]
    body: bytes
    sent: int
    closed: bool = False
    extra: list[int] = field(default_factory=list)

    def json(self) -> object:
        return json.loads(self.body)


def exchange(
    server: Server,
    head: bytes,
    body: Iterable[bytes] = (),
    *,
    timeout: float = 30,
    source: str = "127.0.0.1",
) -> Raw:
    """Send `head`, then `body` while reading; stop sending once an answer has begun."""
    port = int(server.url.rsplit(":", 1)[1])
    sock = socket.create_connection(
        ("127.0.0.1", port), timeout=timeout, source_address=(source, 0)
    )
    received = bytearray()
    finished = threading.Event()

    def read() -> None:
        try:
            while chunk := sock.recv(1 << 16):
                received.extend(chunk)
        except OSError:
            pass  # a reset after the answer; what arrived before it is kept
        finished.set()

    threading.Thread(target=read, daemon=True).start()
    sent = 0
    try:
        sock.sendall(head)
        for part in body:
            if finished.is_set() or b"\r\n\r\n" in received:
                break
            sock.sendall(part)
            sent += len(part)
    except OSError:
        pass  # the server closed while we sent: its answer is what counts
    finished.wait(timeout)
    sock.close()
    return parse(bytes(received), sent, closed=finished.is_set())


def parse(data: bytes, sent: int, *, closed: bool) -> Raw:
    assert data, "no answer at all"
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", len(rest)))
    extra = [int(part.split(b" ")[1]) for part in rest[length:].split(b"HTTP/1.1")[1:]]
    return Raw(status, headers, rest[:length], sent, closed, extra)


def request_head(method: str, path: str, *headers: str) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: attack.test", *headers, "", ""]
    return "\r\n".join(lines).encode("latin-1")


def filler(total: int, size: int = 64 * 1024) -> Iterator[bytes]:
    for _ in range(total // size):
        yield b"x" * size


def chunked(parts: Iterable[bytes]) -> Iterator[bytes]:
    for part in parts:
        yield f"{len(part):x}\r\n".encode() + part + b"\r\n"
    yield b"0\r\n\r\n"


def assert_raw_problem(answer: Raw, status: int) -> None:
    assert answer.status == status, (answer.status, answer.body[:300])
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["x-content-type-options"] == "nosniff"
    body = answer.json()
    assert isinstance(body, dict) and body["status"] == status


def assert_raw_envelope(answer: Raw, status: int, ckan_type: str) -> None:
    assert answer.status == status, (answer.status, answer.body[:300])
    envelope = answer.json()
    assert isinstance(envelope, dict) and envelope["success"] is False
    assert envelope["error"]["__type"] == ckan_type


# Bodies -----------------------------------------------------------------------------------

JSON_TYPE = "Content-Type: application/json"
BIG = 500 * MB


@pytest.mark.parametrize(
    ("path", "headers", "ckan"),
    [
        ("/api/v1/sql", (JSON_TYPE,), False),
        ("/api/3/action/package_create", (JSON_TYPE,), True),
        ("/api/action/resource_create", (JSON_TYPE, "Authorization: forged-token"), True),
        (
            "/api/3/action/resource_create",
            ("Content-Type: multipart/form-data; boundary=x", "Authorization: forged-token"),
            True,
        ),
    ],
)
def test_perimeter_500_mb_declared_body_is_refused_before_reading_or_auth(
    server: Server, path: str, headers: tuple[str, ...], ckan: bool
) -> None:
    before = rss_mb(server.pid)
    head = request_head("POST", path, *headers, f"Content-Length: {BIG}")
    answer = exchange(server, head, filler(4 * MB))
    if ckan:
        # 413 where the write actions would have said 403: no token was looked at.
        assert_raw_envelope(answer, 413, "Payload Too Large")
    else:
        assert_raw_problem(answer, 413)
    assert answer.headers["connection"] == "close"
    assert rss_mb(server.pid) - before < 50
    assert_healthy(server)


def test_perimeter_expect_continue_gets_413_and_no_invitation(server: Server) -> None:
    head = request_head(
        "POST",
        "/api/3/action/package_create",
        JSON_TYPE,
        "Expect: 100-continue",
        f"Content-Length: {BIG}",
    )
    answer = exchange(server, head)
    # The body is never asked for: 413 comes first, not "100 Continue".
    assert_raw_envelope(answer, 413, "Payload Too Large")
    assert_healthy(server)


@pytest.mark.parametrize("path", ["/api/v1/sql", "/api/3/action/package_search"])
def test_perimeter_chunked_body_without_length_is_cut_at_the_limit(
    server: Server, path: str
) -> None:
    before = rss_mb(server.pid)
    head = request_head("POST", path, JSON_TYPE, "Transfer-Encoding: chunked")
    answer = exchange(server, head, chunked(filler(64 * MB)))
    assert answer.status == 413
    assert answer.sent < 64 * MB  # the server stopped reading; the client stopped sending
    assert rss_mb(server.pid) - before < 50
    assert_healthy(server)


def test_perimeter_lying_short_content_length_is_a_client_error(server: Server) -> None:
    body = json.dumps({"sql": "SELECT 1"}).encode() + b" " * 100_000
    head = request_head("POST", "/api/v1/sql", JSON_TYPE, "Content-Length: 12")
    answer = exchange(server, head, [body])
    # The first 12 bytes are a broken JSON document; the rest is no valid request either.
    assert_raw_problem(answer, 400)
    assert all(400 <= status < 500 for status in answer.extra), answer.extra
    assert_healthy(server)


def test_perimeter_lying_long_content_length_times_out_with_408(server: Server) -> None:
    head = request_head("POST", "/api/v1/sql", JSON_TYPE, "Content-Length: 100000")
    started = time.monotonic()
    answer = exchange(server, head, [b'{"sql": "SELECT 1"}'])
    assert_raw_problem(answer, 408)
    assert time.monotonic() - started < STALL_SECONDS + 5
    assert_healthy(server)


def test_perimeter_content_length_with_chunked_is_refused(server: Server) -> None:
    # Request smuggling: a front proxy that trusts Content-Length and this server disagreeing.
    head = request_head(
        "POST", "/api/v1/sql", JSON_TYPE, "Content-Length: 4", "Transfer-Encoding: chunked"
    )
    answer = exchange(server, head, [b"5\r\nhello\r\n0\r\n\r\nGET /healthz HTTP/1.1\r\n\r\n"])
    assert 400 <= answer.status < 500
    assert_healthy(server)


def multipart_head(path: str, *headers: str) -> bytes:
    return request_head(
        "POST",
        path,
        "Content-Type: multipart/form-data; boundary=perimeter",
        "Transfer-Encoding: chunked",
        *headers,
    )


def multipart_parts(total: int) -> Iterator[bytes]:
    yield (
        b'--perimeter\r\nContent-Disposition: form-data; name="package_id"\r\n\r\nwages-test\r\n'
        b'--perimeter\r\nContent-Disposition: form-data; name="upload"; filename="big.csv"\r\n'
        b"Content-Type: text/csv\r\n\r\n"
    )
    yield from filler(total, 256 * 1024)


def open_temp_files(server: Server, folder: Path) -> list[str]:
    found = []
    for descriptor in Path(f"/proc/{server.pid}/fd").iterdir():
        try:
            target = os.readlink(descriptor)
        except OSError:
            continue
        if target.startswith(str(folder)):
            found.append(target)
    return found


@pytest.mark.parametrize("token", [True, False], ids=["with-token-header", "anonymous"])
def test_perimeter_800_mb_chunked_upload_is_cut_and_leaves_no_temp_file(
    server: Server, server_tmp: Path, token: bool
) -> None:
    headers = ("Authorization: forged-token",) if token else ()
    head = multipart_head("/api/3/action/resource_create", *headers)
    answer = exchange(server, head, chunked(multipart_parts(800 * MB)), timeout=120)
    # No valid token: the write route refuses before it reads a byte of the body.
    assert_raw_envelope(answer, 403, "Authorization Error")
    limit = UPLOAD_LIMIT if token else MB
    assert answer.sent < limit + 16 * MB  # what the socket buffers took beyond the cut
    # Nothing spooled is left open or on disk.
    deadline = time.monotonic() + 5
    while open_temp_files(server, server_tmp) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert open_temp_files(server, server_tmp) == []
    assert list(server_tmp.iterdir()) == []
    assert_healthy(server)


def test_perimeter_declared_800_mb_upload_with_token_is_refused_at_once(server: Server) -> None:
    head = request_head(
        "POST",
        "/api/3/action/resource_create",
        "Content-Type: multipart/form-data; boundary=perimeter",
        "Authorization: forged-token",
        f"Content-Length: {800 * MB}",
    )
    answer = exchange(server, head, multipart_parts(8 * MB))
    assert_raw_envelope(answer, 413, "Payload Too Large")
    assert_healthy(server)


def test_perimeter_slowloris_bodies_are_all_answered_408(server: Server) -> None:
    head = request_head("POST", "/api/v1/sql", JSON_TYPE, "Content-Length: 1000")
    answers: list[Raw] = []

    def stall() -> None:
        answers.append(exchange(server, head, [b'{"sql": '], timeout=STALL_SECONDS + 20))

    threads = [threading.Thread(target=stall) for _ in range(50)]
    for thread in threads:
        thread.start()
    assert_healthy(server)  # while fifty bodies hang
    for thread in threads:
        thread.join()
    assert sorted({a.status for a in answers}) == [408]
    assert all(a.headers["connection"] == "close" for a in answers)
    assert_healthy(server)


def test_perimeter_half_sent_heads_do_not_starve_the_others(server: Server) -> None:
    port = int(server.url.rsplit(":", 1)[1])
    held = []
    try:
        for _ in range(200):
            sock = socket.create_connection(("127.0.0.1", port))
            sock.sendall(b"GET /api/v1/datasets HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            held.append(sock)
        assert_healthy(server)
        assert httpx.get(server.url + "/api/v1/datasets", timeout=10).status_code == 200
    finally:
        for sock in held:
            sock.close()
    assert_healthy(server)


# Heads ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "status"),
    [
        ("/api/v1/sql?sql=" + "a" * 10_000, 414),
        ("/api/v1/datasets?q=" + "%E5%B7%A5" * 3000, 414),
        ("/" + "a" * 9000, 414),
        ("/api/v1/sql?sql=" + "a" * 1_000_000, 400),  # past uvicorn's 16 KB head limit
    ],
    ids=["10kb-sql", "27kb-escaped-search", "9kb-path", "1mb-sql"],
)
def test_perimeter_huge_request_targets_are_refused(
    server: Server, target: str, status: int
) -> None:
    answer = exchange(server, request_head("GET", target))
    assert answer.status == status
    if status == 414:
        assert_raw_problem(answer, 414)
    assert_healthy(server)


def test_perimeter_many_header_fields_get_431(server: Server) -> None:
    fillers = [f"X-Filler-{i}: {i}" for i in range(500)]
    answer = exchange(server, request_head("GET", "/api/v1/datasets", *fillers))
    assert_raw_problem(answer, 431)
    assert_healthy(server)


@pytest.mark.parametrize("size", [20 * 1024, 64 * 1024, MB, 16 * MB])
def test_perimeter_huge_header_is_refused(server: Server, size: int) -> None:
    head = request_head("GET", "/api/v1/datasets", "Cookie: " + "a" * size)
    answer = exchange(server, head)
    # 431 from the app when the head arrived in one read; uvicorn's bare 400 when its parser
    # had to wait for more than 16 KB of it.
    assert answer.status in (400, 431)
    if answer.status == 431:
        assert_raw_problem(answer, 431)
    assert_healthy(server)


# Rate limits --------------------------------------------------------------------------------


def from_address(server: Server, address: str) -> httpx.Client:
    transport = httpx.HTTPTransport(local_address=address)
    return httpx.Client(base_url=server.url, transport=transport, timeout=30)


def test_perimeter_search_flood_gets_429_with_retry_after(server: Server) -> None:
    with from_address(server, "127.0.0.2") as http:
        answers = [http.get("/api/v1/datasets", params={"q": "wages"}) for _ in range(40)]
        ckan = http.get("/api/3/action/package_search", params={"q": "wages"})
        other = http.get("/api/v1/datasets/wages-test")
    statuses = [a.status_code for a in answers]
    assert statuses[:SEARCH_BURST] == [200] * SEARCH_BURST
    refused = [a for a in answers if a.status_code == 429]
    assert len(refused) >= 15
    for answer in refused:
        assert int(answer.headers["retry-after"]) >= 1
    assert_problem(refused[0], 429)
    assert ckan.status_code == 429 and ckan.json()["error"]["__type"] == "Rate Limit Error"
    assert int(ckan.headers["retry-after"]) >= 1
    assert other.status_code == 200  # only searches are limited
    assert_healthy(server)


def test_perimeter_forged_forwarded_for_does_not_reset_the_bucket(server: Server) -> None:
    with from_address(server, "127.0.0.3") as http:
        statuses = [
            http.get("/api/v1/datasets", headers={"X-Forwarded-For": f"198.51.100.{i}"}).status_code
            for i in range(SEARCH_BURST + 10)
        ]
    assert statuses.count(429) >= 9
    assert_healthy(server)


def test_perimeter_another_client_keeps_its_own_bucket(server: Server) -> None:
    search = "/api/3/action/package_search"
    with from_address(server, "127.0.0.4") as http:
        exhausted = [http.get(search).status_code for _ in range(SEARCH_BURST + 5)]
    with from_address(server, "127.0.0.5") as http:
        fresh = http.get(search)
    assert 429 in exhausted
    assert fresh.status_code == 200
    assert_healthy(server)


# Security headers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "status", "page"),
    [
        ("/docs", 200, True),
        ("/api", 200, True),
        ("/dataset/no-such-dataset", 404, True),
        ("/api/v1/datasets/wages-test", 200, False),
        ("/api/v1/datasets/no-such-dataset", 404, False),
        ("/api/3/action/package_show?id=nope", 404, False),
        ("/api/v1/datasets/wages-test/resources/wages.csv", 200, False),
        ("/api/v1/sql?sql=" + "a" * 10_000, 414, False),
        ("/static/app.js", 200, False),
        ("/healthz", 200, False),
    ],
)
def test_perimeter_security_headers_on_pages_api_and_errors(
    client: httpx.Client, server: Server, path: str, status: int, page: bool
) -> None:
    answer = client.get(path, headers={"Accept": "text/html"} if page else {})
    assert answer.status_code == status
    assert answer.headers["content-type"].startswith("text/html") is page
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert answer.headers["x-frame-options"] == "DENY"
    policy = answer.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy
    if page:
        assert all(part in policy for part in PAGE_POLICY_PARTS), policy
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    else:
        assert policy.startswith("default-src 'none'")
    assert_healthy(server)
