"""A request's state for its applicant, by receipt code: `/requests/{receipt}` (HTML),
`/api/v1/requests/{receipt}` (JSON), collecting the token an approval made, and withdrawing
a request while it waits.

A GET never hands out the token: a chat app's link preview (WeChat fetches every link
pasted) would use it up. The receipt page offers a button that POSTs to
`/requests/{receipt}/token`, the API a `POST /api/v1/requests/{receipt}/token`; the first
such POST gets the token (`RequestStore.reveal`), and never again. Every answer is
`no-store` and `noindex`: the receipt in the URL is a key.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from api.deps import RequestsDep, SettingsDep, StoreDep
from api.openapi import (
    REFUSED,
    TOO_LARGE,
    UNKNOWN,
    example,
    json_example,
    problem_responses,
    responses,
)
from api.routes.pages.view import View, ViewDep
from api.routes.requests.apply import RECEIPT_EXAMPLE, STATUS_EXAMPLE
from api.routes.requests.common import audit, described, when
from catalog.errors import NotFound
from catalog.settings import Settings
from catalog.state import ANONYMOUS, GROUNDS, DataRequest, RequestStore
from catalog.store import Store
from web import request_text

router = APIRouter()
MAX_RECEIPT_CHARS = 64
PRIVATE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}
Receipt = Annotated[str, Path(openapi_examples=example(RECEIPT_EXAMPLE))]


def _receipt(receipt: str) -> str:
    if len(receipt) > MAX_RECEIPT_CHARS:
        raise NotFound("no request has that receipt")
    return receipt


async def _find(store: RequestStore, receipt: str) -> DataRequest:
    return await run_in_threadpool(store.find, _receipt(receipt))


async def _reveal(store: RequestStore, receipt: str) -> tuple[DataRequest, str | None]:
    return await run_in_threadpool(store.reveal, _receipt(receipt))


@router.get(
    "/api/v1/requests/{receipt}",
    tags=["data requests"],
    summary="The state of a data request, by its receipt code",
    responses=responses(json_example(STATUS_EXAMPLE), problem_responses(*REFUSED, *UNKNOWN)),
)
async def request_status(receipt: Receipt, store: RequestsDep) -> Response:
    """State, reply deadline (and whether it has passed), the decision and its legal ground;
    after an approval, the token's id and expiry, and `waiting` while the token itself waits
    to be collected by `POST …/token` (a GET never gives it)."""
    found = await _find(store, receipt)
    return JSONResponse(found.status(datetime.now(UTC)), headers=PRIVATE)


@router.post(
    "/api/v1/requests/{receipt}/token",
    tags=["data requests"],
    summary="Collect the token of an approved data request (once)",
    responses=responses(
        json_example(STATUS_EXAMPLE), problem_responses(*REFUSED, *UNKNOWN, TOO_LARGE)
    ),
)
async def request_token(receipt: Receipt, request: Request, store: RequestsDep) -> Response:
    """The request's state with `token.value`, the token its approval made, the first time
    only; later (or before an approval) the state without it."""
    found, token = await _reveal(store, receipt)
    body = found.status(datetime.now(UTC))
    if token is not None:
        body["token"]["value"] = token
        await audit(request, "request token shown", found.dataset, f"request {found.id}",
                    ANONYMOUS)  # fmt: skip
    return JSONResponse(body, headers=PRIVATE)


@router.get("/requests/{receipt}", response_class=HTMLResponse, include_in_schema=False)
async def request_page(
    receipt: str, view: ViewDep, store: RequestsDep, content: StoreDep, settings: SettingsDep,
    new: str = "",
) -> Response:  # fmt: skip
    try:
        found = await _find(store, receipt)
    except NotFound:
        return _unknown(view, settings)
    return await _render(view, content, settings, found, receipt, None, new=new == "1")


@router.post("/requests/{receipt}/token", response_class=HTMLResponse, include_in_schema=False)
async def request_page_token(
    receipt: str, request: Request, view: ViewDep, store: RequestsDep, content: StoreDep,
    settings: SettingsDep,
) -> Response:  # fmt: skip
    try:
        found, token = await _reveal(store, receipt)
    except NotFound:
        return _unknown(view, settings)
    if token is not None:
        await audit(request, "request token shown", found.dataset, f"request {found.id}",
                    ANONYMOUS)  # fmt: skip
    return await _render(view, content, settings, found, receipt, token)


def _unknown(view: View, settings: Settings) -> Response:
    """404 for a receipt nobody holds: what to check, and whom to ask when it is lost."""
    response = view.render("request_404.html", status=404, r=request_text(view.lang),
                           contact=settings.request_contact)  # fmt: skip
    response.headers.update(PRIVATE)
    return response


async def _render(
    view: View, content: Store, settings: Settings, found: DataRequest, receipt: str,
    token: str | None, *, new: bool = False,
) -> Response:  # fmt: skip
    about = await run_in_threadpool(described, content, found.dataset, settings)
    response = view.render(
        "request.html",
        r=request_text(view.lang),
        q=found,
        receipt=quote(receipt),
        token=token,
        overdue=found.overdue(datetime.now(UTC)),
        ground=GROUNDS.get(found.denial_ground or ""),
        new=new,
        about=about,
        when=when(view.lang),
    )
    response.headers.update(PRIVATE)
    return response


@router.post("/requests/{receipt}/withdraw", include_in_schema=False)
async def withdraw(receipt: str, request: Request, store: RequestsDep) -> Response:
    found = await run_in_threadpool(store.withdraw, _receipt(receipt))
    await audit(request, "request withdraw", found.dataset, f"request {found.id}", ANONYMOUS)
    return RedirectResponse(f"/requests/{quote(receipt)}", status_code=303)
