"""Downloads fixed at publish: each resource's whole-resource files, written into the version.

A version's CSV, JSON and XLSX of a whole resource are rendered once, into
`<version>/downloads/<resource>.<ext>` (`download_file`), before the version becomes current
like every file of it, and recorded in the resource's `downloads` with their bytes and sha256.
The store knows no query engine: a `DownloadRenderer` given to the `Publisher` writes them
(`catalog.query.PublishedDownloads`); without one a version has no such files, and its
downloads are rendered on request as before.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from catalog.store.model import Document


@dataclass(frozen=True)
class RenderedFile:
    """A download a `DownloadRenderer` wrote into a version being published."""

    format: str  # its extension
    path: str  # inside the version (`download_file`)
    mediatype: str


class DownloadRenderer(Protocol):
    """Writes a resource's whole-resource downloads into the version being published.

    `render` gets the staging folder, the dataset and the published resource (its Parquet
    written), and the version's publication time; it returns what it wrote. `revision` is
    part of every input digest: a renderer that renders differently gives sources that did
    not change a new version.
    """

    revision: str

    def render(
        self, staging: Path, slug: str, resource: Document, created: datetime
    ) -> list[RenderedFile]: ...


def record_downloads(
    renderer: DownloadRenderer, staging: Path, slug: str, resource: Document, now: datetime
) -> None:
    """Render `resource`'s downloads into the version and record each with its bytes and
    sha256 (the XLSX's creation time is the version's publication, as served)."""
    written = renderer.render(staging, slug, resource, now)
    if written:
        resource["downloads"] = [
            {
                "format": file.format,
                "path": file.path,
                "mediatype": file.mediatype,
                "bytes": (staging / file.path).stat().st_size,
                "hash": "sha256:" + file_sha256(staging / file.path),
            }
            for file in written
        ]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
