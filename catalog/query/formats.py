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

from catalog.query.downloads import (
    CHUNK,
    EPOCH,
    csv_chunks,
    json_chunks,
    parquet_chunks,
    write_xlsx,
)
from catalog.query.engine import QueryEngine
from catalog.query.selection import RowSelection

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
