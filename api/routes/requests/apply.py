"""Applying for a dataset's data: `POST /api/v1/datasets/{slug}/requests` (JSON) and the web
form `/dataset/{slug}/apply`, both through `common.file_request`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from api.deps import SettingsDep, StoreDep
from api.errors import problem_response
from api.openapi import (
    REFUSED,
    TOO_LARGE,
    UNKNOWN,
    Slug,
    json_example,
    problem_responses,
    responses,
)
from api.routes.pages.view import View, ViewDep, not_found
from api.routes.requests.common import (
    UnsupportedMediaType,
    bounded_body,
    conditional_package,
    conditions,
    contact_of,
    file_request,
    form_fields,
    json_fields,
    tables_of,
)
from catalog.errors import Conflict, NotFound
from catalog.state import KNOWN_FIELDS, InvalidApplication
from catalog.store import Package
from web import fault_words, request_text

router = APIRouter()
NO_STORE = {"Cache-Control": "no-store"}
APPLICATION_EXAMPLE = {
    "name": "李研究",
    "organization": "贵州大学",
    "email": "li@example.edu.cn",
    "phone": "",
    "purpose": "研究贵州省各市州社会保险参保情况的变化，用于学术论文。",
    "fields": ["region_code", "year", "value"],
    "period_start": "2015",
    "period_end": "2020",
    "agree": True,
}

RECEIPT_EXAMPLE = "P752fiOXXSPuLSv81wcfrk3NJ0E1mGSY"
STATUS_EXAMPLE = {
    "id": "e8ae0ef9c503",
    "dataset": "minimum-wage-standards",
    "state": "received",
    "received_at": "2026-12-01T07:34:41.589625Z",
    "due_at": "2026-12-22T15:59:59Z",
    "overdue": False,
    "extension": None,
    "decided_at": None,
    "fields": ["region_code", "year", "value"],
    "period": {"start": "2015", "end": "2020"},
    "denial": None,
    "token": None,
}
FILED_EXAMPLE = {
    "receipt": RECEIPT_EXAMPLE,
    "status_url": f"http://127.0.0.1:8000/api/v1/requests/{RECEIPT_EXAMPLE}",
    "page": f"http://127.0.0.1:8000/requests/{RECEIPT_EXAMPLE}",
    "request": STATUS_EXAMPLE,
}


@router.post(
    "/api/v1/datasets/{slug}/requests",
    tags=["data requests"],
    status_code=201,
    summary="Apply for the data of a conditional dataset (有条件开放)",
    responses=responses(
        json_example(FILED_EXAMPLE, 201), problem_responses(*REFUSED, *UNKNOWN, 409, TOO_LARGE, 415)
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"example": APPLICATION_EXAMPLE}},
        }
    },
)
async def apply(slug: Slug, request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    """File a data request. The answer holds the receipt code, the applicant's only key to
    the request (shown this once), and the URL of its status."""
    body = await bounded_body(request, settings.request_max_body_bytes)
    media = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media != "application/json":
        raise UnsupportedMediaType("send the application as application/json")
    package = await run_in_threadpool(conditional_package, store, slug)
    try:
        filed, receipt = await file_request(request, package, json_fields(body))
    except InvalidApplication as exc:
        return invalid(request, exc)
    status_url = f"{settings.base_url}/api/v1/requests/{receipt}"
    answer = {
        "receipt": receipt,
        "status_url": status_url,
        "page": f"{settings.base_url}/requests/{receipt}",
        "request": filed.status(datetime.now(UTC)),
    }
    return JSONResponse(answer, status_code=201, headers={"Location": status_url, **NO_STORE})


def invalid(request: Request, exc: InvalidApplication) -> JSONResponse:
    """400 listing each field at fault."""
    return problem_response(
        request,
        status=exc.status,
        slug=exc.slug,
        title=exc.title,
        detail=str(exc),
        errors=[{"parameter": key, "message": text} for key, text in exc.errors.items()],
    )


@router.get("/dataset/{slug}/apply", response_class=HTMLResponse, include_in_schema=False)
def apply_form(slug: str, view: ViewDep, store: StoreDep) -> Response:
    try:
        package = conditional_package(store, slug)
    except NotFound:
        return not_found(view)
    except Conflict:  # open to all: nothing to apply for, the data are on its page
        return RedirectResponse(f"/dataset/{quote(slug)}", status_code=303)
    return form(view, package, {}, {})


@router.post("/dataset/{slug}/apply", response_class=HTMLResponse, include_in_schema=False)
async def apply_posted(
    slug: str, request: Request, view: ViewDep, store: StoreDep, settings: SettingsDep
) -> Response:
    body = await bounded_body(request, settings.request_max_body_bytes)
    package = await run_in_threadpool(conditional_package, store, slug)
    raw = form_fields(body)
    try:
        _, receipt = await file_request(request, package, raw)
    except InvalidApplication as exc:
        worded = {
            key: fault_words(fault.code, dict(fault.figures), view.lang)
            for key, fault in exc.faults.items()
        }
        return form(view, package, raw, worded, status=400)
    english = "&lang=en" if view.lang == "en" else ""
    return RedirectResponse(f"/requests/{quote(receipt)}?new=1{english}", status_code=303)


def form(
    view: View,
    package: Package,
    raw: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
) -> HTMLResponse:
    """The application form, with what was sent and each fault beside its field."""
    zh, en = conditions(package)
    values = {key: value for key, value in raw.items() if isinstance(value, str)}
    response = view.render(
        "apply.html",
        status=status,
        r=request_text(view.lang),
        d=package,
        conditions=view.pick(zh, en),
        tables=tables_of(package),
        contact=contact_of(package, view.settings),
        chosen=set(raw.get("fields", [])),
        values=values,
        errors=errors,
        known=KNOWN_FIELDS,
    )
    response.headers["Cache-Control"] = "no-store"
    return response
