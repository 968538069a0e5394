"""Downloads: a selection of rows encoded as CSV, JSON, NDJSON, Parquet or XLSX, batch by batch.

Every format reads the Arrow batches `QueryEngine.export` reads lazily from DuckDB and yields
bytes as it goes, so memory holds one batch whatever the size of the export. CSV, JSON and
XLSX are written by the output renderer (`catalog.query.renderer`) from cells selected as
`catalog.sql.cells` renders them: JSON rows come from the `to_json` expression /rows uses;
CSV cells are the same values as text (decimals keep their digits, dates ISO, datetimes with
`T`, booleans `true`/`false`, NaN and infinities empty, null empty), a cell quoted only
where RFC 4180 needs it; text a spreadsheet would run as a formula gets a leading `'` in CSV
and XLSX. Parquet keeps the stored types.

Order and completeness: rows come from `QueryEngine.export`, sorted by the stored typed values
or in the file's order, so the same request is the same bytes. An error after the first byte
(the engine failing, a row count or a zip member's checksum unlike the published one) is
raised from the iterator: the server then drops the connection, and the client sees a cut
body, never a clean end.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import pyarrow as pa
import pyarrow.parquet as pq

from catalog.errors import BadRequest, StoreError
from catalog.query.engine import QueryEngine
from catalog.query.renderer import (
    csv_header,
    json_array_chunks,
    ndjson_chunks,
    text_csv_chunks,
    write_sheet,
)
from catalog.query.selection import RowSelection
from catalog.sql import TEXTUAL, Cells, Column, json_row_sql, select_sql

# Rows per Arrow batch: a few MB of CSV, the unit of memory of an export.
BATCH_ROWS = 16_384  # measured: a quarter of the batch, two thirds of the export's memory
# Rows per row group of a filtered Parquet download (the publisher's default).
PARQUET_BATCH_ROWS = 122_880
# Excel's sheet holds 1,048,576 rows; one is the header.
EXCEL_MAX_ROWS = 1_048_576
CHUNK = 1 << 20
EPOCH = datetime(1980, 1, 1, tzinfo=UTC)  # the earliest time a zip entry can carry


ZIP_MEDIA_TYPE = "application/zip"


class TooManyRows(BadRequest):
    slug = "too-many-rows"
    title = "Too Many Rows"


# -- CSV --------------------------------------------------------------------------------------


def csv_chunks(
    engine: QueryEngine, selection: RowSelection, *, bom: bool = False
) -> Iterator[bytes]:
    """The selection as UTF-8 CSV with a header row (and a BOM for Excel when asked)."""
    batches = engine.export(selection, select_sql(selection.columns, Cells.TEXT), BATCH_ROWS)
    header = csv_header(c.name for c in selection.columns)
    textual = [is_textual(c) for c in selection.columns]
    return text_csv_chunks(batches, header, textual, bom=bom)


def is_textual(column: Column) -> bool:
    """Whether `column`'s CSV cells are text that may need quotes (numbers, dates and
    booleans rendered as text never do)."""
    return column.decimals_field is None and column.type not in TEXTUAL


# -- JSON and NDJSON --------------------------------------------------------------------------


def json_chunks(engine: QueryEngine, selection: RowSelection, *, lines: bool) -> Iterator[bytes]:
    """The selection as a JSON array of row objects, or one object per line (NDJSON)."""
    select = f"CAST({json_row_sql(selection.columns)} AS VARCHAR)"
    batches = engine.export(selection, select, BATCH_ROWS)
    return ndjson_chunks(batches) if lines else json_array_chunks(batches)


# -- Parquet ----------------------------------------------------------------------------------


class _Drain:
    """A write-only file that hands over what was written since the last `take`."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._position = 0
        self.closed = False

    def write(self, data: bytes | bytearray | memoryview) -> int:
        chunk = bytes(data)
        self._parts.append(chunk)
        self._position += len(chunk)
        return len(chunk)

    def tell(self) -> int:
        return self._position

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True

    def take(self) -> bytes:
        taken = b"".join(self._parts)
        self._parts.clear()
        return taken


def parquet_schema(selection: RowSelection, footer: pq.FileMetaData) -> pa.Schema:
    """The stored file's Arrow schema (from its `footer`) of the selected columns; its
    Table Schema cut to match."""
    stored = footer.schema.to_arrow_schema()
    names = [c.name for c in selection.columns]
    # Copied item by item: pa.schema's stub asks for the wider dict[bytes | str, bytes | str].
    metadata: dict[bytes | str, bytes | str] = {k: v for k, v in (stored.metadata or {}).items()}
    if b"table_schema" in metadata:
        schema = json.loads(metadata[b"table_schema"])
        schema["fields"] = [f for f in schema.get("fields", []) if f.get("name") in names]
        if len(names) != len(stored.names):
            schema.pop("primaryKey", None)
            schema.pop("foreignKeys", None)
        metadata[b"table_schema"] = json.dumps(schema, ensure_ascii=False).encode()
    return pa.schema([stored.field(name) for name in names], metadata=metadata)


def parquet_chunks(engine: QueryEngine, selection: RowSelection) -> Iterator[bytes]:
    """A Parquet file of the selection, typed as the stored one, written row group by group."""
    schema = parquet_schema(selection, engine.footer(selection.resource))
    select = select_sql(selection.columns, Cells.STORED)
    batches = engine.export(selection, select, PARQUET_BATCH_ROWS)
    return _parquet(batches, schema)


def _parquet(batches: Iterator[pa.RecordBatch], schema: pa.Schema) -> Iterator[bytes]:
    sink = _Drain()
    # pyarrow-stubs wants a path, IO or NativeFile; pyarrow takes any object with a `write`.
    with pq.ParquetWriter(sink, schema, compression="zstd") as writer:  # type: ignore[arg-type]
        for batch in batches:
            if batch.num_rows:
                writer.write_batch(batch.cast(schema))
                yield sink.take()
    yield sink.take()


# -- XLSX -------------------------------------------------------------------------------------


def check_xlsx_rows(engine: QueryEngine, selection: RowSelection) -> None:
    """Refuse a selection that does not fit in one Excel sheet, before writing any of it."""
    cap = EXCEL_MAX_ROWS - 1
    known = selection.resource.rows
    rows = known if not selection.where and known is not None else engine.count(selection, cap + 1)
    if rows > cap:
        raise TooManyRows(
            f"the selection has more than {cap:,} rows, the most an Excel sheet holds below "
            "its header; narrow the filters, or download CSV or Parquet"
        )


def write_xlsx(
    engine: QueryEngine, selection: RowSelection, target: IO[bytes], created: datetime = EPOCH
) -> None:
    """The selection as one XLSX sheet, written with constant memory into `target`.

    `created` is the workbook's creation time, which would otherwise be the time of writing:
    the same selection of the same version must be the same bytes (its `ETag` says so).
    """
    check_xlsx_rows(engine, selection)
    select = select_sql(selection.columns, Cells.SPREADSHEET)
    batches = engine.export(selection, select, BATCH_ROWS)
    write_sheet(batches, selection.columns, target, selection.resource.name, created)


# -- the whole dataset as a zip ---------------------------------------------------------------


@dataclass(frozen=True)
class ZipMember:
    """One file of a zip: its name and either a file to copy or the chunks of its bytes.

    A copied file with a known `size` and `sha256` (the descriptor's) is checked as it is
    read: a file that differs ends the zip with an error, not with a complete-looking zip.
    """

    name: str
    path: Path | None = None
    chunks: Callable[[], Iterator[bytes]] | None = None
    compress: bool = True
    size: int | None = None
    sha256: str | None = None


def zip_chunks(members: Iterable[ZipMember], modified: datetime) -> Iterator[bytes]:
    """A zip of `members`, streamed: sizes and checksums follow each member's data."""
    sink = _Drain()
    stamp = (max(modified.year, 1980), *modified.timetuple()[1:6])
    with zipfile.ZipFile(sink, "w", allowZip64=True) as archive:
        for member in members:
            info = zipfile.ZipInfo(member.name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED if member.compress else zipfile.ZIP_STORED
            info.external_attr = 0o644 << 16
            with archive.open(info, "w", force_zip64=True) as entry:
                for chunk in _member_chunks(member):
                    entry.write(chunk)
                    yield sink.take()
            yield sink.take()
    yield sink.take()


def _member_chunks(member: ZipMember) -> Iterator[bytes]:
    if member.chunks is not None:
        yield from member.chunks()
    else:
        yield from zip_member_chunks(member)


def zip_member_chunks(member: ZipMember) -> Iterator[bytes]:
    """The bytes of a member's file, checked against its known size and sha256 as read."""
    if member.path is not None:
        digest, size = hashlib.sha256(), 0
        with member.path.open("rb") as stream:
            while chunk := stream.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                yield chunk
        if (member.size is not None and size != member.size) or (
            member.sha256 is not None and digest.hexdigest() != member.sha256
        ):
            # Raised mid-stream, the error aborts the response: the client sees a cut body.
            raise StoreError(f"{member.name} is not the file that was published")
