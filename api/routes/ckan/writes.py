"""The token-guarded CKAN write actions (`catalog.ckan.actions`), each attempt audited.

A write needs an API token (`catalog.state.TokenStore`) in the header the `api_token_header`
setting names (`Authorization` by default, as CKAN's `apitoken_header_name`; `Bearer <token>`
also works); without a valid one (unknown, altered, expired or revoked) it answers
`Authorization Error` (403), as CKAN answers an anonymous user. The token is checked before
any byte of the body is read. A valid token writes only the datasets of the organizations
its scopes name (`publish:<org>`; `admin` writes all): any other is refused with the same
403 (`catalog.ckan.writing_as`). A multipart file
(ckanapi's `upload=open(...)`) reaches the action as a `catalog.ckan.Upload` on disk, its
archive checked first. Whatever the end, the attempt goes to the audit log.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from fastapi import Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from api.errors import (
    Envelope,
    bad_request,
    ckan_json,
    error_response,
    internal_error,
    too_large,
)
from api.perimeter import request_client
from api.routes.ckan.data import request_data, run_action
from api.uploads import (
    OVERHEAD_BYTES,
    TEXT_BYTES,
    BodyTooLarge,
    ReceivedFile,
    declared_length,
    upload_folder,
)
from catalog.ckan import Action, CkanActions, DataDict, Upload, writing_as
from catalog.errors import InvalidFields, NotAuthorized, OpenDataError
from catalog.search import catalogue_uuid
from catalog.state import (
    ANONYMOUS,
    INVALID,
    ApiToken,
    AuditLog,
    Outcome,
    TokenStore,
    database_unavailable,
    outcome_of,
)
from validation import ReadFailure, check_zip_file

logger = logging.getLogger(__name__)


@dataclass
class _Attempt:
    """What the audit log is told of one write attempt, filled in as the request is read."""

    action: str
    client: str
    token: str = ANONYMOUS
    dataset: str = ""


async def write(name: str, known: Action | None, request: Request, envelope: Envelope) -> Response:
    """A write action: the token is checked before any byte of the body is read, and the
    attempt is recorded in the audit log whatever its end."""
    attempt = _Attempt(action=name, client=request_client(request))
    outcome: Outcome = "refused"
    try:
        result = await _run_write(known, request, attempt)
    except BodyTooLarge as exc:
        response, detail = too_large(envelope, str(exc)), f"too large: {exc}"
        attempt.dataset = attempt.dataset or _dataset_of(request, exc.fields)
    except ValueError as exc:  # a body that does not parse
        response, detail = bad_request(f"JSON Error: {exc}"), f"Bad request: {exc}"
    except ClientDisconnect:  # nobody reads the answer; the upload folder is already gone
        response = bad_request("the client disconnected")
        refused = request.scope.get("state", {}).get("refused")  # cut by api.perimeter.limits
        outcome, detail = ("refused", refused) if refused else ("failed", "the client disconnected")
    except OpenDataError as exc:
        response = error_response(envelope, exc)
        outcome, detail = outcome_of(exc)
    except Exception as exc:
        if database_unavailable(exc) is None:  # else one line, not a traceback a request
            logger.exception("CKAN action %s failed", name)
        response, outcome, detail = internal_error(envelope, exc), "failed", type(exc).__name__
    else:
        attempt.dataset = _dataset_of(request, result) or attempt.dataset
        response, outcome, detail = (
            ckan_json({**envelope, "success": True, "result": result}),
            "ok",
            "",
        )
    audit: AuditLog = request.app.state.audit
    try:
        await run_in_threadpool(
            audit.record,
            token=attempt.token,
            action=name,
            dataset=attempt.dataset,
            outcome=outcome,
            detail=detail,
            client=attempt.client,
        )
    except Exception as exc:
        if database_unavailable(exc) is None:
            raise
        # The database went away: the answer stands (a 503 already, as a rule), unaudited.
        logger.warning("CKAN action %s (%s) not audited: the state database is away", name, outcome)
    return response


async def _run_write(known: Action | None, request: Request, attempt: _Attempt) -> Any:
    if request.method == "GET":
        raise ValueError("Invalid request. Please use POST method for your request")
    found = await _token(request)
    attempt.token = found.id if isinstance(found, ApiToken) else found
    limit: int = request.app.state.max_upload_bytes
    length = declared_length(request)
    if length is not None and length > limit + TEXT_BYTES + OVERHEAD_BYTES:
        raise BodyTooLarge("the request body", limit + TEXT_BYTES + OVERHEAD_BYTES)
    if not isinstance(found, ApiToken):
        raise NotAuthorized(f"Action {attempt.action} requires a valid API token")
    if known is None:
        raise NotAuthorized("")
    with upload_folder(request.app.state.uploads_path) as folder:
        data = await request_data(request, side_effect_free=False, folder=folder, file_limit=limit)
        attempt.dataset = _dataset_of(request, data)
        data = await run_in_threadpool(_with_uploads, data)
        # The permit travels with the context into the worker thread that runs the action.
        with writing_as(found.may_publish):
            return await run_in_threadpool(run_action, known, data)


async def _token(request: Request) -> ApiToken | str:
    """The active API token the request carries; else `anonymous` or `invalid`."""
    presented = request.headers.get(request.app.state.token_header, "")
    if not presented:
        return ANONYMOUS
    tokens: TokenStore = request.app.state.tokens
    found = await run_in_threadpool(tokens.check, presented)
    return INVALID if found is None else found


def _dataset_of(request: Request, found: Any) -> str:
    """The dataset a write names (its data dict) or made (its result), by slug when known."""
    if not isinstance(found, dict):
        return ""
    named = found.get("package_id") or found.get("name") or found.get("id") or ""
    if not isinstance(named, str):
        return ""
    actions: CkanActions = request.app.state.ckan
    for slug, package in actions.index.packages().items():
        names = [r.name for r in package.resources]
        ids = [catalogue_uuid("dataset", slug)] + [
            catalogue_uuid("resource", f"{slug}/{name}") for name in names
        ]
        if named in ids:
            return slug
    return named


def _with_uploads(data: DataDict) -> DataDict:
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
