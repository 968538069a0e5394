"""Curate the transcribed HRSS source tables into the data files under `datasets/`.

    python -m curation [SOURCES_DIR]

SOURCES_DIR defaults to `curation/sources/`, the repository's copy of `../shared/sources`.
Writes only `datasets/<slug>/data/*` and prints, per input file, where its rows went.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from curation.pipeline import DEFAULT_SOURCES_DIR, curate


def main(argv: Sequence[str]) -> int:
    """Run the curation; `argv[1]`, when given, is the sources folder."""
    sources_dir = Path(argv[1]) if len(argv) > 1 else DEFAULT_SOURCES_DIR
    curate(sources_dir)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
