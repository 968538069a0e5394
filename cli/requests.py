"""`opendata requests …`: data requests (依申请) from the command line."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from catalog.errors import OpenDataError
from catalog.state import (
    CHINA,
    GROUNDS,
    STATES,
    DataRequest,
    RequestStore,
    cli_token,
    parse_duration,
    same_contact,
)
from cli.common import errors, fail, record, say, settings_of, state_of

requests_app = typer.Typer(
    help=(
        "Data requests: list, show, approve (issues a read token), deny (a legal ground),"
        " extend (the deadline, once), reissue (a lost token)."
    ),
    no_args_is_help=True,
)
Receipt = Annotated[str, typer.Argument(help="The request's id (12 hex digits) or receipt code.")]


def _store(ctx: typer.Context) -> RequestStore:
    days = settings_of(ctx).request_reply_working_days
    return RequestStore(state_of(ctx).database, reply_days=days)


def beijing(stamp: str | None) -> str:
    """A stored UTC time in Beijing time, as the deadline is counted: `2026-12-22 23:59:59+08`."""
    if not stamp:
        return ""
    moment = datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(CHINA)
    return moment.strftime("%Y-%m-%d %H:%M:%S+08")


def _line(found: DataRequest, now: datetime) -> str:
    late = "  OVERDUE" if found.overdue(now) else ""
    return (
        f"{found.id}  {found.dataset}  {found.state}{late}  received {beijing(found.received_at)}"
        f"  due {beijing(found.due_at)}  {found.name}  {found.email or found.phone}"
    )


@requests_app.command("list")
def requests_list(
    ctx: typer.Context,
    state: Annotated[
        str | None, typer.Option(help=f"Only this state: {', '.join(STATES)}.")
    ] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only undecided past due.")] = False,
) -> None:
    """List requests, overdue ones first, then by when they came."""
    if state is not None and state not in STATES:
        errors.print(f"error: --state is one of {', '.join(STATES)}", markup=False)
        raise typer.Exit(code=2)
    now = datetime.now(UTC)
    found = _store(ctx).all(state, overdue=overdue)
    for one in found:
        say(_line(one, now))
    if not found:
        say("no requests", error=True)


@requests_app.command("show")
def requests_show(ctx: typer.Context, receipt: Receipt) -> None:
    """Everything about one request."""
    store = _store(ctx)
    try:
        found = store.lookup(receipt)
    except OpenDataError as exc:
        raise fail(exc) from exc
    same = same_contact(store.all()).get(found.id, [])
    say(_line(found, datetime.now(UTC)))
    for label, value in (
        ("organization", found.organization), ("email", found.email), ("phone", found.phone),
        ("fields", " ".join(found.fields)),
        ("period", f"{found.period_start} – {found.period_end}"), ("purpose", found.purpose),
        ("same contact as", " ".join(same)),
        ("extended", f"{beijing(found.extended_at)} by {found.extended_days} working days:"
         f" {found.extension_note}" if found.extended_at else ""),
        ("decided", beijing(found.decided_at)), ("reviewer", found.reviewer or ""),
        ("ground", found.denial_ground or ""), ("note", found.denial_note or ""),
        ("token", f"{found.token_id} expires {beijing(found.token_expires) or 'never'}"
         if found.token_id else ""),
    ):  # fmt: skip
        if value:
            say(f"  {label}: {value}")


@requests_app.command("approve")
def requests_approve(
    ctx: typer.Context,
    receipt: Receipt,
    expires: Annotated[str | None, typer.Option(help="Token lifetime, e.g. 90d or 1y.")] = None,
) -> None:
    """Approve: a token reading this dataset only is made and printed once here; the
    applicant collects it once on the receipt page."""
    state = state_of(ctx)
    try:
        lifetime = parse_duration(expires or f"{settings_of(ctx).request_grant_days}d")
        found = _store(ctx).lookup(receipt)
        done, token = _store(ctx).approve(found.id, cli_token(), state.tokens, lifetime)
    except (OpenDataError, ValueError) as exc:
        record(ctx, "request approve", "refused", str(exc))
        raise fail(exc) from exc
    record(ctx, "request approve", "ok", f"request {done.id}", dataset=done.dataset)
    grant = f"token {done.token_id} scopes read-dataset:{done.dataset} expires {done.token_expires}"
    record(ctx, "token create", "ok", f"{grant} for request {done.id}", dataset=done.dataset)
    _shown(f"request {done.id} approved", done, token)


def _shown(what: str, done: DataRequest, token: str) -> None:
    expires = beijing(done.token_expires) or "never"
    errors.print(
        f"{what}; token {done.token_id} (expires {expires}), shown only now:",
        highlight=False,
        markup=False,
    )
    print(token)


@requests_app.command("reissue")
def requests_reissue(ctx: typer.Context, receipt: Receipt) -> None:
    """Issue an approved request's lost token again: the old one is revoked, a new one of
    the same scope and expiry printed once here and shown once on the receipt page."""
    state = state_of(ctx)
    try:
        found = _store(ctx).lookup(receipt)
        old = found.token_id
        done, token = _store(ctx).reissue(found.id, state.tokens)
    except (OpenDataError, ValueError) as exc:
        record(ctx, "request reissue", "refused", str(exc))
        raise fail(exc) from exc
    detail = f"request {done.id} token {old} revoked, token {done.token_id} made"
    record(ctx, "request reissue", "ok", f"{detail} expires {done.token_expires}",
           dataset=done.dataset)  # fmt: skip
    _shown(f"request {done.id}: token issued again", done, token)


@requests_app.command("extend")
def requests_extend(
    ctx: typer.Context,
    receipt: Receipt,
    days: Annotated[int, typer.Option(help="Working days added to the deadline (1 to 15).")],
    reason: Annotated[str, typer.Option(help="Why (the applicant reads it on the receipt).")],
) -> None:
    """Extend the reply deadline once (the regulation: at most 15 working days, with the
    head's consent and notice to the applicant, who sees the new deadline and the reason)."""
    try:
        found = _store(ctx).lookup(receipt)
        done = _store(ctx).extend(found.id, days, reason)
    except (OpenDataError, ValueError) as exc:
        record(ctx, "request extend", "refused", str(exc))
        raise fail(exc) from exc
    detail = f"request {done.id} by {days} working days to {done.due_at}"
    record(ctx, "request extend", "ok", detail, dataset=done.dataset)
    say(f"request {done.id}: now due {beijing(done.due_at)} (extended by {days} working days)")


@requests_app.command("deny")
def requests_deny(
    ctx: typer.Context,
    receipt: Receipt,
    reason: Annotated[str, typer.Option(help=f"The legal ground: {', '.join(GROUNDS)}.")],
    note: Annotated[str, typer.Option(help="A note for the applicant.")] = "",
) -> None:
    """Deny on a legal ground (docs/requests.md lists them), with an optional note."""
    try:
        found = _store(ctx).lookup(receipt)
        done = _store(ctx).deny(found.id, cli_token(), reason, note)
    except (OpenDataError, ValueError) as exc:
        record(ctx, "request deny", "refused", str(exc))
        raise fail(exc) from exc
    record(ctx, "request deny", "ok", f"request {done.id} ground {reason}", dataset=done.dataset)
    say(f"request {done.id} denied: {GROUNDS[reason].en} ({GROUNDS[reason].basis})")
