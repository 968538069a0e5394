"""CKAN's Action API wire: `/api/3/action/{name}` and `/api/action/{name}`, as CKAN 2.12 answers.

GET takes the query arguments, POST a JSON body or a form (ckan/views/api.py
`_get_request_data`); the answer is `{help, success, result}` or `{help, error, success}`
with CKAN's status for the error's `__type`. An unknown action and a GET to a write action
are answered with CKAN's bare JSON string and 400. Nothing here redirects.
"""

from __future__ import annotations

import html
import json
import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import FormData, ImmutableMultiDict

from catalog.ckan import CKAN_STATUS
from catalog.ckan_actions import WRITE_ACTIONS, CkanActions
from catalog.errors import InvalidFields, OpenDataError

router = APIRouter(tags=["CKAN Action API"])
logger = logging.getLogger(__name__)
JSON_TYPE = "application/json;charset=utf-8"
JSONP_TYPE = "application/javascript;charset=utf-8"


def get_actions(request: Request) -> CkanActions:
    actions: CkanActions = request.app.state.ckan
    return actions


ActionsDep = Annotated[CkanActions, Depends(get_actions)]


def _json(body: Any, status: int = 200) -> Response:
    text = json.dumps(body, ensure_ascii=False, separators=(", ", ": "))
    return Response(text, status_code=status, media_type=None, headers={"Content-Type": JSON_TYPE})


def _bad_request(message: str) -> Response:
    return _json(f"Bad request: {message}", 400)


@router.get("/api", include_in_schema=False)
@router.get("/api/", include_in_schema=False)
def api_root() -> Response:
    return _json({"version": 1})


@router.get("/api/1", include_in_schema=False)
@router.get("/api/1/", include_in_schema=False)
def api_version_1() -> Response:
    return _json({"version": 1})


@router.get("/api/2", include_in_schema=False)
@router.get("/api/2/", include_in_schema=False)
def api_version_2() -> Response:
    return _json({"version": 2})


@router.get("/api/3", include_in_schema=False)
@router.get("/api/3/", include_in_schema=False)
def api_version_3() -> Response:
    return _json({"version": 3})


async def action(name: str, request: Request, actions: ActionsDep) -> Response:
    """Call a CKAN action; see `help_show` for each action's arguments."""
    known = actions.actions.get(name)
    if known is None and name not in WRITE_ACTIONS:
        return _bad_request(f"Action name not known: {name}")
    envelope: dict[str, Any] = {
        "help": f"{actions.base_url}/api/3/action/help_show?name={name}",
    }
    try:
        data = await _request_data(request, side_effect_free=known is not None)
    except ValueError as exc:
        return _bad_request(f"JSON Error: {exc}")
    data.pop("callback", None)
    if known is None:
        envelope.update(
            error={"__type": "Authorization Error", "message": "Access denied"}, success=False
        )
        return _json(envelope, 403)
    try:
        result = known.run(data)
    except OpenDataError as exc:
        return _error(envelope, exc)
    except Exception:
        logger.exception("CKAN action %s failed", name)
        envelope.update(
            error={"__type": "Internal Server Error", "message": "Internal Server Error"},
            success=False,
        )
        return _json(envelope, 500)
    envelope.update(success=True, result=result)
    callback = request.query_params.get("callback")
    if callback and request.method == "GET":
        text = json.dumps(envelope, ensure_ascii=False, separators=(", ", ": "))
        return Response(f"{html.escape(callback)}({text});", headers={"Content-Type": JSONP_TYPE})
    return _json(envelope)


for _path, _prefix in (
    ("/api/3/action/{name}", "ckan_action_v3"),
    ("/api/action/{name}", "ckan_action"),
):
    for _method in ("GET", "POST"):
        router.add_api_route(
            _path,
            action,
            methods=[_method],
            summary="CKAN action",
            operation_id=f"{_prefix}_{_method.lower()}",
        )


def _error(envelope: dict[str, Any], exc: OpenDataError) -> Response:
    kind = exc.ckan_type
    message = str(exc)
    error: dict[str, Any]
    if kind == "Validation Error":
        error = dict(exc.errors) if isinstance(exc, InvalidFields) else {"message": message}
    elif kind == "Not Found Error":
        error = {"message": f"Not found: {message}" if message else "Not found"}
    elif kind == "Authorization Error":
        error = {"message": f"Access denied: {message}" if message else "Access denied"}
    elif kind == "Search Query Error":
        error = {"message": f"Search Query is invalid: {(message,)!r}"}
    elif kind == "Search Error":
        error = {"message": f"Search error: {(message,)!r}"}
    else:
        logger.error("CKAN action failed: %s", exc)
        kind, error = "Internal Server Error", {"message": "Internal Server Error"}
    error["__type"] = kind
    envelope.update(error=error, success=False)
    return _json(envelope, CKAN_STATUS.get(kind, exc.status))


async def _request_data(request: Request, *, side_effect_free: bool) -> dict[str, Any]:
    """The data dict as CKAN reads it: form, else URL arguments (reads only), else JSON."""
    if request.method == "GET" and not side_effect_free:
        raise ValueError("Invalid request. Please use POST method for your request")
    content_type = request.headers.get("content-type", "")
    if request.method == "POST" and content_type.startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        if len(form):
            return _form_data(form)
    if request.query_params and side_effect_free:
        return _mixed(request.query_params)
    body = await request.body() if request.method == "POST" else b""
    if not body.strip():
        return {}
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise ValueError(f"Error decoding JSON data. Error: {exc!r}") from None
    if not isinstance(data, dict):
        raise ValueError(f"Request data JSON decoded to {data!r} but it needs to be a dictionary.")
    return data


def _form_data(form: FormData) -> dict[str, Any]:
    values = list(form.values())
    if len(values) == 1 and values[0] in ("1", ""):
        # a JSON document posted as the only form key (CKAN's old clients)
        decoded = json.loads(next(iter(form.keys())))
        if not isinstance(decoded, dict):
            raise ValueError(
                f"Request data JSON decoded to {decoded!r} but it needs to be a dictionary."
            )
        return decoded
    return _mixed(form)


def _mixed(multi: ImmutableMultiDict[str, Any]) -> dict[str, Any]:
    """One value as itself, several as a list (CKAN's `mixed`)."""
    found: dict[str, Any] = {}
    for key in multi:
        values = multi.getlist(key)
        found[key] = values[0] if len(values) == 1 else values
    return found
