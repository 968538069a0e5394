"""CKAN's wire: the Action API's JSON and envelope, and the DataStore dump's plain text.

Every answer of `/api/3/action/{name}` (and `/api/action/{name}`) is written here, as CKAN
2.12 writes it: `{"help", "success", "result"}`, or `{"help", "error", "success"}` whose
`error` carries the `__type` of our error class (`catalog.errors`) and the status CKAN gives
that type (`catalog.ckan.CKAN_STATUS`). A body CKAN cannot read at all, an unknown action or
a GET to a write action is CKAN's bare JSON string with 400. Refusals of the perimeter
(`api.errors.refusal`) reach clients of these paths in the same envelope. The DataStore dump
answers its errors as CKAN's does, in plain text.
"""

from __future__ import annotations

import logging
import re
from typing import Any, TypedDict

from fastapi.responses import PlainTextResponse, Response

from api.perimeter.quiet import QuietLog
from catalog.ckan import CKAN_STATUS
from catalog.errors import (
    InvalidFields,
    NotFound,
    OpenDataError,
    RequestRefused,
    ServiceUnavailable,
    ValidationFailed,
)
from catalog.sql import dumps_exact
from catalog.state import database_unavailable
from validation import ReportDocument

CKAN_JSON = "application/json;charset=utf-8"
# The Action API's paths; their answers, refusals included, are CKAN envelopes.
CKAN_ACTION = re.compile(r"/api(?:/3)?/action/(?P<name>[^/]+)")
logger = logging.getLogger(__name__)
quiet = QuietLog(logger, 10.0)  # a store or database away fails every request alike


def ckan_json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """`body` as CKAN writes JSON: UTF-8, `", "` and `": "` separators."""
    text = dumps_exact(body)  # a DataStore record's numbers as printed
    try:
        content = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from stored data: escaped, still valid JSON
        content = dumps_exact(body, ensure_ascii=True).encode("ascii")
    return Response(
        content,
        status_code=status,
        media_type=None,
        headers={**(headers or {}), "Content-Type": CKAN_JSON},
    )


class Envelope(TypedDict):
    """The start of every CKAN answer, before `success` and `result` or `error`."""

    help: str


def envelope(base_url: str, name: str) -> Envelope:
    """The start of every answer of action `name`: its `help` link."""
    return Envelope(help=f"{base_url.rstrip('/')}/api/3/action/help_show?name={name}")


def bad_request(message: str) -> Response:
    """CKAN's bare answer to a request it cannot take as an action call at all."""
    return ckan_json(f"Bad request: {message}", 400)


def too_large(start: Envelope, message: str) -> Response:
    """413 with CKAN's words for an upload past `ckan.max_resource_size`."""
    error = {"__type": "Validation Error", "upload": [f"File upload too large: {message}"]}
    return ckan_json({**start, "error": error, "success": False}, 413)


def internal_error(start: Envelope, exc: Exception | None = None) -> Response:
    """CKAN's 500; a state database that did not answer is a 503 with `Retry-After`."""
    away = database_unavailable(exc) if exc is not None else None
    if away is not None:
        quiet.warning("CKAN action refused: the state database is away: %s", type(exc).__name__)
        return error_response(start, away)
    error = {"__type": "Internal Server Error", "message": "Internal Server Error"}
    return ckan_json({**start, "error": error, "success": False}, 500)


def error_response(
    start: Envelope, exc: OpenDataError, headers: dict[str, str] | None = None
) -> Response:
    """The envelope of `exc`, with CKAN's status for its `__type` and CKAN's wording."""
    kind, error = _error(exc)
    # Types CKAN does not have (a refusal, a busy server) keep our status.
    status = CKAN_STATUS.get(kind, exc.status)
    answer = dict(headers or {})
    if exc.retry_after is not None:
        answer.setdefault("Retry-After", str(exc.retry_after))
    return ckan_json({**start, "error": error, "success": False}, status, answer)


# The `error` object of a failed action: `__type` with a `message`, or the messages of each
# invalid field (`InvalidFields`), or an upload's summary and its validation report.
ErrorObject = dict[str, str | list[str] | ReportDocument]


def _error(exc: OpenDataError) -> tuple[str, ErrorObject]:
    """The `__type` and the `error` object CKAN answers for `exc`."""
    kind = exc.ckan_type
    message = str(exc)
    if isinstance(exc, RequestRefused):  # answered before any action ran
        return kind, {"__type": kind, "message": message}
    error: ErrorObject
    if isinstance(exc, ValidationFailed):
        error = {"upload": [exc.report.summary()], "report": exc.report.to_dict()}
    elif kind == "Validation Error":
        error = dict(exc.errors) if isinstance(exc, InvalidFields) else {"message": message}
    elif kind == "Not Found Error":
        error = {"message": f"Not found: {message}" if message else "Not found"}
    elif kind == "Authorization Error":
        error = {"message": f"Access denied: {message}" if message else "Access denied"}
    elif kind == "Search Query Error":
        error = {"message": f"Search Query is invalid: {(message,)!r}"}
    elif kind == "Search Error":
        error = {"message": f"Search error: {(message,)!r}"}
    elif isinstance(exc, ServiceUnavailable):  # busy or restarting: say when to come back
        error = {"message": message}
    elif exc.public_detail is not None:  # a store that did not answer: its log has why
        quiet.warning("CKAN action refused: %s", exc)
        error = {"message": exc.public_detail}
    else:
        logger.error("CKAN action failed: %s", exc)
        kind, error = "Internal Server Error", {"message": "Internal Server Error"}
    return kind, {**error, "__type": kind}


def dump_error(exc: OpenDataError) -> PlainTextResponse:
    """A failed `/datastore/dump/{id}` in CKAN's words: plain text, the status first."""
    if isinstance(exc, NotFound):
        return PlainTextResponse("404 Not Found: DataStore resource not found", 404)
    if isinstance(exc, InvalidFields):
        lines = "\n".join(f"{k}: {' '.join(v)}" for k, v in exc.errors.items())
        return PlainTextResponse(f"400 Bad Request: {lines}", 400)
    hidden = exc.status >= 500 and not exc.public
    shown = exc.public_detail or "Internal Server Error" if hidden else str(exc)
    retry = {"Retry-After": str(exc.retry_after)} if exc.retry_after is not None else None
    return PlainTextResponse(f"{exc.status}: {shown}", exc.status, retry)
