"""RFC 9457 problem details: every error of the REST API as `application/problem+json`.

The `type` of a problem is `<base_url>/problems/<slug>`, the slug being the error class's
(`catalog.errors`), so clients can branch on it; `title` is fixed per type, `detail` says what
went wrong this time, `instance` is the path asked for. A problem about one query parameter
names it in `parameter`; a request FastAPI itself refused lists each fault in `errors`.

This module is the only one that writes a problem body: the exception handlers of the app
(`install_error_handlers`) and the perimeter's refusals (`api.errors.refusal`) both call
`problem_response`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from pydantic_core import ErrorDetails
from starlette.exceptions import HTTPException
from starlette.responses import Response

from api.errors.sdmx import SDMX_ALLOW, is_sdmx, sdmx_error
from api.perimeter.quiet import QuietLog
from catalog.errors import DataRefused, InvalidParameter, OpenDataError, QueryTimeout
from catalog.state import database_unavailable

PROBLEM_MEDIA_TYPE = "application/problem+json"
HIDDEN = "the server failed; the error is in its log"
logger = logging.getLogger(__name__)
quiet = QuietLog(logger, 10.0)  # a store or database away fails every request: not a line each


class Problem(BaseModel):
    """An RFC 9457 problem details object."""

    type: str = Field(examples=["http://127.0.0.1:8000/problems/invalid-parameter"])
    title: str = Field(examples=["Invalid Parameter"])
    status: int = Field(examples=[400])
    detail: str = Field(examples=["workers__gt: 'many' is not a valid integer"])
    instance: str = Field(examples=["/api/v1/datasets/wages/resources/wages/rows"])
    parameter: str | None = Field(default=None, description="The query parameter at fault.")
    errors: list[dict[str, str]] | None = Field(
        default=None, description="Each fault of a request the framework refused."
    )
    apply: str | None = Field(
        default=None,
        description="For data refused without a grant (a conditional dataset): the page "
        "where to apply for it.",
    )


def problem_response(
    request: Request,
    *,
    status: int,
    slug: str,
    title: str,
    detail: str,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    base_url = str(request.app.state.settings.base_url).rstrip("/")
    body = {
        "type": f"{base_url}/problems/{slug}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        **{key: value for key, value in extra.items() if value is not None},
    }
    return JSONResponse(
        body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=dict(headers or {})
    )


def error_problem(
    request: Request, exc: OpenDataError, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """The problem of one of our errors; a 5xx's message only when it is `public`, else
    its `public_detail` (a store that did not answer) or a sentence that hides it."""
    shown = exc.status < 500 or exc.public
    answer = dict(headers or {})
    if exc.retry_after is not None:
        answer.setdefault("Retry-After", str(exc.retry_after))
    return problem_response(
        request,
        status=exc.status,
        slug=exc.slug,
        title=exc.title or HTTPStatus(exc.status).phrase,
        detail=str(exc) if shown else exc.public_detail or HIDDEN,
        parameter=exc.parameter if isinstance(exc, InvalidParameter) else None,
        # Where to ask for a grant, absolute as `type` is: a client may follow it as given.
        apply=_absolute(request, exc.apply) if isinstance(exc, DataRefused) else None,
        headers=answer,
    )


def _absolute(request: Request, path: str) -> str:
    return str(request.app.state.settings.base_url).rstrip("/") + path


async def opendata_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, OpenDataError)
    if exc.public_detail is not None:  # a store away: every request fails alike
        quiet.warning("%s %s refused: %s", request.method, request.url.path, exc)
    elif exc.retry_after is not None or isinstance(exc, QueryTimeout):
        # Expected under load (busy, a query past its limit): no traceback per request.
        logger.warning("%s %s refused: %s", request.method, request.url.path, exc)
    elif exc.status >= 500:
        logger.error("%s %s failed: %s", request.method, request.url.path, exc, exc_info=exc)
    return error_problem(request, exc)


async def request_invalid(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [_fault(error) for error in exc.errors()]
    return problem_response(
        request,
        status=400,
        slug=InvalidParameter.slug,
        title=InvalidParameter.title,
        detail="; ".join(f"{e['parameter']}: {e['message']}" for e in errors),
        parameter=errors[0]["parameter"] if len(errors) == 1 else None,
        errors=errors,
    )


def _fault(error: ErrorDetails) -> dict[str, str]:
    location: Sequence[Any] = error.get("loc", ())
    if error.get("type") == "json_invalid":  # ("body", <character>): not a parameter
        reason = str((error.get("ctx") or {}).get("error", "not JSON")).lower()
        at = location[1] if len(location) > 1 else 0
        return {"parameter": "body", "message": f"not valid JSON: {reason} at character {at}"}
    # ("query", "limit") names the parameter; a whole missing body is ("body",).
    parameter = ".".join(str(part) for part in location[1:]) or str(location[0] if location else "")
    return {"parameter": parameter, "message": str(error.get("msg", "invalid"))}


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    path = request.url.path
    if exc.status_code == 405 and is_sdmx(path):
        # A method no route lists (TRACE, PROPFIND): statistical tools read SDMX-ML only.
        return sdmx_error(
            405, 501, f"{request.method[:10]} is not served here: use GET.", SDMX_ALLOW
        )
    phrase = HTTPStatus(exc.status_code).phrase
    return problem_response(
        request,
        status=exc.status_code,
        slug=phrase.lower().replace(" ", "-").replace("'", ""),
        title=phrase,
        detail=str(exc.detail),
        headers=dict(exc.headers) if exc.headers else None,
    )


async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    away = database_unavailable(exc)
    if away is not None:  # 503 with Retry-After: a load balancer tries another replica
        quiet.warning("%s %s refused: the state database is away: %s", request.method,
                      request.url.path, _first_line(exc))  # fmt: skip
        return error_problem(request, away)
    logger.error("%s %s failed", request.method, request.url.path, exc_info=exc)
    return problem_response(
        request,
        status=500,
        slug=OpenDataError.slug,
        title=HTTPStatus(500).phrase,
        detail=HIDDEN,
    )


def _first_line(exc: BaseException) -> str:
    """An engine's message, shortened: SQLAlchemy's run to kilobytes of SQL and links."""
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0][:300] if text else ''}"


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(OpenDataError, opendata_error)
    app.add_exception_handler(RequestValidationError, request_invalid)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(Exception, unexpected_error)
