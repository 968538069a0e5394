"""Writing a published resource's Parquet file a row group at a time.

A resource validated chunk by chunk arrives as a stream of record batches of any size; the
file gets row groups of exactly `row_group_size` rows (the last one fewer), as one
`pq.write_table` of the whole table would give it, holding one row group in memory.

The writer also checks whether the rows come in strictly ascending order of the resource's
one-column primary key, and says so in the footer (`ASCENDING_KEY`) only when every value
did: the query engine then reads an offset page as a range of row numbers
(`catalog.query.pages`) instead of first finding the row before it.

The one-column primary key is written without a dictionary: its values are unique, so a
dictionary only repeats them (up to pyarrow's 1 MB dictionary page per row group), and
every read of any of its rows decodes that whole page first (4-5 ms a row group of the
10M-row benchmark). An integer key is delta-encoded: rising ids take a few bits each.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa
import pyarrow.parquet as pq

COMPRESSION: Literal["zstd"] = "zstd"
# The footer's key naming the column the rows are stored in strictly ascending order of.
ASCENDING_KEY = b"opendata:ascending"


@dataclass(frozen=True)
class RowStream:
    """A table as its schema and its record batches, read once."""

    schema: pa.Schema
    batches: Iterable[pa.RecordBatch]


def write_parquet(
    path: Path,
    rows: pa.Table | RowStream,
    metadata: dict[bytes, bytes],
    row_group_size: int,
    key: str | None = None,
) -> int:
    """Write ``rows`` with ``metadata`` on its schema to ``path``; the number of rows.
    ``key``: the one-column primary key, whose order is checked (`ASCENDING_KEY`)."""
    if isinstance(rows, pa.Table):
        rows = RowStream(rows.schema, rows.to_batches())
    schema = rows.schema.with_metadata(metadata)
    written = 0
    order = _Ascending(key if key in schema.names else None)
    with pq.ParquetWriter(
        path, schema, compression=COMPRESSION, **_encodings(schema, key)
    ) as writer:
        for group in _groups(rows, schema, row_group_size):
            order.see(group)
            writer.write_table(group, row_group_size=row_group_size)
            written += group.num_rows
        if written == 0:
            writer.write_table(schema.empty_table())
        elif order.key is not None:
            writer.add_key_value_metadata({ASCENDING_KEY.decode(): order.key})
    return written


def _encodings(schema: pa.Schema, key: str | None) -> dict[str, Any]:
    """The writer's options for a unique `key`: no dictionary; delta-encoded if an integer."""
    if key is None or key not in schema.names:
        return {}
    others = [name for name in schema.names if name != key]
    if not pa.types.is_integer(schema.field(key).type):
        return {"use_dictionary": others}
    return {"use_dictionary": others, "column_encoding": {key: "DELTA_BINARY_PACKED"}}


def single_key(table_schema: dict[str, Any]) -> str | None:
    """The primary key of a Table Schema when it is one column, else None."""
    key = table_schema.get("primaryKey")
    if isinstance(key, list):
        return str(key[0]) if len(key) == 1 else None
    return key if isinstance(key, str) else None


class _Ascending:
    """Whether one column's values, seen a row group at a time, rise strictly: `key` stays
    the column's name while they do, and becomes None at the first that does not."""

    def __init__(self, key: str | None) -> None:
        self.key = key
        self._last: pa.Scalar[Any] | None = None

    def see(self, group: pa.Table) -> None:
        if self.key is None or group.num_rows == 0:
            return
        import pyarrow.compute as pc  # here: a server that never publishes never loads it

        column = group.column(self.key).combine_chunks()
        if not _ordered(column.type) or column.null_count:
            self.key = None
            return
        rising = pc.all(pc.less(column[:-1], column[1:])).as_py() is not False
        after = self._last is None or pc.less(self._last, column[0]).as_py() is True
        self._last = column[-1]
        if not (rising and after):
            self.key = None


def _ordered(kind: pa.DataType) -> bool:
    # Types whose order in pyarrow is DuckDB's: integers, text by code point, days.
    return pa.types.is_integer(kind) or pa.types.is_string(kind) or pa.types.is_date32(kind)


def _groups(rows: RowStream, schema: pa.Schema, size: int) -> Iterator[pa.Table]:
    """The rows in tables of exactly ``size`` rows, the last one fewer."""
    pending: list[pa.RecordBatch] = []
    count = 0
    for batch in rows.batches:
        pending.append(batch)
        count += batch.num_rows
        while count >= size:
            table = pa.Table.from_batches(pending, schema=rows.schema)
            yield table.slice(0, size).replace_schema_metadata(schema.metadata)
            rest = table.slice(size)
            pending, count = rest.to_batches(), rest.num_rows
    if count:
        yield pa.Table.from_batches(pending, schema=rows.schema).replace_schema_metadata(
            schema.metadata
        )
