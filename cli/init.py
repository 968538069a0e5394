"""`init`: draft a dataset from a table as it arrived, for the steward to review."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.common import say, settings_of


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
    remap: Annotated[
        list[str] | None,
        typer.Option(help="NAME=CODE: a region name as printed and its code (repeatable)."),
    ] = None,
    skip_row: Annotated[
        list[int] | None,
        typer.Option(help="A line that is not a region's figures, e.g. a subtotal (repeatable)."),
    ] = None,
) -> None:
    """Copy FILE to datasets/SLUG/data/ and draft datasets/SLUG/datapackage.yaml from its
    layout; print what was detected and what to review. Never overwrites a dataset."""
    # Imported here: drafting reads workbooks (openpyxl), which `serve` never needs.
    from drafting import DraftError, Steward, init_dataset

    folder = datasets or settings_of(ctx).datasets
    try:
        steward = Steward(_pairs(remap or []), tuple(skip_row or []))
        draft = init_dataset(file, folder, slug, source_url=source_url, sheet=sheet,
                             steward=steward)  # fmt: skip
    except DraftError as exc:
        say(f"error: {exc}", error=True)
        raise typer.Exit(code=1) from None
    say(f"drafted {folder / draft.slug}/datapackage.yaml")
    for line in draft.detected:
        say(f"  {line}")
    say("review:")
    for line in draft.review:
        say(f"  - {line}")


def _pairs(entries: list[str]) -> dict[str, str]:
    """`--remap 遼寧=210000` entries as a mapping; a malformed one is a DraftError."""
    from drafting import DraftError

    pairs: dict[str, str] = {}
    for entry in entries:
        name, _, code = entry.partition("=")
        if not name.strip() or not code.strip().isdigit():
            raise DraftError(f"--remap {entry!r}: write NAME=CODE, e.g. --remap '遼寧=210000'")
        pairs[name.strip()] = code.strip()
    return pairs
