"""Publishing: `validate`, `build`, `versions`, `withdraw`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from catalog.errors import OpenDataError, ValidationFailed
from catalog.state import outcome_of
from catalog.store import (
    DRAFT_MARKER,
    BuildResult,
    DatasetSource,
    Publisher,
    Store,
    open_store,
    resolve,
)
from cli.common import (
    Slug,
    audited,
    console,
    errors,
    exits_on_error,
    fail,
    progress,
    publisher,
    record,
    settings_of,
)


@exits_on_error
def validate(
    ctx: typer.Context,
    target: Annotated[str, typer.Argument(help="Dataset slug, or path to a dataset folder.")],
    json_out: Annotated[
        Path | None,
        typer.Option("--json", help="Also write the Frictionless-format report to this file."),
    ] = None,
) -> None:
    """Validate a dataset folder: structure, schema, keys and the descriptor's domain checks."""
    report = publisher(ctx).validate(resolve(target, settings_of(ctx).datasets)).report
    if json_out is not None:
        json_out.write_text(json.dumps(report.to_dict(), ensure_ascii=False, indent=1), "utf-8")
    console.print(report.summary(), highlight=False, markup=False, soft_wrap=True)
    if not report.valid:
        raise typer.Exit(code=1)


def build(
    ctx: typer.Context,
    targets: Annotated[
        list[str] | None,
        typer.Argument(help="Dataset slugs or folders; every dataset when none is given."),
    ] = None,
    republish: Annotated[
        bool,
        typer.Option(
            "--republish", help="Serve again inputs that were published and then withdrawn."
        ),
    ] = False,
) -> None:
    """Validate and publish datasets as new versions; unchanged sources publish nothing.

    A withdrawn dataset is published again only when named: a build of everything (a nightly
    job, `scripts/run`) must not undo a withdrawal. The very inputs of a withdrawn version
    are served again only with `--republish`.
    """
    builder = publisher(ctx)
    try:
        chosen = [resolve(t, settings_of(ctx).datasets) for t in targets or []]
        planned = builder.plan(chosen or list(builder.sources().values()))
        if not chosen:
            planned = _not_withdrawn(builder, planned)
    except OpenDataError as exc:
        raise fail(exc) from exc
    failed = [] if chosen else _broken(builder)
    for slug in [] if chosen else builder.drafts:
        errors.print(f"{slug}: skipped, a draft ({DRAFT_MARKER}): CKAN state draft, not active")
    with progress() as bar:
        task = bar.add_task("building", total=len(planned))
        for source in planned:
            bar.update(task, description=f"building {source.slug}")
            if not _build_one(ctx, builder, source, failed, republish=republish):
                failed.append(source.slug)
            bar.advance(task)
    if failed:
        raise typer.Exit(code=1)


def _build_one(
    ctx: typer.Context,
    builder: Publisher,
    source: DatasetSource,
    failed: list[str],
    *,
    republish: bool,
) -> bool:
    """Build one dataset unless one it references failed; whether it was built."""
    blocked = sorted(source.references & set(failed))
    if blocked:
        errors.print(f"{source.slug}: skipped, it references failed {', '.join(blocked)}")
        return False
    try:
        result = builder.build(source, republish=republish)
    except OpenDataError as exc:
        record(ctx, "build", *outcome_of(exc), dataset=source.slug)
        if isinstance(exc, ValidationFailed):
            errors.print(exc.report.summary(), highlight=False, markup=False)
            served = builder.store.current(source.slug)
            still = "the current version still serves" if served else "it has no published version"
            errors.print(f"{source.slug}: NOT published; {still}")
        else:
            errors.print(
                f"{source.slug}: NOT published: {exc}",
                highlight=False,
                markup=False,
                soft_wrap=True,
            )
        return False
    state = "published" if result.created else "unchanged"
    record(ctx, "build", "ok", f"{state} {result.version}", dataset=source.slug)
    console.print(_built(result), highlight=False, markup=False, soft_wrap=True)
    if result.report is not None and (result.report.flagged or result.report.notes):
        # As `validate` says it: the count and the first few, so a steward sees what was flagged.
        console.print(result.report.summary(), highlight=False, markup=False, soft_wrap=True)
    return True


def _broken(builder: Publisher) -> list[str]:
    """The folders whose descriptor does not load, each named with its error (file and key);
    the other datasets still build."""
    for slug, exc in builder.broken.items():
        errors.print(f"{slug}: NOT published: {exc}", highlight=False, markup=False, soft_wrap=True)
    return list(builder.broken)


def _not_withdrawn(builder: Publisher, planned: list[DatasetSource]) -> list[DatasetSource]:
    """`planned` but the withdrawn datasets, each of which is named as it is left out."""
    kept = []
    for source in planned:
        withdrawal = builder.store.withdrawal(source.slug)
        if withdrawal is None:
            kept.append(source)
            continue
        errors.print(
            f"{source.slug}: skipped, withdrawn at {withdrawal.withdrawn}"
            f" ({withdrawal.reason or 'no reason given'}); `opendata build {source.slug}`"
            " publishes a changed source, and `--republish` the same one again",
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


@exits_on_error
def versions(ctx: typer.Context, slug: Slug) -> None:
    """List the published versions of a dataset, oldest first; * marks the current one."""
    for info in _store(ctx).versions(slug):
        marker = "*" if info.current else "-" if info.withdrawn else " "
        note = "  withdrawn" if info.withdrawn else ""
        console.print(f"{marker} {info.version}  {info.published}{note}", highlight=False)


@audited("withdraw")
@exits_on_error
def withdraw(
    ctx: typer.Context,
    slug: Slug,
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
    withdrawal = _store(ctx).withdraw(slug, reason, version=version)
    if version is None:
        count = len(withdrawal.versions or ())
        said = (
            f"{slug}: withdrawn at {withdrawal.withdrawn} with its {count} version(s);"
            f" {withdrawal.version} was current"
        )
    else:
        said = f"{slug}: version {version} withdrawn at {withdrawal.withdrawn}"
    console.print(said, highlight=False, markup=False, soft_wrap=True)


def _store(ctx: typer.Context) -> Store:
    settings = settings_of(ctx)
    return open_store(settings.store, s3=settings.s3_options)
