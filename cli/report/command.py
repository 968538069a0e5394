"""The `report` command: the figures of a year printed, and with `--publish` published."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated

import typer

from catalog.errors import OpenDataError
from catalog.state import CHINA
from catalog.store import open_store, resolve
from cli.common import errors, fail, publisher, record, settings_of, state_of
from cli.report.dataset import first_issued, slug_of, write_folder
from cli.report.figures import Figure, year_figures
from cli.report.render import as_csv, as_json, as_text


class Format(StrEnum):
    text = "text"
    csv = "csv"
    json = "json"


class Lang(StrEnum):
    zh = "zh"
    en = "en"


def report(
    ctx: typer.Context,
    year: Annotated[int, typer.Option(min=2000, max=2100, help="The calendar year (China time).")],
    fmt: Annotated[Format, typer.Option("--format", help="text, csv or json.")] = Format.text,
    lang: Annotated[Lang, typer.Option(help="Labels of the text: zh or en.")] = Lang.zh,
    publish: Annotated[
        bool, typer.Option("--publish", help="Also publish them: dataset platform-usage-YYYY.")
    ] = False,
) -> None:
    """The platform's figures of a year, in the shape of the open-data section of the annual
    government-information-disclosure report (docs/report.md)."""
    settings = settings_of(ctx)
    now = datetime.now(UTC)
    if year > now.astimezone(CHINA).year:  # a year to come has no figures, only zeros
        errors.print(f"error: --year {year} has not begun; the latest is this year",
                     markup=False, highlight=False)  # fmt: skip
        raise typer.Exit(code=2)
    store = open_store(settings.store, s3=settings.s3_options)
    figures = year_figures(store, state_of(ctx), year, now, settings.request_reply_working_days)
    title = _title(settings.catalog_title, settings.catalog_title_en, year, lang)
    if fmt is Format.csv:
        print(as_csv(figures), end="")
    elif fmt is Format.json:
        print(as_json(figures, year, title))
    else:
        print(as_text(figures, title, lang.value), end="")
    if publish:
        _publish(ctx, year, figures, first_issued(store, slug_of(year), now))


def _title(zh: str, en: str, year: int, lang: Lang) -> str:
    if lang is Lang.en:
        return f"{en}: the platform's figures of {year}"
    return f"{zh}{year}年度数据开放情况（平台统计）"


def _publish(ctx: typer.Context, year: int, figures: list[Figure], issued: str) -> None:
    settings = settings_of(ctx)
    slug = slug_of(year)
    try:
        folder = write_folder(settings.datasets, year, figures, issued, settings.base_url)
        result = publisher(ctx).build(resolve(str(folder), settings.datasets))
    except (OpenDataError, OSError) as exc:
        record(ctx, "report publish", "failed", str(exc)[:300], dataset=slug)
        raise fail(exc) from exc
    record(ctx, "report publish", "ok", f"version {result.version}", dataset=slug)
    done = "published as version" if result.created else "unchanged, still version"
    errors.print(f"{slug}: {done} {result.version}", highlight=False, markup=False)
