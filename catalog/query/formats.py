"""The download formats: the one table the route, the metadata feeds and the web pages read.

Each `Format` says what a client and a harvester need to know of one extension: the
`Content-Type` served, the EU file-type code that DCAT, data.json and schema.org cite, whether
the page can show a SHA-256 of its bytes, and the encoder that writes it. `encode` is the one
way a selection becomes the bytes of a download, whatever asks for them.

Which formats the metadata feeds catalogue: those with an EU file type and a media type
registered with IANA (`dcat:mediaType` names an IANA IRI). NDJSON's `application/x-ndjson` is
not registered, so NDJSON is served and listed on the page but not catalogued. The feeds cite
the media type without parameters (`text/csv`): an IANA IRI names the type, not a charset.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import BinaryIO

from catalog.query.downloads import (
    CHUNK,
    EPOCH,
    EXCEL_MAX_ROWS,
    csv_chunks,
    json_chunks,
    parquet_chunks,
    write_xlsx,
)
from catalog.query.engine import QueryEngine
from catalog.query.resources import ResourceFile
from catalog.query.selection import ExportRequest, RowSelection
from catalog.settings import Settings
from catalog.sql import Schema
from catalog.store import (
    DOWNLOADS,
    Document,
    Publisher,
    RenderedFile,
    download_file,
    open_store,
)

EU_FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"


class Digest(StrEnum):
    """Whether the page can show a download's size and SHA-256, and from where."""

    COMPUTED = "computed"  # the bytes are a function of the version: hashed once, cached
    STORED = "stored"  # the whole download is the published file: the descriptor's hash
    NONE = "none"  # XLSX is written whole to disk per request; hashing it costs a download


@dataclass(frozen=True)
class Encoding:
    """How one request asks for its bytes: a CSV byte-order mark, an XLSX creation time."""

    bom: bool = False
    created: datetime = EPOCH


@dataclass(frozen=True)
class Encoded:
    """The bytes of a download; `size` is known before the first byte when written whole."""

    chunks: Iterator[bytes]
    size: int | None = None


Encoder = Callable[[QueryEngine, RowSelection, Encoding], Encoded]


@dataclass(frozen=True)
class Format:
    extension: str
    media_type: str  # the `Content-Type` served
    file_type: str | None  # EU file-type code; None: not catalogued (see the module doc)
    digest: Digest
    encoder: Encoder
    whole: bool = False  # written whole before the first byte is sent (XLSX: a zip)
    compressed: bool = False  # compressed already: gzip on the wire would gain nothing

    @property
    def essence(self) -> str:
        """The media type without parameters, as the IANA registry names it."""
        return self.media_type.partition(";")[0]

    @property
    def label(self) -> str:
        """The format's name in titles: the EU file-type code, else the extension."""
        return self.file_type or self.extension.upper()

    @property
    def file_type_uri(self) -> str | None:
        return None if self.file_type is None else EU_FILE_TYPE + self.file_type


def _csv(engine: QueryEngine, selection: RowSelection, encoding: Encoding) -> Encoded:
    return Encoded(csv_chunks(engine, selection, bom=encoding.bom))


def _json(engine: QueryEngine, selection: RowSelection, encoding: Encoding) -> Encoded:
    return Encoded(json_chunks(engine, selection, lines=False))


def _ndjson(engine: QueryEngine, selection: RowSelection, encoding: Encoding) -> Encoded:
    return Encoded(json_chunks(engine, selection, lines=True))


def _parquet(engine: QueryEngine, selection: RowSelection, encoding: Encoding) -> Encoded:
    return Encoded(parquet_chunks(engine, selection))


def _xlsx(engine: QueryEngine, selection: RowSelection, encoding: Encoding) -> Encoded:
    # An XLSX file is a zip whose directory comes last: it is written whole, to a temporary
    # file that is unlinked at once, so nothing is left behind if the client goes away.
    with tempfile.TemporaryFile(suffix=".xlsx") as target:
        write_xlsx(engine, selection, target, encoding.created)
        size = target.tell()
        descriptor = os.dup(target.fileno())
    return Encoded(_file_chunks(descriptor), size)


def _file_chunks(descriptor: int) -> Iterator[bytes]:
    with os.fdopen(descriptor, "rb") as stream:
        stream.seek(0)
        while chunk := stream.read(CHUNK):
            yield chunk


FORMATS: dict[str, Format] = {
    f.extension: f
    for f in (
        Format("csv", "text/csv; charset=utf-8; header=present", "CSV", Digest.COMPUTED, _csv),
        Format("json", "application/json", "JSON", Digest.COMPUTED, _json),
        Format("ndjson", "application/x-ndjson", None, Digest.COMPUTED, _ndjson),
        Format(
            "parquet",
            "application/vnd.apache.parquet",
            "PARQUET",
            Digest.STORED,
            _parquet,
            compressed=True,
        ),
        Format(
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "XLSX",
            Digest.NONE,
            _xlsx,
            whole=True,
            compressed=True,
        ),
    )
}
# The formats the metadata feeds (DCAT, data.json, schema.org) describe, in this order.
CATALOGUED: tuple[Format, ...] = tuple(f for f in FORMATS.values() if f.file_type is not None)


def encode(
    engine: QueryEngine, selection: RowSelection, fmt: Format, encoding: Encoding = Encoding()
) -> Encoded:
    """The selection in `fmt`: the one way a download's bytes are made."""
    return fmt.encoder(engine, selection, encoding)


# -- downloads fixed at publish ---------------------------------------------------------------

# Part of every input digest when downloads are rendered at publish: bump it when the CSV,
# JSON or XLSX of the same rows would come out differently, so each dataset gets a version
# whose files are rendered the new way.
DOWNLOADS_REVISION = "1"
# The formats rendered once at publish (Parquet is the published file itself; NDJSON is
# JSON's rows a line each, rendered on request).
PUBLISHED = ("csv", "json", "xlsx")
# XLSX is rendered at publish only for a table of at most this many cells (rows × columns,
# ~40–55 s of writing on a 2-core machine) that fits one sheet; a larger one is written on
# request, as before.
PUBLISHED_XLSX_MAX_CELLS = 5_000_000
# CSV and JSON are kept at publish up to this many cells: beside a Parquet file they weigh
# 8× (CSV) and 23× (JSON) as much, so a table of a hundred million cells would keep gigabytes
# per version; past it they are rendered on request (no size or checksum is then published).
PUBLISHED_TEXT_MAX_CELLS = 20_000_000


class PublishedDownloads:
    """The `DownloadRenderer` of the store's `Publisher`: a version's whole-resource CSV,
    JSON and XLSX, written once into `<version>/downloads/` with the encoders the download
    route uses, so that a file is the very bytes the route would render."""

    revision = DOWNLOADS_REVISION

    def __init__(
        self,
        engine: QueryEngine,
        *,
        xlsx_max_cells: int = PUBLISHED_XLSX_MAX_CELLS,
        text_max_cells: int = PUBLISHED_TEXT_MAX_CELLS,
    ) -> None:
        self.engine = engine
        self.xlsx_max_cells = xlsx_max_cells
        self.text_max_cells = text_max_cells

    def render(
        self, staging: Path, slug: str, resource: Document, created: datetime
    ) -> list[RenderedFile]:
        selection = _whole(staging, slug, resource)
        (staging / DOWNLOADS).mkdir(exist_ok=True)
        written = []
        for extension in PUBLISHED:
            fmt = FORMATS[extension]
            if not self._kept(selection, xlsx=fmt.whole):
                continue
            name = download_file(selection.resource.name, extension)
            with (staging / name).open("wb") as target:
                self._write(selection, fmt, target, created)
            written.append(RenderedFile(extension, name, fmt.media_type))
        return written

    def _kept(self, selection: RowSelection, *, xlsx: bool) -> bool:
        """Whether a format is kept at publish: within its cells (XLSX: and one sheet)."""
        rows = selection.resource.rows or 0
        cells = rows * len(selection.columns)
        if not xlsx:
            return cells <= self.text_max_cells
        return rows < EXCEL_MAX_ROWS and cells <= self.xlsx_max_cells

    def _write(
        self, selection: RowSelection, fmt: Format, target: BinaryIO, created: datetime
    ) -> None:
        if fmt.whole:
            write_xlsx(self.engine, selection, target, created)
            return
        for chunk in encode(self.engine, selection, fmt).chunks:
            target.write(chunk)


def publisher_of(settings: Settings) -> Publisher:
    """The publisher of the settings' store, rendering each version's downloads as it writes
    (`opendata build`, and a CKAN write's publishing process)."""
    store = open_store(settings.store, s3=settings.s3_options)
    downloads = PublishedDownloads(QueryEngine(store, settings))
    return Publisher(
        store, settings.datasets, row_group_size=settings.row_group_size, downloads=downloads
    )


def _whole(staging: Path, slug: str, resource: Document) -> RowSelection:
    """Every row and column of the resource just written to `staging`, in file order."""
    found = ResourceFile(
        dataset=slug,
        name=str(resource["name"]),
        version=staging.name,
        place=str(staging / str(resource["path"])),
        schema=Schema.from_table_schema(resource.get("schema") or {}),
        rows=resource.get("rows"),
    )
    return RowSelection.of(found, ExportRequest())
