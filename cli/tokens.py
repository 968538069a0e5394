"""`token create|list|revoke`: the API tokens of the CKAN write actions."""

from __future__ import annotations

from typing import Annotated

import typer

from catalog.errors import OpenDataError
from catalog.store import TokenStore, outcome_of
from cli.common import console, errors, fail, record, settings_of

token_app = typer.Typer(help="API tokens of the CKAN write actions.", no_args_is_help=True)


@token_app.command("create")
def token_create(
    ctx: typer.Context,
    name: Annotated[str, typer.Option("--name", help="Who or what the token is for.")],
) -> None:
    """Make an API token; it is printed once and only its hash is kept."""
    tokens = TokenStore(settings_of(ctx).tokens_path)
    try:
        made, token = tokens.create(name)
    except ValueError as exc:
        record(ctx, "token create", "refused", str(exc))
        errors.print(f"[red]error:[/red] {exc}", markup=True, highlight=False)
        raise typer.Exit(code=1) from exc
    errors.print(f"token {made.id} ({made.name}) made; it is shown only now:")
    print(token)
    record(ctx, "token create", "ok", f"token {made.id} ({made.name})")


@token_app.command("list")
def token_list(ctx: typer.Context) -> None:
    """List the tokens: id, name, created, last used, revoked."""
    for token in TokenStore(settings_of(ctx).tokens_path).all():
        state = f"revoked {token.revoked}" if token.revoked else "active"
        used = token.last_used or "never used"
        console.print(
            f"{token.id}  {token.name}  created {token.created}  {used}  {state}",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )


@token_app.command("revoke")
def token_revoke(
    ctx: typer.Context,
    name_or_id: Annotated[str, typer.Argument(help="The token's id or name.")],
) -> None:
    """Revoke a token (every active token of that name): writes with it are refused."""
    try:
        revoked = TokenStore(settings_of(ctx).tokens_path).revoke(name_or_id)
    except OpenDataError as exc:
        record(ctx, "token revoke", *outcome_of(exc))
        raise fail(exc) from exc
    for token in revoked:
        console.print(f"revoked {token.id} ({token.name})", highlight=False, markup=False)
    record(ctx, "token revoke", "ok", ", ".join(f"token {t.id} ({t.name})" for t in revoked))
