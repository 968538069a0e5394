"""`opendata init`: a draft dataset from a table as it arrived.

The draft is what the steward reviews: every detection is a descriptor key (docs/steward.md), and
whatever was guessed is listed in `Draft.review`.

The dataset folder appears whole or not at all: it is written under a hidden name beside
it and renamed into place, its descriptor last, so a failure midway (a full disk, a file
that cannot be copied) leaves no half-written dataset for `build` to trip on. A folder
without `datapackage.yaml` is no dataset to `discover`, so the staging folder never is one.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import tempfile
from pathlib import Path

import yaml

from catalog.store import file_name_fault
from drafting.assemble import Draft, assemble
from drafting.grid import DraftError
from drafting.table import Steward, read_table
from validation import SLUG, is_slug, printable

PARTIAL = "datapackage.yaml.part"  # the descriptor until the folder is in place


def init_dataset(file: Path, datasets: Path, slug: str | None = None, *,
                 source_url: str | None = None, sheet: str | None = None,
                 steward: Steward | None = None) -> Draft:  # fmt: skip
    """Draft, then copy the file to `datasets/SLUG/data/` and write the descriptor."""
    draft = draft_dataset(file, datasets, slug, source_url=source_url, sheet=sheet,
                          steward=steward)  # fmt: skip
    folder = datasets / draft.slug
    _refuse_taken(folder)
    text = yaml.safe_dump(draft.document, allow_unicode=True, sort_keys=False, width=100)
    try:
        _write_whole(folder, file, text)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise DraftError(f"{draft.slug}: cannot write the dataset folder: {reason}") from None
    return draft


def _refuse_taken(folder: Path) -> None:
    # `exists()` follows a symbolic link: a dangling one at datasets/SLUG is still taken.
    if folder.is_symlink() or folder.exists():
        raise DraftError(
            f"{folder.name} exists in the datasets folder: init never overwrites a dataset"
        )


def _write_whole(folder: Path, file: Path, descriptor: str) -> None:
    """`data/FILE` and `datapackage.yaml` under a hidden name, then renamed to `folder`."""
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.init-", dir=folder.parent))
    try:
        (staging / "data").mkdir()
        shutil.copyfile(file, staging / "data" / file.name)
        (staging / PARTIAL).write_text(descriptor, "utf-8")
        os.chmod(staging, 0o755)  # mkdtemp makes it private; a dataset folder is not
        _refuse_taken(folder)  # another init may have taken the name meanwhile
        staging.rename(folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    try:
        (folder / PARTIAL).rename(folder / "datapackage.yaml")
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def draft_dataset(file: Path, datasets: Path, slug: str | None = None, *,
                  source_url: str | None = None, sheet: str | None = None,
                  steward: Steward | None = None) -> Draft:  # fmt: skip
    """The draft descriptor of `file`, written nowhere."""
    _refuse_unreadable(file)
    # The catalogue's own rule for a file name: a name it refuses would be copied and drafted
    # into a dataset that never validates.
    fault = file_name_fault(file.name)
    if fault is not None:
        raise DraftError(f"{printable(file.name)}: {fault}; rename the file")
    _refuse_bad_slug(slug)
    slug = slug or re.sub(r"[^a-z0-9]+", "-", file.stem.lower()).strip("-")
    if not is_slug(slug):
        raise DraftError(f"the file name gives no usable slug ({slug!r}): give --slug")
    table = read_table(file, datasets, slug, sheet, steward)
    return assemble(file, datasets, slug, table, source_url)


def _refuse_bad_slug(slug: str | None) -> None:
    # The catalogue's one slug rule, matched whole: a trailing newline or a 300-character
    # name would otherwise become a folder that nothing else accepts.
    if slug is not None and not is_slug(slug):
        raise DraftError(
            f"--slug {printable(slug)!r}: a slug is lowercase letters, digits and '-', starting"
            f" with a letter or digit, at most 100 ({SLUG.pattern})"
        )


def _refuse_unreadable(file: Path) -> None:
    """A clear word for what is not a regular file: reading a FIFO would wait for ever."""
    try:
        mode = file.stat().st_mode
    except FileNotFoundError:
        raise DraftError(f"{file}: no such file") from None
    except OSError as exc:
        raise DraftError(f"{file}: cannot be read: {exc.strerror}") from None
    if stat.S_ISDIR(mode):
        raise DraftError(f"{file}: is a folder; give the table's file")
    if not stat.S_ISREG(mode):
        raise DraftError(f"{file}: not a regular file (a pipe, socket or device); give a file")
    if not os.access(file, os.R_OK):
        raise DraftError(f"{file}: cannot be read (permission denied)")
