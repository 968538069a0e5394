"""The perimeter in process: request limits, admission, rate limits and security headers.

What needs a real socket (stalled readers, a 500 MB declared body, a flood of concurrent
requests) is attacked against a real server in `tests/attacks/test_perimeter.py`.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import AsyncIterator
from typing import Any

import anyio
import anyio.to_thread
import httpx
import pytest
from fastapi import FastAPI
from starlette.types import Receive, Scope, Send

from api.perimeter import PAGE_POLICY, Admission, body_limit, client_address
from api.perimeter.admission import Gate, RateLimit, classify
from api.routes import health
from catalog.errors import Overloaded, TooManyRequests
from catalog.settings import Settings
from tests.api.conftest import AppFactory
from web import PALETTE, STATIC

pytestmark = pytest.mark.anyio

SQL = "SELECT count(*) AS n FROM wages_test__wages"


def client_of(app: FastAPI, **options: Any) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, **options)
    return httpx.AsyncClient(transport=transport, base_url="http://test")


async def chunks(*parts: bytes, pause: float = 0.0) -> AsyncIterator[bytes]:
    for part in parts:
        if pause:
            await anyio.sleep(pause)
        yield part


def assert_refused(answer: httpx.Response, status: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.text[:300]
    assert answer.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = answer.json()
    assert body["status"] == status
    return body


# Request limits --------------------------------------------------------------------------


async def test_limits_declared_body_over_the_limit_is_refused_before_the_route(
    make_app: AppFactory,
) -> None:
    async with client_of(make_app(max_body_bytes=4096)) as http:
        answer = await http.post("/api/v1/sql", content=b"{" + b" " * 10_000 + b"}")
    body = assert_refused(answer, 413)
    assert "at most 4096" in body["detail"]
    assert body["type"].endswith("/problems/payload-too-large")
    assert answer.headers["connection"] == "close"


async def test_limits_write_action_body_is_refused_before_the_token_check(
    make_app: AppFactory,
) -> None:
    async with client_of(make_app(max_body_bytes=4096)) as http:
        answer = await http.post(
            "/api/3/action/package_create", json={"name": "x", "notes": "x" * 10_000}
        )
    # 413, not CKAN's 403 for a missing token: nothing behind the limit ran.
    assert answer.status_code == 413
    assert answer.headers["content-type"] == "application/json;charset=utf-8"
    envelope = answer.json()
    assert envelope["success"] is False
    assert envelope["error"]["__type"] == "Payload Too Large"
    assert envelope["help"].endswith("/api/3/action/help_show?name=package_create")


async def test_limits_chunked_body_is_cut_at_the_limit(make_app: AppFactory) -> None:
    async with client_of(make_app(max_body_bytes=4096)) as http:
        # A read action: a write action without a token is refused before its body is read.
        answer = await http.post("/api/action/package_search", content=chunks(*[b"x" * 1024] * 16))
    assert answer.status_code == 413
    assert answer.json()["error"]["__type"] == "Payload Too Large"
    assert "content-length" not in answer.request.headers


async def test_limits_chunked_body_under_the_limit_is_served(make_app: AppFactory) -> None:
    text = json.dumps({"sql": SQL}).encode()
    async with client_of(make_app(max_body_bytes=4096)) as http:
        answer = await http.post(
            "/api/v1/sql",
            content=chunks(text[:10], text[10:]),
            headers={"Content-Type": "application/json"},
        )
    assert answer.status_code == 200, answer.text
    assert answer.json()["rows"] == [{"n": 250}]


async def test_limits_stalled_body_gets_408(make_app: AppFactory) -> None:
    async with client_of(make_app(client_stall_seconds=0.2)) as http:
        answer = await http.post(
            "/api/v1/sql",
            content=chunks(b'{"sql": ', b'"SELECT 1"}', pause=1.0),
            headers={"Content-Type": "application/json"},
        )
    body = assert_refused(answer, 408)
    assert "no request body arrived for 0.2 seconds" in body["detail"]


def multipart(size: int) -> tuple[bytes, str]:
    boundary = "perimeterboundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="package_id"\r\n\r\nx\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="upload"; filename="a.csv"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + b"a\n" * (size // 2)
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


@pytest.mark.parametrize(
    ("method", "path", "content_type", "token", "limit"),
    [
        ("POST", "/api/3/action/resource_create", "multipart/form-data; boundary=b", "t", 11_024),
        ("POST", "/api/action/resource_patch", "Multipart/Form-Data; boundary=b", "t", 11_024),
        ("POST", "/api/3/action/resource_update", "multipart/form-data; boundary=b", "", 1024),
        ("POST", "/api/3/action/resource_create", "application/json", "t", 1024),
        ("POST", "/api/3/action/package_create", "multipart/form-data; boundary=b", "t", 1024),
        ("POST", "/api/v1/sql", "multipart/form-data; boundary=b", "t", 1024),
        ("PUT", "/api/3/action/resource_create", "multipart/form-data; boundary=b", "t", 1024),
    ],
)
def test_limits_only_uploads_with_a_token_header_get_the_upload_limit(
    method: str, path: str, content_type: str, token: str, limit: int
) -> None:
    settings = Settings(max_body_bytes=1024, max_upload_bytes=10_000)
    headers = [(b"content-type", content_type.encode())]
    if token:
        headers.append((b"authorization", token.encode()))
    scope = {"type": "http", "method": method, "path": path, "headers": headers}
    assert body_limit(scope, settings) == limit


async def test_limits_anonymous_upload_gets_the_body_limit(make_app: AppFactory) -> None:
    body, content_type = multipart(20_000)
    app = make_app(max_body_bytes=4096, max_upload_bytes=100_000)
    async with client_of(app) as http:
        answer = await http.post(
            "/api/3/action/resource_create", content=body, headers={"Content-Type": content_type}
        )
    assert answer.status_code == 413
    assert "at most 4096" in answer.json()["error"]["message"]


async def test_limits_upload_past_the_upload_limit_is_refused(make_app: AppFactory) -> None:
    body, content_type = multipart(200_000)
    app = make_app(max_body_bytes=4096, max_upload_bytes=100_000)
    async with client_of(app) as http:
        answer = await http.post(
            "/api/3/action/resource_create",
            content=body,
            headers={"Content-Type": content_type, "Authorization": "not-a-token"},
        )
    assert answer.status_code == 413
    # The file's cap and room for the form around it.
    assert "at most 104096" in answer.json()["error"]["message"]


async def test_limits_long_request_target_gets_414(make_app: AppFactory) -> None:
    async with client_of(make_app(max_url_bytes=1024)) as http:
        answer = await http.get("/api/v1/sql", params={"sql": "SELECT 1" + " " * 2000})
    assert "at most 1024" in assert_refused(answer, 414)["detail"]


async def test_limits_too_many_header_fields_get_431(make_app: AppFactory) -> None:
    headers = [(f"x-filler-{i}", "1") for i in range(150)]
    async with client_of(make_app()) as http:
        answer = await http.get("/api/v1/datasets", headers=headers)
    assert "at most 100" in assert_refused(answer, 431)["detail"]


async def test_limits_oversized_header_fields_get_431(make_app: AppFactory) -> None:
    async with client_of(make_app(max_header_bytes=2048)) as http:
        answer = await http.get("/api/v1/datasets", headers={"Cookie": "a" * 3000})
    assert "at most 2048" in assert_refused(answer, 431)["detail"]


# Security headers --------------------------------------------------------------------------


def assert_hardened(answer: httpx.Response) -> str:
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert answer.headers["x-frame-options"] == "DENY"
    policy = answer.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy
    return policy


async def test_security_headers_on_api_answers_errors_and_refusals(make_app: AppFactory) -> None:
    async with client_of(make_app(max_url_bytes=512)) as http:
        answers = [
            await http.get("/api/v1/datasets"),
            await http.get("/api/v1/datasets/no-such-dataset"),
            await http.get("/api/3/action/package_show", params={"id": "nope"}),
            await http.get("/api/v1/datasets", params={"q": "x" * 600}),
        ]
    assert [a.status_code for a in answers] == [200, 404, 404, 414]
    for answer in answers:
        assert assert_hardened(answer).startswith("default-src 'none'")


async def test_security_headers_on_an_unexpected_500(make_app: AppFactory) -> None:
    app = make_app()

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("a bug")

    async with client_of(app, raise_app_exceptions=False) as http:
        answer = await http.get("/boom")
    assert answer.status_code == 500
    assert_hardened(answer)


async def test_security_headers_pages_get_a_policy_without_inline_script(
    make_app: AppFactory,
) -> None:
    async with client_of(make_app()) as http:
        missing = await http.get("/dataset/no-such-dataset")
        docs = await http.get("/docs")
    assert (missing.status_code, docs.status_code) == (404, 200)
    for page in (missing, docs):
        assert assert_hardened(page) == PAGE_POLICY
        # Every script is a file; `application/ld+json` is data and allowed inline.
        inline = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/ld\+json)[^>]*>", page.text)
        assert inline == []
        assert " style=" not in page.text
    assert "'unsafe-inline'" not in PAGE_POLICY
    assert "script-src 'self'" in PAGE_POLICY


def test_security_chart_key_colours_in_the_stylesheet_follow_the_palette() -> None:
    css = (STATIC / "site.css").read_text(encoding="utf-8")
    found = dict(re.findall(r"\.key\.c(\d+) \{ --c: (#[0-9a-f]{6}); \}", css))
    assert [found[str(i)] for i in range(len(PALETTE))] == list(PALETTE)


# Admission and rate limits ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/api/v1/sql", ("queries", "sql")),
        ("/api/v1/datasets/wages/resources/wages/rows", ("queries", None)),
        ("/api/v1/datasets/wages/resources/wages/aggregate", ("queries", "aggregates")),
        ("/api/v1/datasets/wages/resources/wages.csv", ("exports", "exports")),
        ("/api/v1/datasets/wages/resources/wages.parquet", ("exports", "exports")),
        ("/api/v1/datasets/wages.zip", ("exports", "exports")),
        ("/datastore/dump/7fb980a1-3fcf-5d80-aa8f-3372b9793e7d", ("exports", "exports")),
        ("/api/v1/datasets", ("searches", "search")),
        ("/dataset", ("searches", "search")),
        ("/api/3/action/package_search", ("searches", "search")),
        ("/api/action/datastore_search_sql", ("queries", "sql")),
        ("/api/3/action/datastore_search", ("queries", None)),
        ("/api/3/action/package_show", (None, None)),
        ("/api/v1/datasets/wages", (None, None)),
        ("/api/v1/datasets/wages/resources/wages/schema", (None, None)),
        ("/dataset/wages", (None, None)),
        ("/healthz", (None, None)),
    ],
)
def test_admission_classifies_paths(path: str, expected: tuple[str | None, str | None]) -> None:
    assert classify(path) == expected


def scope_of(client: str, forwarded: str | None = None) -> Scope:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    return {"type": "http", "client": (client, 5000), "headers": headers}


def test_admission_client_address_ignores_forwarded_for_unless_trusted() -> None:
    scope = scope_of("10.0.0.1", "203.0.113.9, 198.51.100.7")
    assert client_address(scope, trust_forwarded=False) == "10.0.0.1"
    # The last entry is the one the trusted proxy added; earlier ones the client wrote.
    assert client_address(scope, trust_forwarded=True) == "198.51.100.7"
    assert client_address(scope_of("10.0.0.1"), trust_forwarded=True) == "10.0.0.1"


def test_admission_ipv6_clients_share_a_bucket_per_64() -> None:
    one = client_address(scope_of("2001:db8:1:2::1"), trust_forwarded=False)
    other = client_address(scope_of("2001:db8:1:2:ffff::9"), trust_forwarded=False)
    assert one == other == "2001:db8:1:2::/64"


def test_rate_limit_allows_a_burst_then_refuses_with_the_wait() -> None:
    limit = RateLimit("SQL", rate=0.5, burst=3, clients=10)
    for _ in range(3):
        limit.take("a", now=100.0)
    with pytest.raises(TooManyRequests) as refused:
        limit.take("a", now=100.0)
    assert refused.value.retry_after == 2  # one token at 0.5 a second
    limit.take("b", now=100.0)  # another client has its own bucket
    limit.take("a", now=102.0)  # refilled
    with pytest.raises(TooManyRequests):
        limit.take("a", now=102.5)


def test_rate_limit_table_forgets_the_least_recently_seen() -> None:
    limit = RateLimit("search", rate=1, burst=1, clients=2)
    limit.take("a", now=0)
    limit.take("b", now=0)
    limit.take("c", now=0)
    assert list(limit.buckets) == ["b", "c"]
    limit.take("a", now=0)  # forgotten, so a fresh bucket
    assert len(limit.buckets) == 2


def test_rate_limit_of_zero_is_off() -> None:
    limit = RateLimit("SQL", rate=0, burst=1, clients=1)
    for _ in range(100):
        limit.take("a", now=0)
    assert not limit.buckets


async def test_gate_queues_then_refuses_when_the_queue_is_full() -> None:
    gate = Gate("queries", running=1, queue=1, wait=10, each=1)
    await gate.enter("a")
    entered = anyio.Event()

    async def second() -> None:
        await gate.enter("b")
        entered.set()

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(second)
        await anyio.wait_all_tasks_blocked()
        assert gate.waiting == 1
        with pytest.raises(Overloaded) as refused:
            await gate.enter("c")  # one running, one waiting: the queue is full
        assert refused.value.retry_after is not None
        await gate.leave("a")
        await entered.wait()
    await gate.leave("b")
    assert gate.inside == 0 and gate.by_client == {}


async def test_gate_refuses_after_the_longest_wait() -> None:
    gate = Gate("exports", running=1, queue=5, wait=0.1, each=1)
    await gate.enter("a")
    with pytest.raises(Overloaded, match=r"within 0\.1 seconds"):
        await gate.enter("b")
    assert gate.waiting == 0


async def test_gate_lets_no_client_take_every_slot() -> None:
    # One client holding its downloads open (unread) leaves slots for everyone else.
    gate = Gate("exports", running=4, queue=10, wait=10, each=2)
    await gate.enter("hog")
    await gate.enter("hog")
    third = anyio.Event()

    async def hog_again() -> None:
        await gate.enter("hog")
        third.set()

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(hog_again)
        await anyio.wait_all_tasks_blocked()
        assert gate.waiting == 1 and not third.is_set()  # its third waits, slots are free
        await gate.enter("researcher")  # another client goes straight in
        await gate.enter("researcher")
        assert gate.inside == 4
        await gate.leave("hog")
        await third.wait()
    assert gate.by_client == {"hog": 2, "researcher": 2}


async def test_admission_frees_the_slot_when_the_app_fails() -> None:
    async def failing(scope: Scope, receive: Receive, send: Send) -> None:
        raise RuntimeError("broken")

    admission = Admission(failing, Settings(max_running_queries=1))

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        raise AssertionError("nothing is sent")

    scope = {"type": "http", "path": "/api/v1/sql", "headers": [], "client": ("1.2.3.4", 1)}
    for _ in range(3):
        with pytest.raises(RuntimeError):
            await admission(scope, receive, send)
    assert admission.gates["queries"].inside == 0


async def test_admission_a_client_that_leaves_the_queue_is_never_run() -> None:
    ran: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        ran.append(scope["path"])

    admission = Admission(app, Settings(max_running_queries=1))
    gate = admission.gates["queries"]
    await gate.enter("5.6.7.8")  # the one slot is busy
    body: list[dict[str, Any]] = [{"type": "http.request", "body": b"", "more_body": False}]
    left = anyio.Event()

    async def receive() -> dict[str, Any]:
        if body:
            return body.pop()
        await left.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        raise AssertionError("nothing is sent to a client that left")

    scope = {"type": "http", "path": "/api/v1/sql", "headers": [], "client": ("1.2.3.4", 1)}
    async with anyio.create_task_group() as tasks:
        tasks.start_soon(admission, scope, receive, send)
        await anyio.wait_all_tasks_blocked()
        assert gate.waiting == 1
        left.set()
    assert ran == []
    assert gate.waiting == 0
    await gate.leave("5.6.7.8")
    assert gate.inside == 0 and gate.by_client == {}


async def test_rate_limited_search_answers_429_with_retry_after(make_app: AppFactory) -> None:
    app = make_app(rate_search_per_second=0.01, rate_search_burst=2)
    async with client_of(app) as http:
        served = [await http.get("/api/v1/datasets") for _ in range(2)]
        refused = await http.get("/api/v1/datasets")
        ckan = await http.get("/api/3/action/package_search")
        other = await http.get("/api/v1/datasets/wages-test")
    assert [a.status_code for a in served] == [200, 200]
    body = assert_refused(refused, 429)
    assert body["type"].endswith("/problems/rate-limited")
    assert int(refused.headers["retry-after"]) >= 1
    assert ckan.status_code == 429
    assert ckan.json()["error"]["__type"] == "Rate Limit Error"
    assert int(ckan.headers["retry-after"]) >= 1
    assert other.status_code == 200  # metadata is not a search


async def test_admission_sql_floods_get_503_not_500(make_app: AppFactory) -> None:
    app = make_app(max_running_queries=1, admission_queue=2, admission_wait_seconds=30)
    async with client_of(app) as http:
        statuses: list[int] = []

        async def ask() -> None:
            answer = await http.get("/api/v1/sql", params={"sql": SQL})
            statuses.append(answer.status_code)
            if answer.status_code == 503:
                assert_refused(answer, 503)
                assert answer.headers["retry-after"] == "5"

        async with anyio.create_task_group() as tasks:
            for _ in range(12):
                tasks.start_soon(ask)
    assert set(statuses) <= {200, 503}, statuses
    assert statuses.count(200) >= 3  # one running and two queued get through


# Threads and health ----------------------------------------------------------------------------


def test_health_is_answered_on_the_event_loop() -> None:
    assert inspect.iscoroutinefunction(health.healthz)


async def test_lifespan_keeps_threads_beyond_the_admitted_requests(make_app: AppFactory) -> None:
    app = make_app(max_running_queries=30, max_running_exports=20, max_running_searches=10)
    async with app.router.lifespan_context(app):
        limiter = anyio.to_thread.current_default_thread_limiter()
        assert limiter.total_tokens >= 60 + 24


async def test_gate_leaving_from_a_cancelled_request_wakes_the_next() -> None:
    # A download cut off for stalling leaves its slot from inside a cancelled scope.
    gate = Gate("exports", running=1, queue=5, wait=10, each=1)
    await gate.enter("staller")
    entered = anyio.Event()

    async def next_in_line() -> None:
        await gate.enter("researcher")
        entered.set()

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(next_in_line)
        await anyio.wait_all_tasks_blocked()
        with anyio.CancelScope() as cut:
            cut.cancel()
            await gate.leave("staller")
        with anyio.fail_after(5):
            await entered.wait()
    assert gate.by_client == {"researcher": 1}
