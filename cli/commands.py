"""The `opendata` command: each command opens the library, calls it, and turns errors into exits."""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, ParamSpec

import pydantic
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from catalog.errors import OpenDataError, ValidationFailed
from catalog.settings import Settings
from catalog.store import (
    LOCAL,
    OUTCOMES,
    AuditEntry,
    AuditLog,
    BuildResult,
    DatasetSource,
    Outcome,
    Publisher,
    TokenStore,
    cli_token,
    open_store,
    outcome_of,
    parse_time,
    resolve,
)

app = typer.Typer(
    help="HRSS Open Data: validate, publish and serve datasets.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
console = Console()
errors = Console(stderr=True)
token_app = typer.Typer(help="API tokens of the CKAN write actions.", no_args_is_help=True)
app.add_typer(token_app, name="token")


@app.callback()
def main(
    ctx: typer.Context,
    datasets: Annotated[
        Path | None, typer.Option(help="Datasets folder [env OPENDATA_DATASETS].")
    ] = None,
    store: Annotated[Path | None, typer.Option(help="Store folder [env OPENDATA_STORE].")] = None,
    state: Annotated[
        Path | None,
        typer.Option(help="Private state folder: tokens, audit log [env OPENDATA_STATE]."),
    ] = None,
) -> None:
    overrides: dict[str, Any] = {"datasets": datasets, "store": store, "state": state}
    ctx.meta["overrides"] = {k: v for k, v in overrides.items() if v is not None}
    try:
        ctx.obj = Settings(**ctx.meta["overrides"])
    except pydantic.ValidationError as exc:
        for error in exc.errors():
            errors.print(f"error: {error['msg']}", markup=False, highlight=False)
        raise typer.Exit(code=2) from None


def _publisher(ctx: typer.Context) -> Publisher:
    settings: Settings = ctx.obj
    return Publisher(
        open_store(settings.store), settings.datasets, row_group_size=settings.row_group_size
    )


P = ParamSpec("P")


def _audited(action: str) -> Callable[[Callable[P, None]], Callable[P, None]]:
    """Record a command's write in the audit log: ok, or why it was refused or failed."""

    def decorate(command: Callable[P, None]) -> Callable[P, None]:
        @functools.wraps(command)
        def run(*args: P.args, **kwargs: P.kwargs) -> None:
            ctx: Any = kwargs["ctx"]
            slug = str(kwargs.get("slug", ""))
            try:
                command(*args, **kwargs)
            except typer.Exit as exc:
                if exc.exit_code:
                    cause = exc.__cause__ or exc
                    _record(ctx, action, *outcome_of(cause), dataset=slug)
                raise
            except Exception as exc:
                _record(ctx, action, *outcome_of(exc), dataset=slug)
                raise
            _record(ctx, action, "ok", dataset=slug)

        return run

    return decorate


def _record(
    ctx: typer.Context, action: str, outcome: Outcome, detail: str = "", *, dataset: str = ""
) -> None:
    settings: Settings = ctx.obj
    AuditLog(settings.audit_path).record(
        token=cli_token(),
        action=action,
        outcome=outcome,
        dataset=dataset,
        detail=detail,
        client=LOCAL,
    )


def _fail(exc: OpenDataError) -> typer.Exit:
    # Escaped: messages name fields such as `resources[0].path`, which rich reads as markup.
    errors.print(f"[red]error:[/red] {escape(str(exc))}", markup=True, highlight=False)
    return typer.Exit(code=1)


@app.command()
def validate(
    ctx: typer.Context,
    target: Annotated[str, typer.Argument(help="Dataset slug, or path to a dataset folder.")],
    json_out: Annotated[
        Path | None,
        typer.Option("--json", help="Also write the Frictionless-format report to this file."),
    ] = None,
) -> None:
    """Validate a dataset folder: structure, schema, keys and the descriptor's domain checks."""
    publisher = _publisher(ctx)
    try:
        source = resolve(target, ctx.obj.datasets)
        report = publisher.validate(source).report
    except OpenDataError as exc:
        raise _fail(exc) from exc
    if json_out is not None:
        json_out.write_text(json.dumps(report.to_dict(), ensure_ascii=False, indent=1), "utf-8")
    console.print(report.summary(), highlight=False, markup=False)
    if not report.valid:
        raise typer.Exit(code=1)


@app.command()
def build(
    ctx: typer.Context,
    targets: Annotated[
        list[str] | None,
        typer.Argument(help="Dataset slugs or folders; every dataset when none is given."),
    ] = None,
) -> None:
    """Validate and publish datasets as new versions; unchanged sources publish nothing.

    A withdrawn dataset is published again only when named: a build of everything (a nightly
    job, `scripts/run`) must not undo a withdrawal.
    """
    publisher = _publisher(ctx)
    try:
        chosen = [resolve(t, ctx.obj.datasets) for t in targets or []]
        planned = publisher.plan(chosen or list(publisher.sources().values()))
        if not chosen:
            planned = _not_withdrawn(publisher, planned)
    except OpenDataError as exc:
        raise _fail(exc) from exc
    failed: list[str] = []
    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("building", total=len(planned))
        for source in planned:
            progress.update(task, description=f"building {source.slug}")
            blocked = sorted(source.references & set(failed))
            if blocked:
                failed.append(source.slug)
                errors.print(f"{source.slug}: skipped, it references failed {', '.join(blocked)}")
            else:
                try:
                    result = publisher.build(source)
                except OpenDataError as exc:
                    _record(ctx, "build", *outcome_of(exc), dataset=source.slug)
                    failed.append(source.slug)
                    if isinstance(exc, ValidationFailed):
                        errors.print(exc.report.summary(), highlight=False, markup=False)
                        errors.print(
                            f"{source.slug}: NOT published; the current version still serves"
                        )
                    else:
                        errors.print(
                            f"{source.slug}: NOT published: {exc}", highlight=False, markup=False
                        )
                else:
                    state = "published" if result.created else "unchanged"
                    _record(ctx, "build", "ok", f"{state} {result.version}", dataset=source.slug)
                    console.print(_built(result), highlight=False, markup=False, soft_wrap=True)
            progress.advance(task)
    if failed:
        raise typer.Exit(code=1)


def _not_withdrawn(publisher: Publisher, planned: list[DatasetSource]) -> list[DatasetSource]:
    """`planned` but the withdrawn datasets, each of which is named as it is left out."""
    kept = []
    for source in planned:
        withdrawal = publisher.store.withdrawal(source.slug)
        if withdrawal is None:
            kept.append(source)
            continue
        errors.print(
            f"{source.slug}: skipped, withdrawn at {withdrawal.withdrawn}"
            f" ({withdrawal.reason or 'no reason given'}); `opendata build {source.slug}`"
            " publishes it again",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
    return kept


def _built(result: BuildResult) -> str:
    """The line `build` prints: published, unchanged, or published by someone else."""
    if result.created:
        rows = sum(result.rows.values())
        return f"{result.slug}: published {result.version} ({rows} rows)"
    if result.concurrent:
        return f"{result.slug}: already published {result.version} by another build"
    return f"{result.slug}: unchanged {result.version}"


@app.command()
def versions(
    ctx: typer.Context,
    slug: Annotated[str, typer.Argument(help="Dataset slug.")],
) -> None:
    """List the published versions of a dataset, oldest first; * marks the current one."""
    try:
        history = open_store(ctx.obj.store).versions(slug)
    except OpenDataError as exc:
        raise _fail(exc) from exc
    for info in history:
        marker = "*" if info.current else "-" if info.withdrawn else " "
        note = "  withdrawn" if info.withdrawn else ""
        console.print(f"{marker} {info.version}  {info.published}{note}", highlight=False)


@app.command()
@_audited("withdraw")
def withdraw(
    ctx: typer.Context,
    slug: Annotated[str, typer.Argument(help="Dataset slug.")],
    reason: Annotated[str, typer.Option(help="Why, for the change feed.")] = "",
    version: Annotated[
        str | None,
        typer.Option(help="Withdraw only this superseded version; the dataset stays served."),
    ] = None,
) -> None:
    """Stop serving a dataset's data (every version), or one version's; metadata stays.

    Withdrawn data answers 410 Gone on every data path, pinned URLs included; the dataset's
    page (410) and the change feed say it was withdrawn. `opendata build` of every dataset
    leaves it withdrawn; `opendata build SLUG` publishes it again.
    """
    try:
        withdrawal = open_store(ctx.obj.store).withdraw(slug, reason, version=version)
    except OpenDataError as exc:
        raise _fail(exc) from exc
    if version is None:
        count = len(withdrawal.versions or ())
        console.print(
            f"{slug}: withdrawn at {withdrawal.withdrawn} with its {count} version(s);"
            f" {withdrawal.version} was current",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
    else:
        console.print(
            f"{slug}: version {version} withdrawn at {withdrawal.withdrawn}",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )


@app.command()
def push(
    ctx: typer.Context,
    to: Annotated[str, typer.Option("--to", help="Base URL of the CKAN-compatible site.")],
    api_key: Annotated[
        str,
        typer.Option("--api-key", envvar="OPENDATA_PUSH_API_KEY", help="API token on that site."),
    ],
    targets: Annotated[
        list[str] | None, typer.Argument(help="Dataset slugs; every served one when none.")
    ] = None,
) -> None:
    """Create or update our datasets on another CKAN site; unchanged ones send nothing."""
    import ckanapi

    from catalog.ckan import Pusher
    from catalog.query import QueryEngine

    settings: Settings = ctx.obj
    store = open_store(settings.store)
    engine = QueryEngine(store, settings)
    failed = 0
    with ckanapi.RemoteCKAN(to.rstrip("/"), apikey=api_key, user_agent="opendata-push") as site:
        pusher = Pusher(store, engine, site)
        planned = [slug for slug in pusher.plan() if not targets or slug in targets]
        columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
        with Progress(*columns, console=console, transient=True) as progress:
            task = progress.add_task("pushing", total=len(planned))
            for slug in planned:
                progress.update(task, description=f"pushing {slug}")
                try:
                    state = pusher.push_one(slug)
                except (ckanapi.CKANAPIError, OpenDataError) as exc:
                    failed += 1
                    errors.print(f"{slug}: NOT pushed: {exc}", highlight=False, markup=False)
                else:
                    console.print(f"{slug}: {state}", highlight=False, markup=False)
                progress.advance(task)
    engine.close()
    if failed:
        raise typer.Exit(code=1)


@token_app.command("create")
def token_create(
    ctx: typer.Context,
    name: Annotated[str, typer.Option("--name", help="Who or what the token is for.")],
) -> None:
    """Make an API token; it is printed once and only its hash is kept."""
    tokens = TokenStore(ctx.obj.tokens_path)
    try:
        record, token = tokens.create(name)
    except ValueError as exc:
        _record(ctx, "token create", "refused", str(exc))
        errors.print(f"[red]error:[/red] {exc}", markup=True, highlight=False)
        raise typer.Exit(code=1) from exc
    errors.print(f"token {record.id} ({record.name}) made; it is shown only now:")
    print(token)
    _record(ctx, "token create", "ok", f"token {record.id} ({record.name})")


@token_app.command("list")
def token_list(ctx: typer.Context) -> None:
    """List the tokens: id, name, created, last used, revoked."""
    for token in TokenStore(ctx.obj.tokens_path).all():
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
        revoked = TokenStore(ctx.obj.tokens_path).revoke(name_or_id)
    except OpenDataError as exc:
        _record(ctx, "token revoke", *outcome_of(exc))
        raise _fail(exc) from exc
    for token in revoked:
        console.print(f"revoked {token.id} ({token.name})", highlight=False, markup=False)
    _record(ctx, "token revoke", "ok", ", ".join(f"token {t.id} ({t.name})" for t in revoked))


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option(help="Interface [env OPENDATA_HOST].")] = None,
    port: Annotated[int | None, typer.Option(help="Port [env OPENDATA_PORT].")] = None,
    base_url: Annotated[
        str | None, typer.Option(help="Public base URL [env OPENDATA_BASE_URL].")
    ] = None,
) -> None:
    """Serve the published datasets over HTTP."""
    import os

    import uvicorn

    options = {"host": host, "port": port, "base_url": base_url}
    chosen = {**ctx.meta["overrides"], **{k: v for k, v in options.items() if v is not None}}
    settings = Settings.model_validate(chosen)
    # The app builds its own Settings from the environment; hand the command-line choices over
    # that way so that the library never imports the web layer (imports flow api → catalog).
    for name, value in chosen.items():
        os.environ[f"OPENDATA_{name.upper()}"] = str(value)
    # proxy_headers off: uvicorn would otherwise take X-Forwarded-For from any local peer as
    # the client's address; the app reads it itself, and only when told to trust it.
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        proxy_headers=False,
    )


@app.command("audit")
def audit_list(
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
    """List the audit log, oldest first: every write and every refused write attempt."""
    if outcome is not None and outcome not in OUTCOMES:
        errors.print(f"error: --outcome is one of {', '.join(OUTCOMES)}", highlight=False)
        raise typer.Exit(code=2)
    try:
        start = parse_time(since) if since else None
    except ValueError:
        errors.print(f"error: --since {since!r} is not an ISO date or time", highlight=False)
        raise typer.Exit(code=2) from None
    log = AuditLog(ctx.obj.audit_path)
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
