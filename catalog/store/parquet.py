"""Writing a published resource's Parquet file a row group at a time.

A resource validated chunk by chunk arrives as a stream of record batches of any size; the
file gets row groups of exactly `row_group_size` rows (the last one fewer), as one
`pq.write_table` of the whole table would give it, holding one row group in memory.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pyarrow as pa
import pyarrow.parquet as pq

COMPRESSION: Literal["zstd"] = "zstd"


@dataclass(frozen=True)
class RowStream:
    """A table as its schema and its record batches, read once."""

    schema: pa.Schema
    batches: Iterable[pa.RecordBatch]


def write_parquet(
    path: Path, rows: pa.Table | RowStream, metadata: dict[bytes, bytes], row_group_size: int
) -> int:
    """Write ``rows`` with ``metadata`` on its schema to ``path``; the number of rows."""
    if isinstance(rows, pa.Table):
        rows = RowStream(rows.schema, rows.to_batches())
    schema = rows.schema.with_metadata(metadata)
    written = 0
    with pq.ParquetWriter(path, schema, compression=COMPRESSION) as writer:
        for group in _groups(rows, schema, row_group_size):
            writer.write_table(group, row_group_size=row_group_size)
            written += group.num_rows
        if written == 0:
            writer.write_table(schema.empty_table())
    return written


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
