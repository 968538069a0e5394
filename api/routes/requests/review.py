"""The review page `/review`: a reviewer logs in with a token holding `review-requests` (or
`admin`), sees the open requests (overdue ones first; another request from the same contact
marked) and the decided ones (when, by whom, on what ground, which token), and approves
(the token shown to the reviewer once) or denies (a ground chosen, a note written).

The session is a row of the state database (`ReviewSessions`); its cookie is HttpOnly,
SameSite=Strict, Secure when the site is served over HTTPS, and scoped to /review. Every form
of a session carries its CSRF secret, compared in constant time; a form posted from another
origin (`Origin` present and not ours) is refused as well. Every step is in the audit log.
"""

from __future__ import annotations

import hmac
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from api.deps import RequestsDep, SessionsDep, SettingsDep
from api.routes.pages.view import View, ViewDep
from api.routes.requests.common import (
    audit,
    bounded_body,
    described,
    form_fields,
    when,
)
from catalog.errors import NotAuthorized
from catalog.settings import Settings
from catalog.state import (
    GROUNDS,
    INVALID,
    RequestStore,
    ReviewSession,
    ReviewSessions,
    TokenStore,
    same_contact,
)
from catalog.store import Store
from web import request_text

router = APIRouter(include_in_schema=False)
COOKIE = "opendata_review"
MAX_FORM_BYTES = 8192


def _session_of(request: Request, sessions: ReviewSessions) -> ReviewSession | None:
    return sessions.check(request.cookies.get(COOKIE, ""))


def _page(view: View, settings: Settings, session: ReviewSession | None, **extra: Any) -> Response:
    response = view.render(
        "review.html",
        status=extra.pop("status", 200),
        r=request_text(view.lang),
        session=session,
        grounds=list(GROUNDS.values()),
        grounds_by_code=GROUNDS,
        grant_days=settings.request_grant_days,
        when=when(view.lang),
        **extra,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _listing(store: RequestStore, content: Store, settings: Settings) -> dict[str, Any]:
    """The requests of the page: open ones (overdue first, then oldest), decided ones (the
    latest decision first), the others from each one's contact, what each dataset is."""
    now = datetime.now(UTC)
    found = store.all()
    waiting = [(q, q.overdue(now)) for q in found if q.state == "received"]
    decided = sorted((q for q in found if q.state != "received"),
                     key=lambda q: q.decided_at or "", reverse=True)  # fmt: skip
    slugs = dict.fromkeys(q.dataset for q in found)
    return {
        "items": waiting,
        "decided": decided,
        "same": same_contact(found),
        "abouts": {slug: described(content, slug, settings) for slug in slugs},
    }


async def _review_page(
    request: Request, view: View, settings: Settings, session: ReviewSession, **extra: Any
) -> Response:
    store: RequestStore = request.app.state.requests
    content: Store = request.app.state.store
    listing = await run_in_threadpool(_listing, store, content, settings)
    return _page(view, settings, session, **listing, **extra)


@router.get("/review", response_class=HTMLResponse)
async def review(
    request: Request, view: ViewDep, settings: SettingsDep, sessions: SessionsDep
) -> Response:
    session = await run_in_threadpool(_session_of, request, sessions)
    if session is None:
        return _page(view, settings, None)
    return await _review_page(request, view, settings, session)


@router.post("/review/login", response_class=HTMLResponse)
async def login(
    request: Request, view: ViewDep, settings: SettingsDep, sessions: SessionsDep
) -> Response:
    _same_origin(request, settings)
    form = form_fields(await bounded_body(request, MAX_FORM_BYTES))
    tokens: TokenStore = request.app.state.tokens
    # Its use is noted only once it is let in: a refused login is no use of the token.
    token = await run_in_threadpool(tokens.check, str(form.get("token", "")), note_use=False)
    if token is None or not token.may_review():
        who = INVALID if token is None else token.id
        await audit(request, "review login", "", "not a reviewer's token", who, refused=True)
        return _page(view, settings, None, refused=True, status=403)
    await run_in_threadpool(tokens.note_use, token.id)
    value = await run_in_threadpool(sessions.start, token)
    await audit(request, "review login", "", "session started", token.id)
    response = RedirectResponse("/review", status_code=303)
    response.set_cookie(
        COOKIE, value, httponly=True, samesite="strict", path="/review",
        secure=settings.base_url.startswith("https://"),
    )  # fmt: skip
    return response


@router.post("/review/logout")
async def logout(request: Request, settings: SettingsDep, sessions: SessionsDep) -> Response:
    session, _ = await _checked(request, settings, sessions)
    await run_in_threadpool(sessions.end, request.cookies.get(COOKIE, ""))
    await audit(request, "review logout", "", "session ended", session.token.id)
    response = RedirectResponse("/review", status_code=303)
    response.delete_cookie(COOKIE, path="/review")
    return response


@router.post("/review/{ident}/approve", response_class=HTMLResponse)
async def approve(
    ident: str, request: Request, view: ViewDep, settings: SettingsDep, sessions: SessionsDep,
    store: RequestsDep,
) -> Response:  # fmt: skip
    """Approve; the page shows the reviewer the token once, as `opendata requests approve`
    prints it (the applicant collects it once on the receipt page)."""
    session, form = await _checked(request, settings, sessions)
    days = str(form.get("days", "")).strip() or str(settings.request_grant_days)
    if not days.isdigit() or not 1 <= int(days) <= 3650:
        return await _review_page(request, view, settings, session, problem="days_refused",
                                  status=400)  # fmt: skip
    tokens: TokenStore = request.app.state.tokens
    done, token = await run_in_threadpool(
        store.approve, ident, session.token.id, tokens, timedelta(days=int(days))
    )
    await approved(request, done.dataset, done.id, done.token_id, done.token_expires, session)
    return await _review_page(request, view, settings, session, issued=(done.id, token))


async def approved(
    request: Request, dataset: str, ident: str, token_id: str | None, expires: str | None,
    session: ReviewSession,
) -> None:  # fmt: skip
    """The audit of an approval: the decision, then the grant of its token."""
    who = session.token.id
    await audit(request, "request approve", dataset, f"request {ident}", who)
    grant = f"token {token_id} scopes read-dataset:{dataset} expires {expires} for request {ident}"
    await audit(request, "token create", dataset, grant, who)


@router.post("/review/{ident}/deny", response_class=HTMLResponse)
async def deny(
    ident: str, request: Request, view: ViewDep, settings: SettingsDep, sessions: SessionsDep,
    store: RequestsDep,
) -> Response:  # fmt: skip
    """Deny on a ground the reviewer chose (none is chosen beforehand) with a note the
    applicant reads: a denial is never one stray click."""
    session, form = await _checked(request, settings, sessions)
    code, note = str(form.get("ground", "")), str(form.get("note", "")).strip()
    if code not in GROUNDS or not note:
        return await _review_page(request, view, settings, session, problem="deny_refused",
                                  status=400)  # fmt: skip
    try:
        done = await run_in_threadpool(store.deny, ident, session.token.id, code, note)
    except ValueError:  # a note too long or holding control characters
        return await _review_page(request, view, settings, session, problem="deny_refused",
                                  status=400)  # fmt: skip
    await audit(request, "request deny", done.dataset, f"request {ident} ground {code}",
                session.token.id)  # fmt: skip
    return RedirectResponse("/review", status_code=303)


@router.post("/review/{ident}/extend", response_class=HTMLResponse)
async def extend(
    ident: str, request: Request, view: ViewDep, settings: SettingsDep, sessions: SessionsDep,
    store: RequestsDep,
) -> Response:  # fmt: skip
    """Extend the reply deadline once (`RequestStore.extend`), with the reason the applicant
    reads; a fault comes back as the page naming it."""
    session, form = await _checked(request, settings, sessions)
    days, reason = str(form.get("days", "")).strip(), str(form.get("reason", ""))
    try:
        done = await run_in_threadpool(
            store.extend, ident, int(days) if days.isdigit() else 0, reason
        )
    except ValueError:
        return await _review_page(request, view, settings, session, problem="extend_refused",
                                  status=400)  # fmt: skip
    detail = f"request {ident} by {days} working days to {done.due_at}"
    await audit(request, "request extend", done.dataset, detail, session.token.id)
    return RedirectResponse("/review", status_code=303)


async def _checked(
    request: Request, settings: Settings, sessions: ReviewSessions
) -> tuple[ReviewSession, dict[str, Any]]:
    """The session of a review form and its fields; 403 without a live session or with a
    CSRF secret that is not the session's."""
    _same_origin(request, settings)
    form = form_fields(await bounded_body(request, MAX_FORM_BYTES))
    session = await run_in_threadpool(_session_of, request, sessions)
    sent = str(form.get("csrf", ""))
    if session is None or not hmac.compare_digest(sent.encode(), session.csrf.encode()):
        who = INVALID if session is None else session.token.id
        await audit(request, "review form", "", "no session or a wrong CSRF secret", who,
                    refused=True)  # fmt: skip
        raise NotAuthorized("log in at /review, and send the review page's own form")
    return session, form


def _same_origin(request: Request, settings: Settings) -> None:
    origin = request.headers.get("origin")
    if origin is None:  # not a browser's cross-site form: browsers send Origin with POST
        return
    ours = {settings.base_url.rstrip("/"), f"{request.url.scheme}://{request.url.netloc}"}
    if origin not in ours:
        raise NotAuthorized("a review form is posted from this site's own pages only")
