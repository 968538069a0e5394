"""CKAN's Action API wire: `/api/3/action/{name}` and `/api/action/{name}`, as CKAN 2.12 answers.

GET takes the query arguments, POST a JSON body or a form (ckan/views/api.py
`_get_request_data`); the answer is `{help, success, result}` or `{help, error, success}`
with CKAN's status for the error's `__type`. An unknown action and a GET to a write action
are answered with CKAN's bare JSON string and 400. Nothing here redirects.

Write actions (`catalog.writes`) need an API token (`catalog.tokens`) in the header the
`api_token_header` setting names (`Authorization` by default, as CKAN's
`apitoken_header_name`; `Bearer <token>` also works); without a valid one they answer
`Authorization Error` (403), as CKAN answers an anonymous user. A multipart file (ckanapi's
`upload=open(...)`) reaches the action as a `catalog.writes.Upload` on disk. Actions run in the
thread pool: DuckDB and the publisher block. `datastore_search` answers also carry the
`_links` of CKAN 2.10/2.11, made from the request URL as CKAN made them, and
`/datastore/dump/{resource_id}` streams a table as CKAN's dump does.
"""

from __future__ import annotations

import html
import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi import Path as PathParameter
from fastapi.responses import PlainTextResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, ImmutableMultiDict, UploadFile

from catalog.ckan import CKAN_STATUS
from catalog.ckan_actions import WRITE_ACTIONS, CkanActions
from catalog.datastore import DUMP_MEDIA_TYPES, DataStore
from catalog.errors import InvalidFields, NotAuthorized, NotFound, OpenDataError, ValidationFailed
from catalog.settings import Settings
from catalog.tokens import TokenStore
from catalog.writes import CatalogueWriter, Upload

router = APIRouter(tags=["CKAN Action API"])
logger = logging.getLogger(__name__)
JSON_TYPE = "application/json;charset=utf-8"
JSONP_TYPE = "application/javascript;charset=utf-8"


async def get_actions(request: Request) -> CkanActions:
    actions: CkanActions = request.app.state.ckan
    return actions


ActionsDep = Annotated[CkanActions, Depends(get_actions)]


def install(app: FastAPI, settings: Settings) -> None:
    """Add the DataStore and the token-guarded write actions to the app's CKAN actions."""
    actions: CkanActions = app.state.ckan
    datastore = DataStore(app.state.engine, actions.resource_location)
    actions.install(
        {
            "datastore_search": datastore.search,
            "datastore_info": datastore.info,
            "datastore_search_sql": datastore.search_sql,
        }
    )
    writer = CatalogueWriter(
        app.state.store, settings.datasets, actions, row_group_size=settings.row_group_size
    )
    actions.install(writer.actions_table())
    app.state.datastore = datastore
    app.state.tokens = TokenStore(settings.tokens_path)
    app.state.token_header = settings.api_token_header


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
        data = await _request_data(request, side_effect_free=name not in WRITE_ACTIONS)
    except ValueError as exc:
        return _bad_request(f"JSON Error: {exc}")
    data.pop("callback", None)
    if known is None:
        envelope.update(
            error={"__type": "Authorization Error", "message": "Access denied"}, success=False
        )
        return _json(envelope, 403)
    uploads: list[Path] = []
    try:
        if name in WRITE_ACTIONS:
            await _authorize(request, name)
            data = await _with_uploads(data, uploads)
        result = await run_in_threadpool(known.run, data)
    except OpenDataError as exc:
        return _error(envelope, exc)
    except Exception:
        logger.exception("CKAN action %s failed", name)
        envelope.update(
            error={"__type": "Internal Server Error", "message": "Internal Server Error"},
            success=False,
        )
        return _json(envelope, 500)
    finally:
        for path in uploads:
            path.unlink(missing_ok=True)
    if name == "datastore_search" and isinstance(result, dict):
        result["_links"] = _links(request, result)
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


async def _authorize(request: Request, name: str) -> None:
    """Refuse a write unless the request carries an active API token."""
    presented = request.headers.get(request.app.state.token_header, "")
    tokens: TokenStore = request.app.state.tokens
    if not presented or await run_in_threadpool(tokens.check, presented) is None:
        raise NotAuthorized(f"Action {name} requires a valid API token")


async def _with_uploads(data: dict[str, Any], uploads: list[Path]) -> dict[str, Any]:
    """Multipart files spooled to temporary files, handed over as `Upload`s."""
    found = dict(data)
    for key, value in data.items():
        if isinstance(value, UploadFile):
            handle, name = tempfile.mkstemp(prefix="ckan-upload-")
            path = Path(name)
            uploads.append(path)
            with os.fdopen(handle, "wb") as target:
                while chunk := await value.read(1 << 20):
                    target.write(chunk)
            found[key] = Upload(filename=value.filename or key, path=path)
    return found


def _links(request: Request, result: dict[str, Any]) -> dict[str, str]:
    """CKAN 2.10/2.11 `_links`: the request URL at the start, the next and previous pages."""
    arguments = dict(parse_qsl(request.url.query))
    limit, offset = int(result.get("limit") or 0), int(result.get("offset") or 0)
    start = {k: v for k, v in arguments.items() if k != "offset"}
    path = request.url.path

    def url(query: dict[str, Any]) -> str:
        encoded = urlencode(query)
        return f"{path}?{encoded}" if encoded else path

    links = {"start": url(start), "next": url({**arguments, "offset": offset + limit})}
    if offset - limit > 0:
        links["prev"] = url({**arguments, "offset": offset - limit})
    return links


DUMP_EXAMPLE = '_id,region_code,year,workers\n1,"520000",2021,1000\n'


@router.get(
    "/datastore/dump/{resource_id}",
    tags=["CKAN DataStore"],
    summary="Dump a DataStore table",
    response_class=Response,
    responses={
        200: {
            "description": "The rows, streamed in the asked format.",
            "content": {DUMP_MEDIA_TYPES["csv"]: {"example": DUMP_EXAMPLE}},
        }
    },
)
async def datastore_dump(
    resource_id: Annotated[
        str,
        PathParameter(
            description="The resource's id, as package_show gives it.",
            examples=["7fb980a1-3fcf-5d80-aa8f-3372b9793e7d"],
        ),
    ],
    request: Request,
) -> Response:
    """The whole table (or `filters`, `q`, `fields`, `sort`, `limit`, `offset` of it) as
    `format` csv (default), tsv, json or xml, streamed, with `_id` first (CKAN's dump)."""
    datastore: DataStore = request.app.state.datastore
    args = dict(request.query_params)
    try:
        fmt, chunks = await run_in_threadpool(datastore.dump, resource_id, args)
    except NotFound:
        return PlainTextResponse("404 Not Found: DataStore resource not found", 404)
    except InvalidFields as exc:
        lines = "\n".join(f"{k}: {' '.join(v)}" for k, v in exc.errors.items())
        return PlainTextResponse(f"400 Bad Request: {lines}", 400)
    except OpenDataError as exc:
        return PlainTextResponse(f"{exc.status}: {exc}", exc.status)
    headers = {"Content-Disposition": f'attachment; filename="{resource_id}.{fmt}"'}
    return StreamingResponse(chunks, media_type=DUMP_MEDIA_TYPES[fmt], headers=headers)


def _error(envelope: dict[str, Any], exc: OpenDataError) -> Response:
    kind = exc.ckan_type
    message = str(exc)
    error: dict[str, Any]
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
    posted_form = request.method == "POST" and content_type.startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    )
    if posted_form:
        form = await request.form()
        if len(form):
            return _form_data(form)
    if request.query_params and side_effect_free:
        return _mixed(request.query_params)
    # Reading the form consumed the body: an empty form has no JSON behind it.
    body = await request.body() if request.method == "POST" and not posted_form else b""
    if not body.strip():
        return {}
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:  # RecursionError: JSON nested too deep
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
