"""CKAN's Action API wire: `/api/3/action/{name}` and `/api/action/{name}`, as CKAN 2.12 answers.

GET takes the query arguments, POST a JSON body or a form (ckan/views/api.py
`_get_request_data`); the answer is `{help, success, result}` or `{help, error, success}`
with CKAN's status for the error's `__type`. An unknown action and a GET to a write action
are answered with CKAN's bare JSON string and 400. Nothing here redirects.

Write actions (`catalog.ckan.writes`) need an API token (`catalog.store.tokens`) in the header the
`api_token_header` setting names (`Authorization` by default, as CKAN's
`apitoken_header_name`; `Bearer <token>` also works); without a valid one they answer
`Authorization Error` (403), as CKAN answers an anonymous user. A multipart file (ckanapi's
`upload=open(...)`) reaches the action as a `catalog.ckan.writes.Upload` on disk. Actions run in the
thread pool: DuckDB and the publisher block. `datastore_search` answers also carry the
`_links` of CKAN 2.10/2.11, made from the request URL as CKAN made them, and
`/datastore/dump/{resource_id}` streams a table as CKAN's dump does.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi import Path as PathParameter
from fastapi.responses import PlainTextResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import ImmutableMultiDict
from starlette.requests import ClientDisconnect

from api.clients import client_address
from api.uploads import (
    OVERHEAD_BYTES,
    TEXT_BYTES,
    BodyTooLarge,
    ReceivedFile,
    declared_length,
    read_body,
    read_multipart,
    remove_stale,
    upload_folder,
)
from catalog.ckan import (
    CKAN_STATUS,
    DUMP_MEDIA_TYPES,
    WRITE_ACTIONS,
    Action,
    CatalogueWriter,
    CkanActions,
    DataStore,
    Upload,
)
from catalog.errors import (
    InvalidFields,
    NotAuthorized,
    NotFound,
    OpenDataError,
    ServiceUnavailable,
    ValidationFailed,
)
from catalog.search import catalogue_uuid
from catalog.settings import Settings
from catalog.store import ANONYMOUS, INVALID, AuditLog, Outcome, TokenStore, outcome_of
from validation.readers import ReadFailure, check_zip_file

router = APIRouter(tags=["CKAN Action API"])
logger = logging.getLogger(__name__)
JSON_TYPE = "application/json;charset=utf-8"
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
# Nesting of a request's JSON; CKAN's deepest documents (a schema's field constraints inside
# a resource inside a package) are about six deep.
MAX_DEPTH = 64
TOO_DEEP = f"nested deeper than {MAX_DEPTH} levels"
_SURROGATE = re.compile("[\ud800-\udfff]")


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
    app.state.audit = AuditLog(settings.audit_path)
    app.state.uploads_path = settings.uploads_path
    remove_stale(settings.uploads_path)
    app.state.max_upload_bytes = settings.max_upload_bytes


def _json(body: Any, status: int = 200) -> Response:
    text = json.dumps(body, ensure_ascii=False, separators=(", ", ": "))
    try:
        content = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from stored data: escaped, still valid JSON
        content = json.dumps(body, ensure_ascii=True, separators=(", ", ": ")).encode("ascii")
    return Response(
        content, status_code=status, media_type=None, headers={"Content-Type": JSON_TYPE}
    )


def _bad_request(message: str) -> Response:
    return _json(f"Bad request: {message}", 400)


def _too_large(envelope: dict[str, Any], exc: BodyTooLarge) -> Response:
    """413 with CKAN's words for an upload past `ckan.max_resource_size`."""
    error = {"__type": "Validation Error", "upload": [f"File upload too large: {exc}"]}
    return _json({**envelope, "error": error, "success": False}, 413)


def _internal_error(envelope: dict[str, Any]) -> Response:
    error = {"__type": "Internal Server Error", "message": "Internal Server Error"}
    return _json({**envelope, "error": error, "success": False}, 500)


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
    if name in WRITE_ACTIONS:
        return await _write(name, known, request, envelope)
    assert known is not None
    callback = request.query_params.get("callback") if request.method == "GET" else None
    if callback and not JSONP_CALLBACK.fullmatch(callback):
        return _bad_request(CALLBACK_MESSAGE)
    try:
        data = await _request_data(request, side_effect_free=True)
        data.pop("callback", None)
        result = await run_in_threadpool(_run, known, data)
    except BodyTooLarge as exc:
        return _too_large(envelope, exc)
    except ValueError as exc:
        return _bad_request(f"JSON Error: {exc}")
    except OpenDataError as exc:
        return _error(envelope, exc)
    except Exception:
        logger.exception("CKAN action %s failed", name)
        return _internal_error(envelope)
    if name == "datastore_search" and isinstance(result, dict):
        result["_links"] = _links(request, result)
    envelope.update(success=True, result=result)
    if callback:
        text = json.dumps(envelope, ensure_ascii=True, separators=(", ", ": "))
        return Response(f"{callback}({text});", headers=JSONP_HEADERS)
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


@dataclass
class _Attempt:
    """What the audit log is told of one write attempt, filled in as the request is read."""

    action: str
    client: str
    token: str = ANONYMOUS
    dataset: str = ""


async def _write(
    name: str, known: Action | None, request: Request, envelope: dict[str, Any]
) -> Response:
    """A write action: the token is checked before any byte of the body is read, and the
    attempt is recorded in the audit log whatever its end."""
    attempt = _Attempt(action=name, client=_client(request))
    outcome: Outcome = "refused"
    try:
        result = await _run_write(known, request, attempt)
    except BodyTooLarge as exc:
        response, detail = _too_large(envelope, exc), f"too large: {exc}"
        attempt.dataset = attempt.dataset or _dataset_of(request, exc.fields)
    except ValueError as exc:  # a body that does not parse
        response, detail = _bad_request(f"JSON Error: {exc}"), f"Bad request: {exc}"
    except ClientDisconnect:  # nobody reads the answer; the upload folder is already gone
        response = _bad_request("the client disconnected")
        refused = request.scope.get("state", {}).get("refused")  # cut by api.limits
        outcome, detail = ("refused", refused) if refused else ("failed", "the client disconnected")
    except OpenDataError as exc:
        response = _error(envelope, exc)
        outcome, detail = outcome_of(exc)
    except Exception as exc:
        logger.exception("CKAN action %s failed", name)
        response, outcome, detail = _internal_error(envelope), "failed", type(exc).__name__
    else:
        attempt.dataset = _dataset_of(request, result) or attempt.dataset
        envelope.update(success=True, result=result)
        response, outcome, detail = _json(envelope), "ok", ""
    audit: AuditLog = request.app.state.audit
    await run_in_threadpool(
        audit.record,
        token=attempt.token,
        action=name,
        dataset=attempt.dataset,
        outcome=outcome,
        detail=detail,
        client=attempt.client,
    )
    return response


async def _run_write(known: Action | None, request: Request, attempt: _Attempt) -> Any:
    if request.method == "GET":
        raise ValueError("Invalid request. Please use POST method for your request")
    found = await _token(request)
    attempt.token = found
    limit: int = request.app.state.max_upload_bytes
    length = declared_length(request)
    if length is not None and length > limit + TEXT_BYTES + OVERHEAD_BYTES:
        raise BodyTooLarge("the request body", limit + TEXT_BYTES + OVERHEAD_BYTES)
    if found in (ANONYMOUS, INVALID):
        raise NotAuthorized(f"Action {attempt.action} requires a valid API token")
    if known is None:
        raise NotAuthorized("")
    with upload_folder(request.app.state.uploads_path) as folder:
        data = await _request_data(request, side_effect_free=False, folder=folder, file_limit=limit)
        attempt.dataset = _dataset_of(request, data)
        data = await run_in_threadpool(_with_uploads, data)
        return await run_in_threadpool(_run, known, data)


def _run(known: Action, data: dict[str, Any]) -> Any:
    """Run an action. JSON can send any type for any argument, and the actions expect CKAN's:
    a crash on a type error with arguments of other JSON types is the caller's error."""
    try:
        return known.run(data)
    except (TypeError, AttributeError, OverflowError) as exc:
        kinds = {key: _json_kind(value) for key, value in data.items()}
        wrong = {key: [f"Unexpected JSON {kind}"] for key, kind in kinds.items() if kind}
        if not wrong:
            raise
        logger.warning("CKAN action refused arguments of unexpected types", exc_info=True)
        raise InvalidFields(wrong) from exc


def _json_kind(value: Any) -> str:
    """The JSON type of a non-string argument ("" for a string or an upload)."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if value is None:
        return "null"
    if isinstance(value, list):
        return "array"
    return "object" if isinstance(value, dict) else ""


async def _token(request: Request) -> str:
    """The public id of the active API token the request carries; `anonymous` or `invalid`."""
    presented = request.headers.get(request.app.state.token_header, "")
    if not presented:
        return ANONYMOUS
    tokens: TokenStore = request.app.state.tokens
    found = await run_in_threadpool(tokens.check, presented)
    return INVALID if found is None else found.id


def _client(request: Request) -> str:
    trusted = request.app.state.settings.trust_forwarded_headers
    return client_address(request.scope, trusted)


def _dataset_of(request: Request, found: Any) -> str:
    """The dataset a write names (its data dict) or made (its result), by slug when known."""
    if not isinstance(found, dict):
        return ""
    named = found.get("package_id") or found.get("name") or found.get("id") or ""
    if not isinstance(named, str):
        return ""
    actions: CkanActions = request.app.state.ckan
    for slug, descriptor in actions.index.descriptors().items():
        names = [str(r.get("name")) for r in descriptor.get("resources", [])]
        ids = [catalogue_uuid("dataset", slug)] + [
            catalogue_uuid("resource", f"{slug}/{name}") for name in names
        ]
        if named in ids:
            return slug
    return named


def _with_uploads(data: dict[str, Any]) -> dict[str, Any]:
    """Received files as `Upload`s, each archive checked (zip bombs) before anyone opens it."""
    found = dict(data)
    for key, value in data.items():
        if isinstance(value, ReceivedFile):
            try:
                check_zip_file(value.path)
            except ReadFailure as exc:
                raise InvalidFields({key: [f"{value.filename}: {exc.message}"]}) from None
            found[key] = Upload(filename=value.filename, path=value.path)
    return found


async def audit_refusal(request: Request, detail: str) -> None:
    """Record a write attempt refused before its route ran (a body over the perimeter's size
    limit), for the middleware that refused it. Requests to anything but a write action are
    not recorded; the token is not checked (`unchecked`), the refusal does not depend on it."""
    path = request.url.path
    prefix = next((p for p in ("/api/3/action/", "/api/action/") if path.startswith(p)), None)
    if prefix is None or path[len(prefix) :] not in WRITE_ACTIONS:
        return
    presented = request.headers.get(request.app.state.token_header, "")
    audit: AuditLog = request.app.state.audit
    await run_in_threadpool(
        audit.record,
        token="unchecked" if presented else ANONYMOUS,
        action=path[len(prefix) :],
        outcome="refused",
        detail=detail,
        client=_client(request),
    )


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
    elif isinstance(exc, ServiceUnavailable):  # busy or restarting: say when to come back
        error = {"message": message, "__type": kind}
        envelope.update(error=error, success=False)
        response = _json(envelope, exc.status)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    else:
        logger.error("CKAN action failed: %s", exc)
        kind, error = "Internal Server Error", {"message": "Internal Server Error"}
    error["__type"] = kind
    envelope.update(error=error, success=False)
    return _json(envelope, CKAN_STATUS.get(kind, exc.status))


async def _request_data(
    request: Request, *, side_effect_free: bool, folder: Path | None = None, file_limit: int = 0
) -> dict[str, Any]:
    """The data dict as CKAN reads it: form, else URL arguments (reads only), else JSON.
    Bodies are read under caps (`api.uploads`); files go to `folder`, writes only."""
    if request.method == "GET" and not side_effect_free:
        raise ValueError("Invalid request. Please use POST method for your request")
    content_type = request.headers.get("content-type", "").lower()
    body = b""
    if request.method == "POST" and content_type.startswith("multipart/form-data"):
        items = await read_multipart(request, folder, file_limit=file_limit)
        if items:
            return _checked(_form_data(items))
    elif request.method == "POST":
        body = await read_body(request)
        if content_type.startswith("application/x-www-form-urlencoded"):
            fields = _urlencoded(body)
            if fields:
                return _checked(_form_data(fields))
    if request.query_params and side_effect_free:
        _check_query(request)
        return _checked(_mixed(request.query_params))
    if not body.strip():
        return {}
    return _checked(_json_object(body))


def _check_query(request: Request) -> None:
    """Refuse a query string whose %-escapes are not UTF-8 (`%ED%A0%80`, a UTF-8-encoded
    surrogate; `%FF`), which would otherwise reach the actions as replacement characters."""
    raw = request.scope.get("query_string", b"").decode("latin-1")
    try:
        parse_qsl(raw, keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise ValueError("the query string is not UTF-8 text") from None


def _urlencoded(body: bytes) -> list[tuple[str, str]]:
    try:
        return parse_qsl(
            body.decode("utf-8"), keep_blank_values=True, errors="strict", max_num_fields=10_000
        )
    except UnicodeDecodeError:
        raise ValueError("the form is not UTF-8 text") from None


def _json_object(text: bytes | str) -> dict[str, Any]:
    """A JSON document that must be an object, as CKAN words each refusal."""
    try:
        data = json.loads(text)
    except RecursionError:
        raise ValueError(
            f"Error decoding JSON data. Error: nested deeper than {MAX_DEPTH}"
        ) from None
    except ValueError as exc:
        raise ValueError(f"Error decoding JSON data. Error: {_shown(repr(exc))}") from None
    if not isinstance(data, dict):
        raise ValueError(
            f"Request data JSON decoded to {_shown(repr(data))} but it needs to be a dictionary."
        )
    return data


def _checked(data: dict[str, Any]) -> dict[str, Any]:
    """Refuse what would fail far from here: deep nesting, integers past 64 bits (no engine
    below takes them), and lone surrogates (which JSON's `\\ud800` escapes allow but no UTF-8
    answer or file can hold)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ValueError(f"Error decoding JSON data. Error: {TOO_DEEP}")
        if isinstance(value, str):
            if _SURROGATE.search(value):
                raise ValueError("Error decoding JSON data. Error: a string holds a lone surrogate")
            if value.lstrip()[:1] in ("{", "["):
                # JSON inside an argument (`filters`, `fields` in a URL): the actions parse
                # it later, so it is held to the same rules as a JSON body now.
                stack.extend((inner, depth + 1) for inner in _embedded_json(value))
        elif isinstance(value, int) and not -(2**63) <= value < 2**63:
            raise ValueError("Error decoding JSON data. Error: a number is out of range")
        elif isinstance(value, dict):
            stack.extend((item, depth + 1) for pair in value.items() for item in pair)
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
    return data


def _embedded_json(text: str) -> list[Any]:
    """The JSON document `text` holds, as a one-item list; none when it is not JSON."""
    try:
        return [json.loads(text)]
    except RecursionError:
        raise ValueError(f"Error decoding JSON data. Error: {TOO_DEEP}") from None
    except ValueError:
        return []


def _shown(text: str) -> str:
    """Caller's text echoed in an error, cut short: a refused 8 MB array is not sent back."""
    return text if len(text) <= 200 else text[:200] + "…"


def _form_data(items: Sequence[tuple[str, Any]]) -> dict[str, Any]:
    values = [value for _, value in items]
    if len(values) == 1 and values[0] in ("1", ""):
        # a JSON document posted as the only form key (CKAN's old clients)
        return _json_object(items[0][0])
    grouped: dict[str, list[Any]] = {}
    for key, value in items:
        grouped.setdefault(key, []).append(value)
    # one value as itself, several as a list (CKAN's `mixed`)
    return {key: found[0] if len(found) == 1 else found for key, found in grouped.items()}


def _mixed(multi: ImmutableMultiDict[str, Any]) -> dict[str, Any]:
    """One value as itself, several as a list (CKAN's `mixed`)."""
    found: dict[str, Any] = {}
    for key in multi:
        values = multi.getlist(key)
        found[key] = values[0] if len(values) == 1 else values
    return found
