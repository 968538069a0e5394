"""`init`: draft a dataset from a table as it arrived, for the steward to review."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.common import console, errors, settings_of
from drafting import DraftError, init_dataset


def init(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The table as it arrived: CSV or XLSX.")],
    slug: Annotated[
        str | None, typer.Option(help="Dataset slug (default: from the file name).")
    ] = None,
    source_url: Annotated[
        str | None, typer.Option(help="Where the table was published (the sources entry).")
    ] = None,
    sheet: Annotated[str | None, typer.Option(help="XLSX sheet (default: the first).")] = None,
    datasets: Annotated[
        Path | None, typer.Option(help="Datasets folder (default: the configured one).")
    ] = None,
) -> None:
    """Copy FILE to datasets/SLUG/data/ and draft datasets/SLUG/datapackage.yaml from its
    layout; print what was detected and what to review. Never overwrites a dataset."""
    folder = datasets or settings_of(ctx).datasets
    try:
        draft = init_dataset(file, folder, slug, source_url=source_url, sheet=sheet)
    except DraftError as exc:
        errors.print(f"error: {exc}", highlight=False, markup=False)
        raise typer.Exit(code=1) from None
    console.print(f"drafted {folder / draft.slug}/datapackage.yaml", highlight=False)
    for line in draft.detected:
        console.print(f"  {line}", highlight=False, markup=False)
    console.print("review:", highlight=False)
    for line in draft.review:
        console.print(f"  - {line}", highlight=False, markup=False)
