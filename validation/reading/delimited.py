"""Reading a CSV into the raw-text table, as its Table Dialect says (`validation.reading.dialect`).

pyarrow parses; Python sees only the ragged rows, the header rows and the rows the dialect
declares as comments. Rows keep the file's numbers (the header row is 1): a comment row
dropped from the data leaves a gap, so every error still points at its line.
"""

from __future__ import annotations

import bisect
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any, Literal, cast

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from validation.reading.dialect import Dialect
from validation.reading.encoding import DecodeFailure, decode
from validation.reading.readers import RawTable, ReadFailure, file_stats

BadRows = list[tuple[int | None, str]]


def read_csv(data: bytes, encoding: str | None, dialect: Dialect) -> RawTable:
    """Parse CSV bytes; pyarrow does the work, Python only sees the ragged rows."""
    try:
        decoded = decode(data, encoding)
    except DecodeFailure as exc:
        raise ReadFailure("encoding-error", exc.message) from None
    first = dialect.header_rows[0] if dialect.header_rows else 1
    if dialect.skip_initial_space:
        parsed = _parse_in_python(decoded.data, dialect, first)
    else:
        table, bad = _parse(decoded.data, dialect, first - 1, threaded=True)
        if any(number is None for number, _ in bad):
            # Threaded parsing does not know where a bad row sits; only bad files pay for this.
            table, bad = _parse(decoded.data, dialect, first - 1, threaded=False)
        parsed = _located(table, bad, dialect, first)
    raw = _assemble(parsed, dialect, first)
    raw.stats = file_stats(data, decoded.encoding)
    return raw


@dataclass
class _Parsed:
    """The rows as parsed: well-formed rows by column, with their numbers; ragged ones split."""

    columns: list[pa.StringArray]
    numbers: Any  # numpy int64, ascending
    ragged: dict[int, tuple[str, ...]]


def _parse(data: bytes, dialect: Dialect, skip: int, *, threaded: bool) -> tuple[pa.Table, BadRows]:
    bad: BadRows = []
    try:
        table = pacsv.read_csv(io.BytesIO(data), **_options(dialect, skip, threaded, bad))
    except (pa.ArrowException, ValueError, TypeError) as exc:
        raise _unparsable(exc) from None
    return table, bad


def _unparsable(exc: Exception) -> ReadFailure:
    # Unbalanced quotes, a dialect pyarrow refuses (two-character delimiter)…
    return ReadFailure("source-error", f"the CSV cannot be parsed: {exc}")


def _options(
    dialect: Dialect, skip: int, threaded: bool, bad: BadRows, block_size: int | None = None
) -> dict[str, Any]:
    """pyarrow's options for the dialect; rows with too few or many cells go to ``bad``."""

    def on_bad_row(row: pacsv.InvalidRow) -> Literal["skip"]:
        bad.append((row.number, row.text))
        return "skip"

    reading = pacsv.ReadOptions(skip_rows=skip, autogenerate_column_names=True)
    reading.use_threads = threaded
    if block_size is not None:
        reading.block_size = block_size
    return {
        "read_options": reading,
        "parse_options": pacsv.ParseOptions(
            delimiter=dialect.delimiter,
            quote_char=dialect.quote_char or False,
            double_quote=dialect.double_quote,
            escape_char=dialect.escape_char or False,
            newlines_in_values=True,
            ignore_empty_lines=False,
            invalid_row_handler=on_bad_row,
        ),
        "convert_options": pacsv.ConvertOptions(
            column_types=_ALL_STRINGS,
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    }


# Typing comes later: every column pyarrow may generate is read as text.
_ALL_STRINGS = {f"f{i}": pa.string() for i in range(4096)}


def _split_row(text: str, dialect: Dialect) -> tuple[str, ...]:
    return tuple(cell for row in _reader(text, dialect) for cell in row)


def _reader(text: str, dialect: Dialect) -> Any:
    return csv.reader(
        io.StringIO(text, newline=""),
        delimiter=dialect.delimiter,
        quotechar=dialect.quote_char or '"',
        doublequote=dialect.double_quote,
        escapechar=dialect.escape_char,
        skipinitialspace=dialect.skip_initial_space,
    )


def _located(table: pa.Table, bad: BadRows, dialect: Dialect, first: int) -> _Parsed:
    total = table.num_rows + len(bad)
    ragged = {int(number or 0): _split_row(text, dialect) for number, text in bad}
    numbers = np.arange(first, first + total, dtype=np.int64)
    if ragged:
        keep = np.ones(total, dtype=bool)
        keep[np.fromiter(ragged, dtype=np.int64, count=len(ragged)) - first] = False
        numbers = numbers[keep]
    columns = [_text_column(table, i) for i in range(table.num_columns)]
    return _Parsed(columns, numbers, ragged)


def _parse_in_python(data: bytes, dialect: Dialect, first: int) -> _Parsed:
    """The csv module's parse, for `skipInitialSpace`, which pyarrow lacks: after the spaces
    a quote still opens a quoted cell (`1, "a,b"`)."""
    try:
        rows = list(_reader(data.decode("utf-8"), dialect))[first - 1 :]
    except csv.Error as exc:
        raise ReadFailure("source-error", f"the CSV cannot be parsed: {exc}") from None
    width = len(rows[0]) if rows else 0
    good = [(n, row) for n, row in enumerate(rows, start=first) if len(row) == width]
    return _Parsed(
        columns=[pa.array([row[i] for _, row in good], pa.string()) for i in range(width)],
        numbers=np.array([n for n, _ in good], dtype=np.int64),
        ragged={n: tuple(row) for n, row in enumerate(rows, start=first) if len(row) != width},
    )


def _assemble(parsed: _Parsed, dialect: Dialect, first: int) -> RawTable:
    columns, numbers, width = parsed.columns, parsed.numbers, len(parsed.columns)
    comments = _comment_mask(columns, numbers, dialect)
    bad_rows = {n: c for n, c in parsed.ragged.items() if not _is_comment(n, c, dialect)}
    last = dialect.header_rows[-1] if dialect.header_rows else first - 1
    _check_header_block(numbers[~comments], bad_rows, dialect.header_rows)
    labels = _labels(columns, numbers, bad_rows, dialect, width)
    data = (numbers > last) & ~comments
    raw = RawTable(
        labels=labels,
        header_row=dialect.header_rows[0] if dialect.header_rows else None,
        columns=[_rows_of(column, data) for column in columns],
        rows=pa.array(numbers[data], pa.int64()),
    )
    _merge_ragged(raw, {n: c for n, c in bad_rows.items() if n > last}, width)
    return raw


def _text_column(table: pa.Table, index: int) -> pa.StringArray:
    # _parse reads every column as text (_ALL_STRINGS); a Table's stub cannot know that.
    return cast("pa.StringArray", table.column(index).combine_chunks())


def _rows_of(column: pa.StringArray, keep: Any) -> pa.StringArray:
    # The data rows are a tail of the file unless comment rows sit among them.
    start = int(np.argmax(keep)) if keep.any() else len(keep)
    if keep[start:].all():
        return column.slice(start)
    return column.filter(pa.array(keep, pa.bool_()))


def _comment_mask(columns: list[pa.StringArray], numbers: Any, dialect: Dialect) -> Any:
    """The rows `commentRows` lists, and those whose first cell starts with `commentChar`."""
    mask = np.isin(numbers, np.fromiter(dialect.comment_rows, np.int64))
    if dialect.comment_char and columns:
        # Parsed cells are never null (ragged rows are merged later), so neither is this.
        starts = pc.starts_with(columns[0], dialect.comment_char)
        mask |= starts.to_numpy(zero_copy_only=False)
    return mask


def _is_comment(number: int, cells: tuple[str, ...], dialect: Dialect) -> bool:
    if number in dialect.comment_rows:
        return True
    char = dialect.comment_char
    return bool(char) and bool(cells) and cells[0].startswith(char or "")


def _check_header_block(
    numbers: Any, bad_rows: dict[int, tuple[str, ...]], header: tuple[int, ...]
) -> None:
    """A row between two header rows is a header row or a comment row, never data."""
    if len(header) < 2:
        return
    inside = {int(n) for n in numbers if header[0] < n < header[-1]}
    inside |= {n for n in bad_rows if header[0] < n < header[-1]}
    stray = sorted(inside - set(header))
    if stray:
        raise ReadFailure(
            "dialect-error",
            f"row {stray[0]} lies between header rows {header[0]} and {header[-1]}:"
            " list it in dialect.headerRows or dialect.commentRows",
        )


def _labels(
    columns: list[pa.StringArray],
    numbers: Any,
    bad_rows: dict[int, tuple[str, ...]],
    dialect: Dialect,
    width: int,
) -> list[str]:
    """Each column's header cells, top to bottom, joined by `headerJoin` (blanks left out,
    so a label spread over merged cells reads once)."""
    if not dialect.header_rows:
        return []
    parts: list[list[str]] = [[] for _ in range(width)]
    for number in dialect.header_rows:
        if number in bad_rows:
            cells = list(bad_rows[number])[:width] + [""] * width
        else:
            index = int(np.searchsorted(numbers, number))
            present = index < len(numbers) and numbers[index] == number
            cells = [str(c[index].as_py()) if present else "" for c in columns]
        for position in range(width):
            if cells[position]:
                parts[position].append(cells[position])
    return [dialect.header_join.join(part) for part in parts]


def _merge_ragged(raw: RawTable, bad_rows: dict[int, tuple[str, ...]], width: int) -> None:
    """Put rows with too few or too many cells back in place, padded or cut to the header."""
    rows = sorted(bad_rows)
    if not rows:
        return
    raw.ragged = {number: bad_rows[number] for number in rows}
    for number in rows:
        cells = bad_rows[number]
        raw.extra_cells += [(number, i + 1, cells[i]) for i in range(width, len(cells))]
    padded = [
        pa.array(
            [cells[i] if i < len(cells) else None for cells in raw.ragged.values()], pa.string()
        )
        for i in range(width)
    ]
    all_rows = pa.concat_arrays([raw.rows, pa.array(rows, pa.int64())])
    order = pc.sort_indices(all_rows)
    raw.rows = all_rows.take(order)
    raw.columns = [
        pa.concat_arrays([c, p]).take(order) for c, p in zip(raw.columns, padded, strict=True)
    ]


# ------------------------------------------------------------------------- chunk by chunk


class RowPastChunk(Exception):
    """The CSV does not parse chunk by chunk: a row (a quoted cell of many lines) longer
    than a chunk, or a fault (an unbalanced quote). Read whole, it parses, or `read_csv`
    says why not, in the very words it always has."""


def csv_chunks(source: IO[bytes], dialect: Dialect, block_size: int) -> Iterator[RawTable]:
    """The CSV as raw-text tables of about ``block_size`` bytes each, rows numbered as
    ``read_csv`` numbers them; the first holds every header row and carries the labels.

    ``skipInitialSpace`` is not read this way (Python parses it, whole).
    """
    first = dialect.header_rows[0] if dialect.header_rows else 1
    bad: BadRows = []
    try:
        reader = pacsv.open_csv(source, **_options(dialect, first - 1, False, bad, block_size))
    except (pa.ArrowException, ValueError, TypeError) as exc:
        raise RowPastChunk(str(exc)) from None
    numbering = _Numbering(first, bad, dialect)
    head: list[_Parsed] = []
    last_header = dialect.header_rows[-1] if dialect.header_rows else 0
    for parsed in _parsed_batches(reader, numbering):
        head.append(parsed)
        if len(head[-1].numbers) and head[-1].numbers[-1] < last_header:
            continue  # the header is not whole yet
        yield _assemble(_joined(head), dialect, first)
        head = []
    tail = numbering.rest(len(reader.schema))
    if head or tail.ragged:
        yield _assemble(_joined([*head, tail]), dialect, first)


def _parsed_batches(reader: pacsv.CSVStreamingReader, numbering: _Numbering) -> Iterator[_Parsed]:
    while True:
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            return
        except (pa.ArrowException, ValueError, TypeError) as exc:
            raise RowPastChunk(str(exc)) from None
        columns = [cast("pa.StringArray", column) for column in batch.columns]
        yield numbering.place(columns)


class _Numbering:
    """Numbers the rows of each batch: ragged rows are reported (with their numbers) as the
    parser meets them, possibly ahead of the batch that returns; good rows take the rest."""

    def __init__(self, first: int, bad: BadRows, dialect: Dialect) -> None:
        self.next = first
        self.bad = bad  # appended to by the parser, in file order
        self.dialect = dialect

    def place(self, columns: list[pa.StringArray]) -> _Parsed:
        count = len(columns[0]) if columns else 0
        numbers = [int(number or 0) for number, _ in self.bad]
        end = self.next + count - 1
        while end != self.next + count - 1 + bisect.bisect_right(numbers, end):
            end = self.next + count - 1 + bisect.bisect_right(numbers, end)
        return self._taken(columns, bisect.bisect_right(numbers, end), end)

    def rest(self, width: int) -> _Parsed:
        empty = [pa.array([], pa.string()) for _ in range(width)]
        return self._taken(empty, len(self.bad), self.next - 1)

    def _taken(self, columns: list[pa.StringArray], taken: int, end: int) -> _Parsed:
        ragged, self.bad[:taken] = self.bad[:taken], []
        numbers = np.arange(self.next, end + 1, dtype=np.int64)
        skipped = np.array([int(n or 0) for n, _ in ragged], dtype=np.int64)
        if len(skipped):
            numbers = numbers[~np.isin(numbers, skipped)]
        self.next = end + 1
        cells = {int(n or 0): _split_row(text, self.dialect) for n, text in ragged}
        return _Parsed(columns, numbers, cells)


def _joined(parts: list[_Parsed]) -> _Parsed:
    if len(parts) == 1:
        return parts[0]
    width = max(len(part.columns) for part in parts)
    columns = [pa.concat_arrays([p.columns[i] for p in parts if p.columns]) for i in range(width)]
    ragged = {n: cells for part in parts for n, cells in part.ragged.items()}
    return _Parsed(columns, np.concatenate([p.numbers for p in parts]), ragged)
