"""JSON logs: one object per request on stderr, and the server's own log lines as objects too.

With `log_format = json` (`OPENDATA_LOG_FORMAT=json`) the app is wrapped in `AccessLog`,
outside every other layer so that the perimeter's refusals are logged too, and `opendata
serve` gives uvicorn `json_log_config()` with its own access log off. A request's object:

| field         | what                                                                      |
| ------------- | ------------------------------------------------------------------------- |
| `time`        | when the request arrived, UTC, ISO 8601 with milliseconds                 |
| `level`       | `info`                                                                    |
| `logger`      | `opendata.access`                                                         |
| `method`      | as sent (at most 16 characters)                                           |
| `route`       | the matched route's template, or `unmatched`                              |
| `path`        | the path asked for                                                        |
| `query`       | the query string, the values of parameters named like credentials       |
|               | (`is_secret`) replaced by `[dropped]`; absent when empty                  |
| `status`      | the status answered (0: none, the client went away first)                 |
| `duration_ms` | from arrival to the last body byte sent                                   |
| `bytes`       | body bytes sent                                                           |
| `request_id`  | the `X-Request-ID` a proxy sent (1–64 of `A-Za-z0-9._-`), else a new one; |
|               | echoed in the response's `X-Request-ID`                                   |
| `client`      | only with `log_client_address = true`: the address the rate limits use    |

No header is logged (so no `Authorization`, no cookie, no user agent). Any other log line is
`{"time", "level", "logger", "message"}` with `exception` holding a traceback when there is one.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.perimeter import client_address
from catalog.settings import Settings

ACCESS_LOGGER = "opendata.access"
REQUEST_ID = re.compile(rb"[A-Za-z0-9._-]{1,64}")
# Query parameters whose values are credentials somewhere (ours take tokens in headers only,
# but a client may still put one in a URL): any whose name, lower-cased and stripped of all but
# letters and digits (`X-Amz-Credential` is `xamzcredential`), contains one of these words.
SECRET_WORDS = (
    "token", "key", "secret", "password", "passwd", "credential", "signature", "sig", "auth",
    "session",
)  # fmt: skip
DROPPED = "[dropped]"
access_log = logging.getLogger(ACCESS_LOGGER)


class JsonFormatter(logging.Formatter):
    """A log record as one line of JSON: an access record's fields, or the message."""

    def format(self, record: logging.LogRecord) -> str:
        fields: dict[str, Any] = {
            "time": _iso(record.created),
            "level": record.levelname.lower(),
            "logger": record.name,
        }
        access = getattr(record, "access", None)
        if isinstance(access, dict):
            fields.update(access)
        else:
            fields["message"] = record.getMessage()
        if record.exc_info:
            fields["exception"] = self.formatException(record.exc_info)
        return json.dumps(fields, ensure_ascii=False, default=str)


def _iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).isoformat(timespec="milliseconds")


def json_log_config() -> dict[str, Any]:
    """uvicorn's `log_config` for JSON: every logger, uvicorn's and ours, to stderr as JSON."""
    handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    quiet = {"handlers": [], "propagate": True}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {"stderr": handler},
        "root": {"handlers": ["stderr"], "level": "INFO"},
        "loggers": {"uvicorn": quiet, "uvicorn.error": quiet, "uvicorn.access": quiet},
    }


def log_uncaught() -> None:
    """Send what Python would print to stderr itself (warnings, an exception no thread
    caught) through logging, so that with JSON logs every line of stderr is JSON."""
    logging.captureWarnings(True)
    stray = logging.getLogger("opendata.uncaught")

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit:
            return
        name = args.thread.name if args.thread is not None else "?"
        caught = (args.exc_type, args.exc_value, args.exc_traceback)
        stray.error("uncaught exception in thread %s", name, exc_info=caught)  # type: ignore[arg-type]

    threading.excepthook = thread_hook


def safe_query(raw: bytes) -> str:
    """The query string with the values of secret-looking parameters dropped."""
    if not raw:
        return ""
    pairs = parse_qsl(raw.decode("latin-1"), keep_blank_values=True)
    kept = [(k, DROPPED if is_secret(k) else v) for k, v in pairs]
    return urlencode(kept, safe="[]")


def is_secret(name: str) -> bool:
    """Whether a parameter is named like a credential (`api-key`, `X-Amz-Signature`,
    `client_secret`, `password%00`...): compared without case or punctuation."""
    plain = re.sub(r"[^a-z0-9]", "", name.lower())
    return any(word in plain for word in SECRET_WORDS)


def request_id(scope: Scope) -> str:
    """The proxy's request id when it is a safe token, else a new one."""
    for name, value in scope["headers"]:
        if name == b"x-request-id" and REQUEST_ID.fullmatch(value):
            return bytes(value).decode("ascii")
    return uuid.uuid4().hex


class AccessLog:
    """Pure ASGI: logs each HTTP request once its answer ended (or the client left)."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.client_address = settings.log_client_address
        self.trust_forwarded = settings.trust_forwarded_headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        arrived, started = time.time(), time.perf_counter()
        answer = {"status": 0, "bytes": 0}
        rid = request_id(scope)

        async def observe(message: Message) -> None:
            if message["type"] == "http.response.start":
                answer["status"] = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", rid.encode())]
            elif message["type"] == "http.response.body":
                answer["bytes"] += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, observe)
        finally:
            duration = (time.perf_counter() - started) * 1000
            self._log(scope, arrived, rid, answer, duration)

    def _log(
        self, scope: Scope, arrived: float, rid: str, answer: dict[str, int], duration: float
    ) -> None:
        fields: dict[str, Any] = {
            "time": _iso(arrived),
            "method": str(scope["method"])[:16],
            "route": str(getattr(scope.get("route"), "path", "unmatched")),
            "path": scope["path"],
        }
        query = safe_query(scope.get("query_string", b""))
        if query:
            fields["query"] = query
        fields.update(status=answer["status"], duration_ms=round(duration, 3))
        fields.update(bytes=answer["bytes"], request_id=rid)
        if self.client_address:
            fields["client"] = client_address(scope, self.trust_forwarded)
        access_log.info("request", extra={"access": fields})
