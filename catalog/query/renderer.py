"""The output renderer: a query's columns as output cells, written as CSV, TSV, JSON or XLSX.

Shared by the downloads (`catalog.query.downloads`), the CKAN DataStore's search records and
dumps, and `opendata push`. Each output selects its columns as cells with
`catalog.sql.cells` (`select_sql(columns, Cells.TEXT)`, ...: there, not here, because the
SQL sandbox's workers render their JSON rows with it and import nothing heavier than DuckDB),
so that DuckDB renders every value; one writer here turns the Arrow batches of that query
into bytes as they come: memory holds one batch whatever the size of the output (XLSX, which
must be complete before its first byte, goes to a file).

The CSV downloads (`text_csv_chunks`) are written as RFC 4180 says and a person expects: a
cell is quoted only when it needs to be (it holds a comma, a quote, a line break, starts or
ends with a space or a tab, or is empty text, which an empty cell would make null), numbers,
dates and booleans as their text, the header likewise. CKAN's CSV and TSV come from Arrow's
CSV writer (`delimited_chunks`), which quotes every text cell and leaves numbers, booleans and
dates bare; its header is `delimited_line`, quoted where needed.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from itertools import product
from types import ModuleType
from typing import IO, TYPE_CHECKING, Any, cast

import pyarrow as pa

from catalog.sql import EXACT_NUMBER, Column


class _Later:
    """A module imported at its first use, not with this one."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attribute: str) -> Any:
        module: ModuleType = importlib.import_module(self._name)
        return getattr(module, attribute)


if TYPE_CHECKING:
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv
    import xlsxwriter
else:
    # At the first batch rendered: Arrow's compute library cost a server that had rendered
    # nothing 8.6 MB of resident memory (measured at /readyz on the shipped catalogue).
    pc = _Later("pyarrow.compute")
    pacsv = _Later("pyarrow.csv")

BOM = b"\xef\xbb\xbf"
Batches = Iterator[pa.RecordBatch]

# -- CSV and TSV ------------------------------------------------------------------------------


def delimited_chunks(
    batches: Batches,
    header: bytes,
    *,
    delimiter: str = ",",
    bom: bool = False,
    width: int | None = None,
) -> Iterator[bytes]:
    """The header line, then each batch as CSV (or TSV) lines: the one CSV writer.

    `width` keeps only the first columns of each batch (a column the query needs but the
    output does not show, such as the DataStore's paging key, comes last).
    """
    yield (BOM if bom else b"") + header
    options = pacsv.WriteOptions(include_header=False, delimiter=delimiter)
    for batch in batches:
        if batch.num_rows:
            shown = batch if width is None else batch.select(list(range(width)))
            if any(pa.types.is_struct(column.type) for column in shown.columns):
                yield _exact_lines(shown, delimiter)
                continue
            sink = pa.BufferOutputStream()
            pacsv.write_csv(shown, sink, options)
            yield bytes(sink.getvalue().to_pybytes())


def _exact_lines(batch: pa.RecordBatch, delimiter: str) -> bytes:
    """CSV lines as Arrow's writer writes them, with exact numbers (a struct column of
    `catalog.sql.cells`) bare: Arrow would quote their text, and as a decimal type it writes
    small values as `1.0E-7`. Arrow's writer casts each cell to text and quotes strings."""
    cells = [_csv_cells(column) for column in batch.columns]
    lines = _join(*cells, delimiter, null_handling="replace", null_replacement="")
    return bytes(("\n".join(cast("list[str]", lines.to_pylist())) + "\n").encode())


def _csv_cells(column: pa.Array[Any]) -> pa.Array[Any]:
    if pa.types.is_struct(column.type):
        return cast("pa.StructArray", column).field(0)
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        doubled = pc.replace_substring(column, '"', '""')
        quoted: pa.Array[Any] = _join('"', doubled, '"', "")
        return quoted
    return pc.cast(column, pa.string())


def _join(*parts: Any, **options: Any) -> Any:
    """`binary_join_element_wise`: pyarrow-stubs want every argument of one kind; Arrow takes
    arrays and plain strings (scalars) mixed, the last being the separator."""
    return pc.binary_join_element_wise(*parts, **options)


def csv_header(names: Iterable[str]) -> bytes:
    """The header line of a CSV download: each name quoted only where it needs to be."""
    return delimited_line([csv_cell(name) for name in names], ",", "\n", quote=False).encode()


# Text a CSV cell must quote (RFC 4180, and a space or tab at either end, which readers may
# trim); an empty text is quoted too, so that it stays apart from an empty (null) cell.
NEEDS_QUOTES = r'^$|[",\r\n]|^[ \t]|[ \t]$'


def csv_cell(text: str) -> str:
    """`text` as one cell of a CSV download: quoted only where `NEEDS_QUOTES` says."""
    if re.search(NEEDS_QUOTES, text):
        return '"' + text.replace('"', '""') + '"'
    return text


def text_csv_chunks(
    batches: Batches, header: bytes, textual: Sequence[bool], *, bom: bool = False
) -> Iterator[bytes]:
    """The header line, then each batch (every column text, `Cells.TEXT`) as CSV lines.

    `textual` says which columns hold text that may need quotes; the others (numbers,
    dates, booleans rendered as text) never do and are written as they are.
    """
    yield (BOM if bom else b"") + header
    for batch in batches:
        if batch.num_rows:
            yield _text_lines(batch, textual)


def _text_lines(batch: pa.RecordBatch, textual: Sequence[bool]) -> bytes:
    lone = batch.num_columns == 1  # a lone empty cell would be a blank line, which readers skip
    cells = [
        _quoted(column, lone) if text or lone else column
        for column, text in zip(batch.columns, textual, strict=True)
    ]
    lines = _join(*cells, ",", null_handling="replace", null_replacement="")
    return _text_bytes(pc.cast(lines, pa.string()))


def _quoted(column: pa.Array[Any], lone: bool) -> pa.Array[Any]:
    text = pc.cast(column, pa.string())
    needs = _needs_quotes(text)
    chosen = text
    if pc.any(needs).as_py():
        quoted = _join('"', pc.replace_substring(text, '"', '""'), '"', "")
        chosen = pc.if_else(needs, quoted, text)
    # pyarrow-stubs type fill_null's value as an array; Arrow takes a plain string too.
    return pc.fill_null(chosen, '""') if lone else chosen  # type: ignore[arg-type]


def _needs_quotes(text: pa.Array[Any]) -> pa.Array[Any]:
    """`NEEDS_QUOTES` of each cell, found without a regex where the column's bytes hold no
    quote, comma or line break (nearly always)."""
    edges = pc.equal(pc.binary_length(cast("pa.StringArray", text)), pa.scalar(0, pa.int32()))
    for test, mark in product((pc.starts_with, pc.ends_with), (" ", "\t")):
        edges = pc.or_(edges, test(text, mark))
    data = text.buffers()[2]
    held = data.to_pybytes() if data is not None else b""
    if any(mark in held for mark in (b'"', b",", b"\r", b"\n")):
        edges = pc.or_(edges, pc.match_substring_regex(text, '[",\r\n]'))
    return edges


def _text_bytes(lines: pa.Array[Any]) -> bytes:
    """The lines (a string array without nulls), each ended by a line feed."""
    offsets = pa.array([0, len(lines)], pa.int32())
    # pyarrow-stubs' binary_join has no overloads: a list array in gives a string array out.
    joined = cast("pa.StringArray", pc.binary_join(pa.ListArray.from_arrays(offsets, lines), "\n"))
    buffer = joined[0].as_buffer()
    return (buffer.to_pybytes() if buffer is not None else b"") + b"\n"


def delimited_line(
    cells: Sequence[str], delimiter: str, terminator: str = "\n", *, quote: bool = True
) -> str:
    """One line as Python's csv module writes it (CKAN's dumps): a cell quoted when it holds
    the delimiter, a quote or a line break of either kind, a lone empty cell as `""`
    (`quote=False`: the cells are quoted already)."""
    special = (delimiter, '"', "\n", "\r")

    def field(text: str) -> str:
        if quote and any(mark in text for mark in special):
            return '"' + text.replace('"', '""') + '"'
        return text

    line = delimiter.join(field(cell) for cell in cells)
    return (line if line or len(cells) != 1 else '""') + terminator  # not a blank line


def delimited_text(rows: Iterable[Sequence[Any]], delimiter: str) -> str:
    """Rows of Python values (CKAN's `records_format` csv and tsv) as delimited lines."""
    return "".join(delimited_line([_text(cell) for cell in row], delimiter) for row in rows)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):  # an exact number (see `_exact_lines`)
        return _text(value[EXACT_NUMBER])
    return str(value)


# -- JSON and NDJSON: one JSON object text per row, in the first column ----------------------


def json_array_chunks(batches: Batches) -> Iterator[bytes]:
    """The rows as one JSON array, a row per line."""
    yield b"["
    first = True
    for batch in batches:
        if batch.num_rows:
            yield (b"\n" if first else b",\n") + _joined(batch, ",\n")
            first = False
    yield b"\n]\n"


def ndjson_chunks(batches: Batches) -> Iterator[bytes]:
    """The rows as newline-delimited JSON."""
    for batch in batches:
        if batch.num_rows:
            yield _joined(batch, "\n") + b"\n"


def _joined(batch: pa.RecordBatch, separator: str) -> bytes:
    rows = batch.column(0).cast(pa.string())
    offsets = pa.array([0, len(rows)], pa.int32())
    # pyarrow-stubs' binary_join has no overloads ("a scalar or an array"): a list array in
    # gives a string array out.
    joined = cast(
        "pa.StringArray", pc.binary_join(pa.ListArray.from_arrays(offsets, rows), separator)
    )
    return bytes(joined[0].as_py().encode())


# -- XLSX -------------------------------------------------------------------------------------


def write_sheet(
    batches: Batches, columns: list[Column], target: IO[bytes], sheet: str, created: datetime
) -> None:
    """The rows (selected as `Cells.SPREADSHEET`) as one XLSX sheet under a bold header,
    written with constant memory into `target`; `created` is the workbook's creation time."""
    # Imported here: a server that never writes a workbook need not hold the library.
    import xlsxwriter

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
        exact = _exact_writer(page, book)
        writers = [
            exact if column.decimals_field else _cell_writer(page, column, formats)
            for column in columns
        ]
        _write_rows(batches, writers)


def _write_rows(batches: Batches, writers: list[Callable[..., Any]]) -> None:
    row = 1
    for batch in batches:
        values = [batch.column(i).to_pylist() for i in range(len(writers))]
        for offset in range(batch.num_rows):
            for index, write in enumerate(writers):
                value = values[index][offset]
                if value is not None:
                    write(row + offset, index, value)
        row += batch.num_rows


def _exact_writer(page: Any, book: xlsxwriter.Workbook) -> Callable[..., Any]:
    """Writes an exact number's text as a number shown with the same decimals (`0.0`)."""
    formats: dict[int, xlsxwriter.format.Format] = {}

    def write(row: int, column: int, text: str) -> None:
        places = len(text.partition(".")[2])
        if places not in formats:
            shown = "0." + "0" * places if places else "0"
            formats[places] = book.add_format({"num_format": shown})
        page.write_number(row, column, float(text), formats[places])

    return write


def _sheet_name(name: str) -> str:
    cleaned = "".join("_" if c in "[]:*?/\\" else c for c in name).strip("'")
    return cleaned[:31] or "data"


def _cell_writer(
    page: Any, column: Column, formats: dict[str, xlsxwriter.format.Format]
) -> Callable[..., Any]:
    if column.type in ("integer", "year", "number"):
        return page.write_number  # type: ignore[no-any-return]
    if column.type == "boolean":
        return page.write_boolean  # type: ignore[no-any-return]
    if column.type in formats:
        fmt = formats[column.type]
        return lambda r, c, v: page.write_datetime(r, c, v, fmt)
    return page.write_string  # type: ignore[no-any-return]
