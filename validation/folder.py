"""A dataset folder holds the files its resources name, and nothing else that looks like data.

A replacement file dropped beside the one a resource names (`表22-42A（更新）.csv` next to
`表22-42A.csv`) would otherwise be ignored while the build says "unchanged": the steward
believes the update is out. Hidden files (`.DS_Store`, editors' swap files) are the
system's, not the steward's, and are left alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

DATA_FOLDER = "data"


def stray_files(base_path: Path, named: Iterable[str]) -> list[str]:
    """The files under `base_path/data` that no resource path names, relative, sorted."""
    folder = base_path / DATA_FOLDER
    if not folder.is_dir():
        return []
    wanted = {Path(path).as_posix() for path in named}
    found = (path.relative_to(base_path) for path in folder.rglob("*") if path.is_file())
    visible = (path for path in found if not any(p.startswith(".") for p in path.parts))
    return sorted(path.as_posix() for path in visible if path.as_posix() not in wanted)


def stray_message(path: str) -> str:
    return (
        f"{path}: no resource names this file; point a resource's path at it (and remove the"
        " file it replaces), or remove it"
    )
