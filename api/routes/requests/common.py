"""What the request routes share: the stores, the bounded body, the dataset applied for, and
filing itself (one path for the JSON API and the web form)."""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from fastapi import FastAPI, Request
from starlette.concurrency import run_in_threadpool

from api.perimeter import request_client
from api.routes.ckan import bounded_json
from api.uploads import BodyTooLarge, read_body
from catalog.errors import BadRequest, Conflict, NotFound, OpenDataError, PayloadTooLarge
from catalog.settings import Settings
from catalog.state import (
    ANONYMOUS,
    Application,
    AuditLog,
    DataRequest,
    Limits,
    RequestStore,
    ReviewSessions,
    read_application,
)
from catalog.store import Package, Store
from web import beijing_time

# Form fields of one request: a few texts and one checkbox per dataset field.
MAX_FORM_FIELDS = 600
DEFAULT_CONDITIONS_ZH = (
    "申请获得的数据仅用于申请所述用途，不得擅自转让，不得改变用途或者使用范围"
    "（《贵州省政府数据共享开放条例》）；使用时注明数据来源。"
)
DEFAULT_CONDITIONS_EN = (
    "The data are for the purpose stated in the request only: they may not be passed on, nor"
    " used for another purpose or beyond the stated scope (Guizhou regulation on government"
    " data sharing and opening); cite the source when using them."
)


class UnsupportedMediaType(BadRequest):
    status = 415
    slug = "unsupported-media-type"
    title = "Unsupported Media Type"


def install_requests(app: FastAPI, settings: Settings) -> None:
    """The request stores over the state database `api.routes.ckan` opened."""
    database = app.state.private.database
    app.state.requests = RequestStore(database, reply_days=settings.request_reply_working_days)
    app.state.review_sessions = ReviewSessions(database)


async def bounded_body(request: Request, limit: int) -> bytes:
    """The body, at most `limit` bytes (`api.uploads.read_body`), its refusal a 413 problem."""
    try:
        return await read_body(request, limit)
    except BodyTooLarge as exc:
        raise PayloadTooLarge(str(exc)) from None


def json_fields(body: bytes) -> dict[str, Any]:
    """A JSON object's members; 400 when the body is not one."""
    try:  # bounded as the CKAN endpoint's: deep nesting is a 400, never a RecursionError
        found = bounded_json(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadRequest(f"the body is not JSON in UTF-8: {str(exc)[:120]}") from None
    if not isinstance(found, dict):
        raise BadRequest("the body must be a JSON object of the application's fields")
    return found


def form_fields(body: bytes) -> dict[str, Any]:
    """The web form as the JSON API takes it: `fields` a list, `agree` true when ticked."""
    try:
        pairs = parse_qsl(
            body.decode("utf-8"), keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS
        )
    except (UnicodeDecodeError, ValueError):
        raise BadRequest("the form is not URL-encoded UTF-8, or has too many fields") from None
    raw: dict[str, Any] = {"fields": [], "agree": False}
    for key, value in pairs:
        if key == "fields":
            raw["fields"].append(value)
        elif key == "agree":
            raw["agree"] = value == "yes"
        else:
            raw.setdefault(key, value)
    return raw


def conditional_package(store: Store, slug: str) -> Package:
    """The current version of a dataset one may apply for: 404 when there is none, 409 when
    its data is open to all (无条件开放: nothing to apply for)."""
    version = store.current(slug) if len(slug) <= 200 else None
    if version is None:
        raise NotFound(f"no dataset {slug[:200]!r} is published")
    package = store.package(slug)
    if package.access_level != "conditional":
        raise Conflict(
            f"the data of dataset {slug!r} are open to all (无条件开放): download them from"
            f" /dataset/{slug}; nothing needs to be applied for"
        )
    return package


def dataset_fields(package: Package) -> list[str]:
    """The names of the dataset's fields, every table's, each once, in order."""
    names = (
        field.name
        for resource in package.resources
        if resource.table_schema is not None
        for field in resource.table_schema.fields
    )
    return list(dict.fromkeys(names))


@dataclass(frozen=True)
class Column:
    """A field as the request pages list it: its name and its titles (the data dictionary)."""

    name: str
    title: str
    title_en: str


@dataclass(frozen=True)
class Table:
    """One table of a dataset and its fields, for the pages' field lists grouped by table."""

    name: str
    title: str
    title_en: str
    columns: tuple[Column, ...]


@dataclass(frozen=True)
class About:
    """What the request pages show of the dataset applied for: its titles, its tables, and
    whom to ask (the descriptor's `contact`, else `request_contact`)."""

    slug: str
    title: str = ""
    title_en: str = ""
    contact: str = ""
    tables: tuple[Table, ...] = ()


def tables_of(package: Package) -> tuple[Table, ...]:
    """The dataset's tables with their fields, in order."""
    found = []
    for resource in package.resources:
        if resource.table_schema is None:
            continue
        columns = tuple(
            Column(f.name, f.title or "", f.title_en or "") for f in resource.table_schema.fields
        )
        title = resource.title or resource.name
        found.append(Table(resource.name, title, resource.title_en or "", columns))
    return tuple(found)


def described(store: Store, slug: str, settings: Settings) -> About:
    """`About` a dataset; only its slug and the platform's contact when it is gone."""
    try:
        package = store.package(slug) if store.current(slug) is not None else None
    except OpenDataError:  # withdrawn meanwhile: the request stays
        package = None
    if package is None:
        return About(slug, contact=settings.request_contact)
    return About(
        slug, package.title or slug, package.title_en or "",
        contact_of(package, settings), tables_of(package),
    )  # fmt: skip


def contact_of(package: Package, settings: Settings) -> str:
    """Whom an applicant asks: the descriptor's `contact`, else `request_contact`."""
    named = package.contact
    contact = " ".join(p for p in (named.name, named.email) if p) if named else ""
    return contact or settings.request_contact


def when(lang: str) -> Callable[[str | None], str]:
    """The pages' way of showing a stored UTC time: in Beijing time, named so."""
    return functools.partial(beijing_time, lang=lang)


def conditions(package: Package) -> tuple[str, str]:
    """The conditions of 有条件开放 (zh, en): the descriptor's (`access_conditions`, `_en`,
    else the register's `open_conditions`), else the regulation's."""
    declared = package.conditions("zh").strip()
    if declared:
        return declared, package.conditions("en").strip()
    return DEFAULT_CONDITIONS_ZH, DEFAULT_CONDITIONS_EN


async def file_request(
    request: Request, package: Package, raw: dict[str, Any]
) -> tuple[DataRequest, str]:
    """Check and file an application for `package`; audited as `request received`."""
    application: Application = read_application(raw, dataset_fields(package))
    settings: Settings = request.app.state.settings
    limits = Limits(settings.request_max_per_client_per_day, settings.request_max_per_day)
    store: RequestStore = request.app.state.requests
    client = filing_client(request_client(request))
    filed, receipt = await run_in_threadpool(store.file, package.name, application, client, limits)
    await audit(request, "request received", package.name, f"request {filed.id}", ANONYMOUS)
    return filed, receipt


def filing_client(client: str) -> str:
    """Who files, for the daily limit per client: an IPv6 client by its /56, as a home or an
    office is given a /56 or more (one holder of a /56 has 256 /64s to file from)."""
    try:
        network = ipaddress.ip_network(client, strict=False)
    except ValueError:
        return client
    return str(network.supernet(new_prefix=56)) if network.version == 6 else client


async def audit(
    request: Request, action: str, dataset: str, detail: str, who: str, *, refused: bool = False
) -> None:
    """One review step in the audit log; refusals (a login or form anyone may send again)
    tallied per hour, so that no client grows the log without bound."""
    log: AuditLog = request.app.state.audit
    client = request_client(request)
    if refused:
        await run_in_threadpool(
            log.refusal, token=who, action=action, dataset=dataset, detail=detail, client=client
        )
        return
    await run_in_threadpool(
        log.record, token=who, action=action, outcome="ok", dataset=dataset, detail=detail,
        client=client,
    )  # fmt: skip
