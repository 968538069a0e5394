"""CKAN's Action API: `/api/3/action/{name}` and `/api/action/{name}`, as CKAN 2.12 answers.

An unknown action and a GET to a write action are answered with CKAN's bare JSON string and
400; nothing here redirects. Read actions run in the thread pool (DuckDB blocks); a GET may
ask for JSONP with `callback`. `datastore_search` answers also carry the `_links` of CKAN
2.10/2.11, made from the request URL as CKAN made them. Write actions go to
`api.routes.ckan.writes`. Every answer is written by `api.errors.ckan`.
"""

from __future__ import annotations

import logging
import re
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Depends, FastAPI, Path, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from api.errors import bad_request, ckan_json, envelope, error_response, internal_error, too_large
from api.openapi import (
    REFUSED,
    SLUG,
    TOO_LARGE,
    UNKNOWN,
    Responses,
    example,
    json_example,
    problem_responses,
    responses,
)
from api.routes.ckan.data import request_data, run_action
from api.routes.ckan.writes import write
from api.routes.documents import public_base, site_info, vary
from api.uploads import BodyTooLarge, remove_stale
from catalog.ckan import (
    WRITE_ACTIONS,
    CatalogueWriter,
    ChildPublisher,
    CkanActions,
    DataStore,
    catalogue_search,
    served,
)
from catalog.errors import OpenDataError
from catalog.metadata import DcatActions, links_on
from catalog.settings import Settings
from catalog.sql import dumps_exact
from catalog.state import database_unavailable, open_state

router = APIRouter(tags=["CKAN Action API"])
# The two action paths, on their own router: the app tries it right after `/rows`, as their
# literal `/api/3/action/` and `/api/action/` are no other route's; the routes before them
# cost each request (0.3 ms of a datastore_search's, past the ~90 routes of the app).
action_router = APIRouter(tags=["CKAN Action API"])
logger = logging.getLogger(__name__)
JSONP_HEADERS = {
    "Content-Type": "application/javascript;charset=utf-8",
    "X-Content-Type-Options": "nosniff",
}
# A JSONP callback is a JavaScript name, dotted at most (`jQuery123`, `ns.cb`): never code.
JSONP_CALLBACK = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]{0,63}(?:\.[A-Za-z_$][A-Za-z0-9_$]{0,63})*")
CALLBACK_MESSAGE = (
    "callback must be a JavaScript name: a letter, _ or $, then letters, digits, _ or $"
    " (at most 64), in dot-separated parts"
)


async def get_actions(request: Request) -> CkanActions:
    actions: CkanActions = request.app.state.ckan
    return actions


ActionsDep = Annotated[CkanActions, Depends(get_actions)]


def install(app: FastAPI, settings: Settings) -> None:
    """Add the DataStore and the token-guarded write actions to the app's CKAN actions."""
    actions: CkanActions = app.state.ckan
    datastore = DataStore(app.state.engine, actions.resource_location, actions.resource_ids)
    writer = CatalogueWriter(
        app.state.store,
        settings.datasets,
        actions,
        publish=ChildPublisher(settings),
    )
    # ckanext-dcat's actions link on the configured base URL, or on a trusted proxy's
    # (`action` sets it per request), as the `/catalog.*` routes do.
    dcat = DcatActions(
        actions.index,
        site_info(settings, settings.base_url),
        page_size=settings.catalog_page_size,
        select=catalogue_search,
        pages=app.state.catalogue_pages,
    )
    actions.install(served(actions, datastore, dcat, writer))  # the table of actions, bound
    app.state.datastore = datastore
    # The state database (`catalog.state`), migrated and its legacy files imported now.
    app.state.private = open_state(settings.database, settings.legacy_files)
    app.state.tokens = app.state.private.tokens
    app.state.token_header = settings.api_token_header
    app.state.audit = app.state.private.audit
    app.state.uploads_path = settings.uploads_path
    remove_stale(settings.uploads_path)
    app.state.max_upload_bytes = settings.max_upload_bytes


@router.get("/api", include_in_schema=False)
@router.get("/api/", include_in_schema=False)
def api_root() -> Response:
    return ckan_json({"version": 1})


@router.get("/api/1", include_in_schema=False)
@router.get("/api/1/", include_in_schema=False)
def api_version_1() -> Response:
    return ckan_json({"version": 1})


@router.get("/api/2", include_in_schema=False)
@router.get("/api/2/", include_in_schema=False)
def api_version_2() -> Response:
    return ckan_json({"version": 2})


@router.get("/api/3", include_in_schema=False)
@router.get("/api/3/", include_in_schema=False)
def api_version_3() -> Response:
    return ckan_json({"version": 3})


ENVELOPE: dict[str, Any] = {
    "anyOf": [
        {
            "type": "object",
            "required": ["help", "success"],
            "properties": {
                "help": {"type": "string"},
                "success": {"type": "boolean"},
                "result": {},
                "error": {
                    "type": "object",
                    "required": ["__type"],
                    "properties": {"__type": {"type": "string"}},
                },
            },
        },
        {"type": "string", "description": "CKAN's bare answer: `Bad request: ...`."},
    ]
}
# CKAN's statuses for its error types, and the perimeter's refusals (as envelopes too).
ERROR_STATUSES = (400, 403, 404, 409, 410, TOO_LARGE, 429, 503)
ActionName = Annotated[str, Path(openapi_examples=example("package_search"))]


def documented(method: str, answer: Any) -> Responses:
    """What an action answers by `method`, with `answer` as the example of success."""
    statuses = (*REFUSED, *UNKNOWN, TOO_LARGE) if method == "POST" else (*REFUSED, *UNKNOWN)
    envelopes: Responses = {
        status: {"content": {"application/json": {"schema": ENVELOPE}}} for status in ERROR_STATUSES
    }
    jsonp = {"schema": {"type": "string", "description": "JSONP: `callback({...});`"}}
    return responses(
        {
            200: {
                "content": {
                    "application/json": {"schema": ENVELOPE},
                    "application/javascript": jsonp,
                }
            }
        },
        json_example(answer),
        envelopes,
        problem_responses(*statuses),
    )


async def action(name: ActionName, request: Request, actions: ActionsDep) -> Response:
    """Call a CKAN action; see `help_show` for each action's arguments."""
    known = actions.actions.get(name)
    if known is None and name not in WRITE_ACTIONS:
        return bad_request(f"Action name not known: {name}")
    start = envelope(actions.base_url, name)
    if name in WRITE_ACTIONS:
        return await write(name, known, request, start)
    assert known is not None
    callback = request.query_params.get("callback") if request.method == "GET" else None
    if callback and not JSONP_CALLBACK.fullmatch(callback):
        return bad_request(CALLBACK_MESSAGE)
    try:
        data = await request_data(request, side_effect_free=True)
        data.pop("callback", None)
        with links_on(public_base(request, request.app.state.settings)):
            result = await run_in_threadpool(run_action, known, data)
    except BodyTooLarge as exc:
        return too_large(start, str(exc))
    except ValueError as exc:
        return bad_request(f"JSON Error: {exc}")
    except OpenDataError as exc:
        return error_response(start, exc)
    except Exception as exc:
        if database_unavailable(exc) is None:  # else one line, not a traceback a request
            logger.exception("CKAN action %s failed", name)
        return internal_error(start, exc)
    if name == "datastore_search" and isinstance(result, dict):
        limit, offset = int(result.get("limit") or 0), int(result.get("offset") or 0)
        result["_links"] = _links(request, limit, offset)
    answer = {**start, "success": True, "result": result}
    # ckanext-dcat's documents link on the public base, built from X-Forwarded-* if trusted.
    headers = {"Vary": vary(request)} if name.startswith("dcat_") else {}
    if callback:
        text = dumps_exact(answer, ensure_ascii=True)
        return Response(f"{callback}({text});", headers={**JSONP_HEADERS, **headers})
    response = ckan_json(answer)
    response.headers.update(headers)
    return response


for _path, _prefix, _answer in (
    (
        "/api/3/action/{name}",
        "ckan_action_v3",
        {"help": "package_search", "success": True, "result": {"count": 1}},
    ),
    (
        "/api/action/{name}",
        "ckan_action",
        {"help": "package_list", "success": True, "result": [SLUG]},
    ),
):
    for _method in ("GET", "POST"):
        action_router.add_api_route(
            _path,
            action,
            methods=[_method],
            summary="CKAN action",
            operation_id=f"{_prefix}_{_method.lower()}",
            responses=documented(_method, _answer),
        )


def _links(request: Request, limit: int, offset: int) -> dict[str, str]:
    """CKAN 2.10/2.11 `_links` of an answer's `limit` and `offset`: the request URL at the
    start, the next and previous pages."""
    arguments: dict[str, str | int] = dict(parse_qsl(request.url.query))
    start = {k: v for k, v in arguments.items() if k != "offset"}
    path = request.url.path

    def url(query: dict[str, str | int]) -> str:
        encoded = urlencode(query)
        return f"{path}?{encoded}" if encoded else path

    links = {"start": url(start), "next": url({**arguments, "offset": offset + limit})}
    if offset - limit > 0:
        links["prev"] = url({**arguments, "offset": offset - limit})
    return links
