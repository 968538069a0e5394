"""`opendata init`: a draft dataset from a table as it arrived.

The draft is what the steward reviews: every detection is a descriptor key (docs/steward.md), and
whatever was guessed is listed in `Draft.review`.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import yaml

from drafting.assemble import Draft, assemble
from drafting.grid import DraftError
from drafting.table import Steward, read_table
from validation import SLUG, is_slug


def init_dataset(file: Path, datasets: Path, slug: str | None = None, *,
                 source_url: str | None = None, sheet: str | None = None,
                 steward: Steward | None = None) -> Draft:  # fmt: skip
    """Draft, then copy the file to `datasets/SLUG/data/` and write the descriptor."""
    draft = draft_dataset(file, datasets, slug, source_url=source_url, sheet=sheet,
                          steward=steward)  # fmt: skip
    folder = datasets / draft.slug
    if folder.exists():
        raise DraftError(f"{folder} exists: init never overwrites a dataset")
    (folder / "data").mkdir(parents=True)
    shutil.copyfile(file, folder / "data" / file.name)
    text = yaml.safe_dump(draft.document, allow_unicode=True, sort_keys=False, width=100)
    (folder / "datapackage.yaml").write_text(text, "utf-8")
    return draft


def draft_dataset(file: Path, datasets: Path, slug: str | None = None, *,
                  source_url: str | None = None, sheet: str | None = None,
                  steward: Steward | None = None) -> Draft:  # fmt: skip
    """The draft descriptor of `file`, written nowhere."""
    if not file.is_file():
        raise DraftError(f"{file}: no such file")
    slug = slug or re.sub(r"[^a-z0-9]+", "-", file.stem.lower()).strip("-")
    # The catalogue's one slug rule, matched whole: a trailing newline or a 300-character
    # name would otherwise become a folder that nothing else accepts.
    if not is_slug(slug):
        raise DraftError(f"slug {slug!r} is not {SLUG.pattern}: give --slug")
    table = read_table(file, datasets, slug, sheet, steward)
    return assemble(file, datasets, slug, table, source_url)
