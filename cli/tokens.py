"""`token create|list|revoke`: API tokens with scopes, in the state database."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from catalog.errors import OpenDataError
from catalog.state import SCOPE_HELP, ApiToken, parse_duration
from catalog.store import open_store
from cli.common import console, errors, fail, record, say, settings_of, state_of

token_app = typer.Typer(
    help="API tokens: who may write, read or review what.", no_args_is_help=True
)


@token_app.command("create")
def token_create(
    ctx: typer.Context,
    name: Annotated[str, typer.Option("--name", help="Who or what the token is for.")],
    scope: Annotated[
        list[str],
        typer.Option("--scope", help=f"What it may do (repeat for more): {SCOPE_HELP}."),
    ],
    expires: Annotated[
        str | None,
        typer.Option(help="Lifetime, e.g. 12h, 30d, 8w or 1y (at most 10 years); none: no end."),
    ] = None,
) -> None:
    """Make an API token; it is printed once and only its hash is kept."""
    try:
        lifetime = parse_duration(expires) if expires is not None else None
        made, token = state_of(ctx).tokens.create(name, scope, lifetime)
    except ValueError as exc:  # a ScopeError too: the message says what is expected
        record(ctx, "token create", "refused", str(exc))
        errors.print(f"[red]error:[/red] {exc}", markup=True, highlight=False)
        raise typer.Exit(code=1) from exc
    errors.print(f"token {made.id} ({made.name}) made; it is shown only now:", highlight=False)
    print(token)
    record(ctx, "token create", "ok", _granted(made))
    for warning in _unknown_targets(ctx, made):
        say(f"warning: {warning}", error=True)


def _unknown_targets(ctx: typer.Context, token: ApiToken) -> list[str]:
    """What the token names that the store does not hold (yet: allowed, it may come)."""
    settings = settings_of(ctx)
    store = open_store(settings.store, s3=settings.s3_options)
    slugs = store.slugs()
    organizations = set()
    for slug in slugs:
        if store.current(slug) is not None:
            named = store.package(slug).organization
            organizations.add(named.name if named else "")
    found = []
    for scope in token.scopes:
        if scope.kind == "read-dataset" and store.current(scope.target) is None:
            found.append(f"no dataset {scope.target!r} is published (yet)")
        elif scope.kind == "publish" and scope.target not in organizations:
            found.append(f"no published dataset belongs to organization {scope.target!r} (yet)")
    return found


@token_app.command("list")
def token_list(ctx: typer.Context) -> None:
    """List the tokens: id, name, scopes, created, expires, last used, state."""
    now = datetime.now(UTC)
    for token in state_of(ctx).tokens.all():
        state = token.state(now)
        when = {"revoked": f" {token.revoked}", "expired": f" {token.expires}"}.get(state, "")
        console.print(
            f"{token.id}  {token.name}  {' '.join(map(str, token.scopes))}"
            f"  created {token.created}  expires {token.expires or 'never'}"
            f"  {token.last_used or 'never used'}  {state}{when}",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )


@token_app.command("revoke")
def token_revoke(
    ctx: typer.Context,
    name_or_id: Annotated[str, typer.Argument(help="The token's id or name.")],
) -> None:
    """Revoke a token (every unrevoked token of that name): it is refused from now on."""
    try:
        revoked = state_of(ctx).tokens.revoke(name_or_id)
    except OpenDataError as exc:
        record(ctx, "token revoke", "refused", f"{exc.ckan_type}: {exc}")
        raise fail(exc) from exc
    for token in revoked:
        console.print(f"revoked {token.id} ({token.name})", highlight=False, markup=False)
    record(ctx, "token revoke", "ok", ", ".join(f"token {t.id} ({t.name})" for t in revoked))


def _granted(token: ApiToken) -> str:
    """The grant as the audit log keeps it: who, what, until when; never the secret."""
    scopes = " ".join(map(str, token.scopes))
    return f"token {token.id} ({token.name}) scopes {scopes} expires {token.expires or 'never'}"
