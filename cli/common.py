"""What the commands share: the consoles, the settings, how a library error becomes an exit,
the audit of writes, and the arguments several commands take."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, ParamSpec, TypedDict

import pydantic
import typer

from catalog.errors import OpenDataError
from catalog.query import publisher_of
from catalog.settings import Settings
from catalog.state import LOCAL, Outcome, State, cli_token, open_state, outcome_of
from catalog.store import Publisher
from validation import printable

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress


class LazyConsole:
    """A rich `Console` made on its first print: `opendata serve` prints through none, and
    rich's modules were 2 MB of an idle server's memory."""

    def __init__(self, *, stderr: bool = False) -> None:
        self.stderr = stderr

    @functools.cached_property
    def rich(self) -> Console:
        from rich.console import Console

        # Never wrapped: messages go to logs and cron mail, where a break mid-sentence is noise.
        return Console(stderr=self.stderr, soft_wrap=True)

    def print(self, *objects: Any, **options: Any) -> None:
        self.rich.print(*objects, **options)


console = LazyConsole()
errors = LazyConsole(stderr=True)
P = ParamSpec("P")

Slug = Annotated[str, typer.Argument(help="Dataset slug.")]


class ChosenOptions(TypedDict, total=False):
    """The settings a command line chose: the main callback's folders, `serve`'s address."""

    datasets: Path
    store: str
    state: Path
    host: str
    port: int
    base_url: str
    log_format: Literal["text", "json"]
    shutdown_grace_seconds: float


def build_settings(chosen: ChosenOptions) -> Settings:
    """Settings from the options chosen and `OPENDATA_*` (the options win); exit 2 if invalid."""
    try:
        return Settings(**chosen)
    except pydantic.ValidationError as exc:
        for error in exc.errors():  # named as the environment knows it, the option likewise
            name = "_".join(str(part) for part in error["loc"]).upper()
            where = f"OPENDATA_{name}: " if name else ""
            errors.print(f"error: {where}{error['msg']}", markup=False, highlight=False)
        raise typer.Exit(code=2) from None


def settings_of(ctx: typer.Context) -> Settings:
    """The settings the main callback built from the options and `OPENDATA_*`."""
    settings: Settings = ctx.obj
    return settings


def state_of(ctx: typer.Context) -> State:
    """The state database (tokens, audit log), opened once per command and migrated first."""
    root = ctx.find_root()
    found: State | None = root.meta.get("state")
    if found is None:
        settings = settings_of(ctx)
        found = open_state(settings.database, settings.legacy_files)
        root.meta["state"] = found
        root.call_on_close(found.close)
    return found


def publisher(ctx: typer.Context) -> Publisher:
    """The publisher of the chosen store, rendering each version's downloads as it writes."""
    return publisher_of(settings_of(ctx))


def progress() -> Progress:
    """A transient bar for commands that work through datasets one by one."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    return Progress(*columns, console=console.rich, transient=True)


def fail(exc: Exception) -> typer.Exit:
    """The exit for a library error: its message on stderr, status 1."""
    from rich.markup import escape

    # Escaped: messages name fields such as `resources[0].path`, which rich reads as markup.
    errors.print(f"[red]error:[/red] {escape(printable(str(exc)))}", markup=True, highlight=False)
    return typer.Exit(code=1)


def say(text: str, *, error: bool = False) -> None:
    """One line of a command's output as text: no markup, control characters escaped."""
    (errors if error else console).print(
        printable(text), highlight=False, markup=False, soft_wrap=True
    )


def exits_on_error(command: Callable[P, None]) -> Callable[P, None]:
    """Turn an `OpenDataError` of the library into the command's failure (`fail`)."""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            command(*args, **kwargs)
        except OpenDataError as exc:
            raise fail(exc) from exc

    return run


def audited(action: str) -> Callable[[Callable[P, None]], Callable[P, None]]:
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
                    record(ctx, action, *outcome_of(cause), dataset=slug)
                raise
            except Exception as exc:
                record(ctx, action, *outcome_of(exc), dataset=slug)
                raise
            record(ctx, action, "ok", dataset=slug)

        return run

    return decorate


def record(
    ctx: typer.Context, action: str, outcome: Outcome, detail: str = "", *, dataset: str = ""
) -> None:
    """One line of the audit log for a write made from this command line."""
    state_of(ctx).audit.record(
        token=cli_token(),
        action=action,
        outcome=outcome,
        dataset=dataset,
        detail=detail,
        client=LOCAL,
    )
