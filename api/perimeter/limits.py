"""The outer edge of the app: what one request may be, checked before anything reads it.

`RequestLimits` is pure ASGI and sits outside everything else, Starlette's error middleware
included, so that no route, authentication or body parser sees a request it refuses:

- a request target longer than `max_url_bytes` gets 414, more than `max_header_count` header
  fields or `max_header_bytes` of them 431 (uvicorn's parser refuses a head it has to wait
  for past 16 KB with a bare 400, but takes a larger one that arrives in one read);
- a body declared larger than its limit gets 413 from `Content-Length` before a byte of it is
  read; a chunked body is counted as it arrives and cut at the limit with the same 413. The
  limit is `max_body_bytes`, or `max_upload_bytes` for a multipart upload to a CKAN upload
  action that carries the API token header (anonymous uploads never reach the larger limit);
- a client that stops sending its body for `client_stall_seconds` gets 408; one that stops
  reading the response for as long is cut off (the app is cancelled and the connection closed),
  so a stalled reader frees its admission slot and whatever its response held.

Refusals are RFC 9457 problems, or CKAN envelopes under the CKAN Action API paths, answered
by `api.errors.send_refusal`, which `api.perimeter.admission` uses as well.
"""

from __future__ import annotations

import logging
from typing import Any

import anyio
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import CKAN_ACTION, send_refusal
from api.perimeter.audit import audit_refusal
from catalog.errors import (
    HeadersTooLarge,
    PayloadTooLarge,
    RequestRefused,
    RequestTimeout,
    UriTooLong,
)
from catalog.settings import Settings

UPLOAD_ACTIONS = frozenset({"resource_create", "resource_update", "resource_patch"})
logger = logging.getLogger(__name__)


class RequestLimits:
    """Pure ASGI: refuse oversized requests before reading them, cut stalled clients."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refused = self._refuse_head(scope)
        if refused is not None:
            await audit_refusal(Request(scope), str(refused))
            await send_refusal(scope, send, refused, close=False)
            return
        limit = body_limit(scope, self.settings)
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            too_large = PayloadTooLarge(f"the request body is {declared} bytes; at most {limit}")
            # A write refused before its route ran is audited here (the route audits the rest).
            await audit_refusal(Request(scope), str(too_large))
            await send_refusal(scope, send, too_large, close=True)
            return
        guard = _Guard(receive, send, limit, self.settings.client_stall_seconds)
        # The route sees a refused body as a client that went away; `refused` in the request
        # state tells it why (the CKAN write route audits it as a refusal).
        guard.state = scope.setdefault("state", {})
        try:
            with guard.cancel:
                await self.app(scope, guard.receive, guard.send)
        except Exception:
            if guard.refusal is None:
                raise
            # The app failed on the disconnect the guard made up for it; the refusal stands.
        if guard.stalled:
            # Returning with the response unfinished makes the server close the connection:
            # the client sees a cut transfer, never a short body passed off as complete.
            logger.info("%s %s: %s", scope["method"], scope["path"], guard.stalled)
            return
        if guard.refusal is not None and not guard.started:
            await send_refusal(scope, send, guard.refusal, close=True)

    def _refuse_head(self, scope: Scope) -> RequestRefused | None:
        target = len(scope.get("raw_path") or scope["path"].encode()) + len(scope["query_string"])
        if target > self.settings.max_url_bytes:
            return UriTooLong(
                f"the request target is {target} bytes; at most {self.settings.max_url_bytes}"
            )
        count = len(scope["headers"])
        if count > self.settings.max_header_count:
            return HeadersTooLarge(
                f"the request has {count} header fields; at most {self.settings.max_header_count}"
            )
        size = sum(len(name) + len(value) for name, value in scope["headers"])
        if size > self.settings.max_header_bytes:
            return HeadersTooLarge(
                f"the request's header fields are {size} bytes; at most"
                f" {self.settings.max_header_bytes}"
            )
        return None


def body_limit(scope: Scope, settings: Settings) -> int:
    """`max_upload_bytes` (and room for the form around the file) for a would-be upload with a
    token, else `max_body_bytes`. The room lets the route's own cap on the file answer first,
    naming the dataset in its refusal and in the audit log."""
    action = CKAN_ACTION.fullmatch(scope["path"])
    if scope["method"] != "POST" or action is None or action["name"] not in UPLOAD_ACTIONS:
        return settings.max_body_bytes
    headers = dict(scope["headers"])
    multipart = headers.get(b"content-type", b"").lower().startswith(b"multipart/form-data")
    token_header = settings.api_token_header.lower().encode("latin-1")
    if multipart and headers.get(token_header, b"").strip():
        return settings.max_upload_bytes + settings.max_body_bytes
    return settings.max_body_bytes


def _content_length(scope: Scope) -> int | None:
    # The server's HTTP parser has already refused a malformed or repeated Content-Length.
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class _Guard:
    """`receive` and `send` of one request, counting body bytes and timing the client."""

    def __init__(self, receive: Receive, send: Send, limit: int, stall: float) -> None:
        self._receive = receive
        self._send = send
        self.limit = limit
        self.stall = stall
        self.received = 0
        self.body_done = False
        self.started = False
        self.refusal: RequestRefused | None = None
        self.state: dict[str, Any] = {}
        self.stalled = ""
        # Wraps the app: cancelled when the client stops reading its response.
        self.cancel = anyio.CancelScope()

    async def receive(self) -> Message:
        if self.refusal is not None:
            return {"type": "http.disconnect"}
        if self.body_done:
            # After the body only a disconnect can come, and waiting for it has no limit.
            return await self._receive()
        try:
            with anyio.fail_after(self.stall):
                message = await self._receive()
        except TimeoutError:
            return self._refuse(
                RequestTimeout(f"no request body arrived for {self.stall:g} seconds")
            )
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if self.received > self.limit:
                return self._refuse(PayloadTooLarge(f"the request body is over {self.limit} bytes"))
            self.body_done = not message.get("more_body", False)
        return message

    def _refuse(self, error: RequestRefused) -> Message:
        # The app sees a client that went away and stops reading; the guard answers for it.
        self.refusal = error
        self.state["refused"] = str(error)
        return {"type": "http.disconnect"}

    async def send(self, message: Message) -> None:
        if self.refusal is not None and not self.started:
            return  # the app's answer to the made-up disconnect; the refusal replaces it
        if message["type"] == "http.response.start":
            self.started = True
        try:
            with anyio.fail_after(self.stall):
                await self._send(message)
        except TimeoutError:
            # Cancel the whole app rather than raise: an exception would be logged as a
            # server failure on its way out, a cancellation passes the error middleware by.
            self.stalled = f"the client read nothing for {self.stall:g} seconds; cut off"
            self.cancel.cancel()
            await anyio.sleep_forever()
