"""`python -m curation [SOURCES_DIR]`: build the data files of `datasets/` from the sources."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from curation.pipeline import DEFAULT_SOURCES_DIR, curate


def parser() -> argparse.ArgumentParser:
    made = argparse.ArgumentParser(
        prog="python -m curation",
        description=(
            "Curate the transcribed HRSS source tables into the data files under datasets/."
            " Writes only datasets/<slug>/data/* and prints, per input file, where its rows"
            " went."
        ),
    )
    made.add_argument(
        "sources_dir",
        metavar="SOURCES_DIR",
        nargs="?",
        type=Path,
        default=DEFAULT_SOURCES_DIR,
        help="the transcribed sources (default: curation/sources/, the repository's copy)",
    )
    return made


def main(argv: Sequence[str]) -> int:
    """Run the curation; a missing source file is named, before anything is written."""
    command = parser()
    sources_dir: Path = command.parse_args(argv).sources_dir
    try:
        curate(sources_dir)
    except FileNotFoundError as exc:
        command.exit(1, f"{command.prog}: {exc}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
