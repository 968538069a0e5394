"""`audit`: the audit log of writes, grants and refused attempts (the state database)."""

from __future__ import annotations

import dataclasses
import json
from typing import Annotated

import typer

from catalog.state import OUTCOMES, AuditEntry, parse_time
from cli.common import errors, state_of


def audit(
    ctx: typer.Context,
    dataset: Annotated[str | None, typer.Option(help="Only entries of this dataset.")] = None,
    action: Annotated[
        str | None, typer.Option(help="Only this action (package_create, build, withdraw…).")
    ] = None,
    outcome: Annotated[str | None, typer.Option(help="Only ok, refused or failed.")] = None,
    token: Annotated[
        str | None, typer.Option(help="Only this token id (or anonymous, invalid, cli:<user>).")
    ] = None,
    since: Annotated[
        str | None, typer.Option(help="Only from this UTC date or time on (ISO 8601).")
    ] = None,
    json_lines: Annotated[bool, typer.Option("--json", help="One JSON object a line.")] = False,
) -> None:
    """List the audit log, oldest first: every write, grant and refused attempt."""
    if outcome is not None and outcome not in OUTCOMES:
        errors.print(f"error: --outcome is one of {', '.join(OUTCOMES)}", highlight=False)
        raise typer.Exit(code=2)
    try:
        start = parse_time(since) if since else None
    except ValueError:
        errors.print(f"error: --since {since!r} is not an ISO date or time", highlight=False)
        raise typer.Exit(code=2) from None
    log = state_of(ctx).audit
    for entry in log.read(
        dataset=dataset, action=action, outcome=outcome, token=token, since=start
    ):
        print(
            json.dumps(dataclasses.asdict(entry), ensure_ascii=False)
            if json_lines
            else _line(entry)
        )


def _line(entry: AuditEntry) -> str:
    detail = f"  {entry.detail}" if entry.detail else ""
    return (
        f"{entry.time}  {entry.outcome:<7}  {entry.action}  {entry.dataset or '-'}"
        f"  {entry.token}  {entry.client or '-'}{detail}"
    )
