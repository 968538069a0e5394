"""Refusals answered outside any route, by the perimeter (`api.perimeter`), in the format
of the path asked for: a CKAN envelope on the Action API paths, an SDMX-ML `Error` message
under /sdmx (statistical tools read no other), a problem everywhere else."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message, Scope, Send

from api.errors.ckan import CKAN_ACTION, envelope, error_response
from api.errors.problem import error_problem
from api.errors.sdmx import is_sdmx, sdmx_error
from catalog.errors import RequestRefused

# SDMX-REST error codes of the refusals: 503 unavailable, 1001 (a service-defined code, as
# the standard has none) too many requests, 140 for a request refused for its size or pace.
SDMX_CODES = {503: 503, 429: 1001}


async def send_refusal(scope: Scope, send: Send, error: RequestRefused, *, close: bool) -> None:
    """Answer `error` as a problem, or as a CKAN envelope on the Action API paths.

    `close` ends the connection after the answer: the client may still be sending a body that
    nobody will read, and the connection cannot carry another request after it.
    """
    headers: dict[str, str] = {}
    if error.retry_after is not None:
        headers["Retry-After"] = str(error.retry_after)
    if close:
        headers["Connection"] = "close"
    request = Request(scope)
    action = CKAN_ACTION.fullmatch(scope["path"])
    response: Response
    if action is not None:
        start = envelope(request.app.state.settings.base_url, action["name"])
        response = error_response(start, error, headers)
    elif is_sdmx(scope["path"]):
        response = sdmx_error(error.status, SDMX_CODES.get(error.status, 140), str(error), headers)
    else:
        response = error_problem(request, error, headers)
    await response(scope, _no_receive, send)


async def _no_receive() -> Message:
    # A refusal never reads the request; a Response only calls receive to await a disconnect.
    return {"type": "http.disconnect"}
