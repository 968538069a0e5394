"""Downloads: a selection of rows encoded as CSV, JSON, NDJSON, Parquet or XLSX, batch by batch.

Every writer takes the Arrow batches `QueryEngine.stream` reads lazily from DuckDB and yields
bytes as it goes, so memory holds one batch whatever the size of the export (XLSX is the one
format that must be complete before its first byte: it goes to a temporary file).

Values are rendered by DuckDB as /rows renders them: JSON rows come from the same `to_json`
expression; CSV cells are the same values as text (decimals keep their digits, dates ISO,
datetimes with `T`, booleans `true`/`false`, NaN and infinities empty, null empty).

Spreadsheet safety: a text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return
would be run as a formula by Excel or LibreOffice (CSV injection); in CSV and XLSX such a cell
gets a leading `'`. Numbers are numbers and are never touched.

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
from typing import IO, Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import xlsxwriter

from catalog.errors import BadRequest, StoreError
from catalog.query.engine import QueryEngine, Selection, json_row_sql
from catalog.sql import Column

# Rows per Arrow batch: a few MB of CSV, the unit of memory of an export.
BATCH_ROWS = 16_384  # measured: a quarter of the batch, two thirds of the export's memory
# Rows per row group of a filtered Parquet download (the publisher's default).
PARQUET_BATCH_ROWS = 122_880
# Excel's sheet holds 1,048,576 rows; one is the header.
EXCEL_MAX_ROWS = 1_048_576
BOM = b"\xef\xbb\xbf"
TEXTUAL = frozenset({"integer", "number", "year", "boolean", "date", "datetime", "time"})
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 1 << 20
EPOCH = datetime(1980, 1, 1, tzinfo=UTC)  # the earliest time a zip entry can carry


@dataclass(frozen=True)
class Format:
    extension: str
    media_type: str


FORMATS = {
    f.extension: f
    for f in (
        Format("csv", "text/csv; charset=utf-8; header=present"),
        Format("json", "application/json"),
        Format("ndjson", "application/x-ndjson"),
        Format("parquet", "application/vnd.apache.parquet"),
        Format("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    )
}
ZIP_MEDIA_TYPE = "application/zip"


class TooManyRows(BadRequest):
    slug = "too-many-rows"
    title = "Too Many Rows"


def neutralised(value: str) -> str:
    """`value` made safe to open in a spreadsheet: a leading `'` before a formula start."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def neutralised_sql(text: str) -> str:
    """The SQL of `neutralised` over the text expression `text`."""
    starts = ", ".join(
        "'" + s + "'" if s.isprintable() else f"chr({ord(s)})" for s in FORMULA_STARTS
    )
    return f"CASE WHEN left({text}, 1) IN ({starts}) THEN '''' || {text} ELSE {text} END"


def _is_text(column: Column) -> bool:
    return column.type not in TEXTUAL


def text_sql(column: Column) -> str:
    """`column` as the CSV text of its value (NULL for null and non-finite numbers)."""
    name = column.sql
    if column.type == "number" and column.decimals is None:
        return f"CASE WHEN isfinite({name}) THEN CAST({name} AS VARCHAR) END"
    if column.type == "datetime":
        return f"replace(CAST({name} AS VARCHAR), ' ', 'T')"
    if _is_text(column):
        return neutralised_sql(f"CAST({name} AS VARCHAR)")
    return f"CAST({name} AS VARCHAR)"


def cell_sql(column: Column) -> str:
    """`column` as an XLSX cell: numbers as doubles, dates as dates, text neutralised."""
    name = column.sql
    if column.type == "number":
        return f"CASE WHEN isfinite(CAST({name} AS DOUBLE)) THEN CAST({name} AS DOUBLE) END"
    if column.type in TEXTUAL:
        return name
    return neutralised_sql(f"CAST({name} AS VARCHAR)")


def _stored(column: Column) -> str:
    return column.sql


def _select(columns: Iterable[Column], render: Callable[[Column], str]) -> str:
    return ", ".join(f"{render(c)} AS {c.sql}" for c in columns)


# -- CSV --------------------------------------------------------------------------------------


def csv_chunks(engine: QueryEngine, selection: Selection, *, bom: bool = False) -> Iterator[bytes]:
    """The selection as UTF-8 CSV with a header row (and a BOM for Excel when asked)."""
    batches = engine.export(selection, _select(selection.columns, text_sql), BATCH_ROWS)
    return _csv(batches, [c.name for c in selection.columns], bom)


def _csv(batches: Iterator[pa.RecordBatch], names: list[str], bom: bool) -> Iterator[bytes]:
    yield (BOM if bom else b"") + csv_header(names)
    for batch in batches:
        if batch.num_rows:
            yield _csv_bytes(batch)


def csv_header(names: Iterable[str]) -> bytes:
    """The header line as Arrow's CSV writer writes it, every name quoted.

    Written here, not by Arrow: Arrow writing a header for an empty table raised the peak
    memory of a 10M-row export by 30 MB (measured).
    """
    return (",".join('"' + name.replace('"', '""') + '"' for name in names) + "\n").encode()


def _csv_bytes(batch: pa.RecordBatch) -> bytes:
    sink = pa.BufferOutputStream()
    pacsv.write_csv(batch, sink, pacsv.WriteOptions(include_header=False))
    return bytes(sink.getvalue().to_pybytes())


# -- JSON and NDJSON --------------------------------------------------------------------------


def json_chunks(engine: QueryEngine, selection: Selection, *, lines: bool) -> Iterator[bytes]:
    """The selection as a JSON array of row objects, or one object per line (NDJSON)."""
    select = f"CAST({json_row_sql(selection.columns)} AS VARCHAR)"
    batches = engine.export(selection, select, BATCH_ROWS)
    return _ndjson(batches) if lines else _json_array(batches)


def _joined(batch: pa.RecordBatch, separator: str) -> bytes:
    rows = batch.column(0).cast(pa.string())
    offsets = pa.array([0, len(rows)], pa.int32())
    joined = pc.binary_join(pa.ListArray.from_arrays(offsets, rows), separator)
    return bytes(joined[0].as_py().encode())


def _ndjson(batches: Iterator[pa.RecordBatch]) -> Iterator[bytes]:
    for batch in batches:
        if batch.num_rows:
            yield _joined(batch, "\n") + b"\n"


def _json_array(batches: Iterator[pa.RecordBatch]) -> Iterator[bytes]:
    yield b"["
    first = True
    for batch in batches:
        if batch.num_rows:
            yield (b"\n" if first else b",\n") + _joined(batch, ",\n")
            first = False
    yield b"\n]\n"


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


def parquet_schema(selection: Selection) -> pa.Schema:
    """The stored file's Arrow schema of the selected columns; its Table Schema cut to match."""
    stored = pq.read_schema(selection.resource.path)
    names = [c.name for c in selection.columns]
    metadata = dict(stored.metadata or {})
    if b"table_schema" in metadata:
        schema = json.loads(metadata[b"table_schema"])
        schema["fields"] = [f for f in schema.get("fields", []) if f.get("name") in names]
        if len(names) != len(stored.names):
            schema.pop("primaryKey", None)
            schema.pop("foreignKeys", None)
        metadata[b"table_schema"] = json.dumps(schema, ensure_ascii=False).encode()
    return pa.schema([stored.field(name) for name in names], metadata=metadata)


def parquet_chunks(engine: QueryEngine, selection: Selection) -> Iterator[bytes]:
    """A Parquet file of the selection, typed as the stored one, written row group by group."""
    schema = parquet_schema(selection)
    batches = engine.export(selection, _select(selection.columns, _stored), PARQUET_BATCH_ROWS)
    return _parquet(batches, schema)


def _parquet(batches: Iterator[pa.RecordBatch], schema: pa.Schema) -> Iterator[bytes]:
    sink = _Drain()
    with pq.ParquetWriter(sink, schema, compression="zstd") as writer:
        for batch in batches:
            if batch.num_rows:
                writer.write_batch(batch.cast(schema))
                yield sink.take()
    yield sink.take()


# -- XLSX -------------------------------------------------------------------------------------


def check_xlsx_rows(engine: QueryEngine, selection: Selection) -> None:
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
    engine: QueryEngine, selection: Selection, target: IO[bytes], created: datetime = EPOCH
) -> None:
    """The selection as one XLSX sheet, written with constant memory into `target`.

    `created` is the workbook's creation time, which would otherwise be the time of writing:
    the same selection of the same version must be the same bytes (its `ETag` says so).
    """
    check_xlsx_rows(engine, selection)
    batches = engine.export(selection, _select(selection.columns, cell_sql), BATCH_ROWS)
    _xlsx(batches, selection.columns, target, selection.resource.name, created)


def _xlsx(
    batches: Iterator[pa.RecordBatch],
    columns: list[Column],
    target: IO[bytes],
    sheet: str,
    created: datetime,
) -> None:
    options = {
        "constant_memory": True,
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
        "in_memory": False,
    }
    with xlsxwriter.Workbook(target, options) as book:
        book.set_properties({"created": created})
        bold = book.add_format({"bold": True})
        formats = {
            "date": book.add_format({"num_format": "yyyy-mm-dd"}),
            "datetime": book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
            "time": book.add_format({"num_format": "hh:mm:ss"}),
        }
        page = book.add_worksheet(_sheet_name(sheet))
        page.freeze_panes(1, 0)
        for index, column in enumerate(columns):
            page.write_string(0, index, column.name, bold)
        writers = [_cell_writer(page, column, formats) for column in columns]
        row = 1
        for batch in batches:
            values = [batch.column(i).to_pylist() for i in range(len(columns))]
            for offset in range(batch.num_rows):
                for index, write in enumerate(writers):
                    value = values[index][offset]
                    if value is not None:
                        write(row + offset, index, value)
            row += batch.num_rows


def _sheet_name(name: str) -> str:
    cleaned = "".join("_" if c in "[]:*?/\\" else c for c in name).strip("'")
    return cleaned[:31] or "data"


def _cell_writer(page: Any, column: Column, formats: dict[str, Any]) -> Callable[..., Any]:
    if column.type in ("integer", "year", "number"):
        return page.write_number  # type: ignore[no-any-return]
    if column.type == "boolean":
        return page.write_boolean  # type: ignore[no-any-return]
    if column.type in formats:
        fmt = formats[column.type]
        return lambda r, c, v: page.write_datetime(r, c, v, fmt)
    return page.write_string  # type: ignore[no-any-return]


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
    elif member.path is not None:
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
