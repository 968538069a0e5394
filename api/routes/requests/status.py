"""A request's state for its applicant, by receipt code: `/requests/{receipt}` (HTML),
`/api/v1/requests/{receipt}` (JSON), and withdrawing it while it waits.

The token an approval made is in the first answer after the approval, of either, and never
again (`RequestStore.reveal`); a HEAD does not take it. Every answer is `no-store` and
`noindex`: the receipt in the URL is a key.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from api.caching import HEAD
from api.openapi import REFUSED, UNKNOWN, example, json_example, problem_responses, responses
from api.routes.pages.view import ViewDep, not_found
from api.routes.requests.apply import RECEIPT_EXAMPLE, STATUS_EXAMPLE
from api.routes.requests.common import RequestsDep, audit
from catalog.errors import NotFound
from catalog.state import ANONYMOUS, GROUNDS, DataRequest, RequestStore
from web import request_text

router = APIRouter()
MAX_RECEIPT_CHARS = 64
PRIVATE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}
Receipt = Annotated[str, Path(openapi_examples=example(RECEIPT_EXAMPLE))]


async def _reveal(
    request: Request, store: RequestStore, receipt: str
) -> tuple[DataRequest, str | None]:
    if len(receipt) > MAX_RECEIPT_CHARS:
        raise NotFound("no request has that receipt")
    if request.scope.get(HEAD):
        return await run_in_threadpool(store.find, receipt), None
    return await run_in_threadpool(store.reveal, receipt)


@router.get(
    "/api/v1/requests/{receipt}",
    tags=["data requests"],
    summary="The state of a data request, by its receipt code",
    responses=responses(json_example(STATUS_EXAMPLE), problem_responses(*REFUSED, *UNKNOWN)),
)
async def request_status(receipt: Receipt, request: Request, store: RequestsDep) -> Response:
    """State, reply deadline (and whether it has passed), the decision and its legal ground;
    after an approval, the token's id and expiry, and the token itself the first time."""
    found, token = await _reveal(request, store, receipt)
    body = found.status(datetime.now(UTC))
    if token is not None:
        body["token"]["value"] = token
    return JSONResponse(body, headers=PRIVATE)


@router.get("/requests/{receipt}", response_class=HTMLResponse, include_in_schema=False)
async def request_page(
    receipt: str, request: Request, view: ViewDep, store: RequestsDep, new: str = ""
) -> Response:
    try:
        found, token = await _reveal(request, store, receipt)
    except NotFound:
        return not_found(view)
    response = view.render(
        "request.html",
        r=request_text(view.lang),
        q=found,
        receipt=quote(receipt),
        token=token,
        overdue=found.overdue(datetime.now(UTC)),
        ground=GROUNDS.get(found.denial_ground or ""),
        new=new == "1",
    )
    response.headers.update(PRIVATE)
    return response


@router.post("/requests/{receipt}/withdraw", include_in_schema=False)
async def withdraw(receipt: str, request: Request, store: RequestsDep) -> Response:
    if len(receipt) > MAX_RECEIPT_CHARS:
        raise NotFound("no request has that receipt")
    found = await run_in_threadpool(store.withdraw, receipt)
    await audit(request, "request withdraw", found.dataset, f"request {found.id}", ANONYMOUS)
    return RedirectResponse(f"/requests/{quote(receipt)}", status_code=303)
