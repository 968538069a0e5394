"""A CSV checked chunk by chunk, and the typed tables a validation hands on.

What one file shows by itself (labels, blank and note rows, row shape, types and cell
constraints) is checked a chunk at a time with the very functions a whole file goes through;
each chunk's typed rows go to a `Spool` on disk, which DuckDB queries for the keys and the
domain checks. Only the report's errors (each check's first `limit + 1`) stay in memory, so
a file of any size is validated within a bounded resident size.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from validation.checks.cells import type_table
from validation.checks.declaration import format_of
from validation.checks.notes import note_row_errors, note_rows
from validation.checks.structure import (
    blank_row_errors,
    blank_rows,
    cell_count_errors,
    label_errors,
    schema_missing_values,
)
from validation.context import ResourceContext, Spool
from validation.errors import ReportError
from validation.flags import flag_rows
from validation.reading.delimited import csv_chunks
from validation.reading.dialect import Dialect, with_null_sequence
from validation.reading.encoding import DecodeFailure, Utf8Stream, scan
from validation.reading.readers import RawTable, ReadFailure, SourceStats, source_path
from validation.schema import arrow_schema

# A CSV larger than this is read chunk by chunk; each chunk is about this many bytes.
CHUNK_BYTES = 8 << 20


@dataclass
class Findings:
    """Each per-row check's errors, in the order a whole file reports them, each capped."""

    limit: int
    checks: list[list[ReportError]] = field(default_factory=lambda: [[] for _ in range(5)])

    def room(self, check: int) -> int:
        return max(self.limit + 1 - len(self.checks[check]), 0)

    def add(self, check: int, errors: list[ReportError]) -> None:
        self.checks[check].extend(errors[: self.room(check)])

    def clear(self) -> None:
        for errors in self.checks:
            errors.clear()


def check_rows(ctx: ResourceContext, findings: Findings, *, first: bool = True) -> pa.Table:
    """Header, row shape, types and cell constraints of ``ctx.raw``: its typed rows."""
    dialect = ctx.descriptor.get("dialect")
    missing_values = with_null_sequence(schema_missing_values(ctx.schema), dialect)
    if first:
        findings.add(0, label_errors(ctx))
    blank = blank_rows(ctx, missing_values)
    findings.add(1, blank_row_errors(ctx, blank, findings.room(1)))
    notes = note_rows(ctx, blank, missing_values)
    findings.add(2, note_row_errors(ctx, notes, findings.room(2)))
    skipped = pc.or_(blank, notes)  # neither is data: its cells are not checked
    findings.add(3, cell_count_errors(ctx, skipped, findings.room(3)))
    typed, errors = type_table(ctx, pc.invert(skipped), missing_values, findings.room(4))
    findings.add(4, errors)
    return typed


def streams(resource: Mapping[str, Any], path: Path, block_size: int, warned: bool) -> bool:
    """Whether a resource's file is read chunk by chunk: a plain CSV larger than a chunk.

    Printed tables (`layout`), XLSX, `skipInitialSpace` CSV, a resource whose rows a
    warning check flags (the flags are written into its table) and one with a
    `decimalsField` number (typed at the largest scale of the whole column) are read whole.
    """
    if warned or resource.get("layout") is not None or format_of(resource) != "csv":
        return False
    schema = resource.get("schema")
    fields = schema.get("fields") if isinstance(schema, Mapping) else None
    if any(isinstance(f, Mapping) and "decimalsField" in f for f in fields or []):
        return False
    if Dialect.from_descriptor(resource.get("dialect")).skip_initial_space:
        return False
    return path.stat().st_size > block_size


def stream_resource(
    ctx: ResourceContext, base_path: Path, findings: Findings, block_size: int
) -> SourceStats:
    """Check ``ctx``'s CSV chunk by chunk into ``ctx.spool``; the file's statistics.

    ``ctx.raw`` ends as the header's labels and the row count, without rows.
    """
    file = source_path(base_path, ctx.path)
    scanned = _scan(file, ctx.descriptor.get("encoding"))
    ctx.spool, count = Spool(), 0
    labels: list[str] = []
    header_row: int | None = None
    for number, raw in enumerate(_chunks(ctx, file, scanned.encoding, block_size)):
        if number == 0:
            labels, header_row = raw.labels, raw.header_row
        chunk = replace(ctx, raw=replace(raw, labels=labels, header_row=header_row), spool=None)
        ctx.spool.write(check_rows(chunk, findings, first=number == 0))
        count += raw.num_rows
    ctx.spool.close()
    ctx.raw = RawTable(labels, header_row, [], pa.array(np.zeros(count, np.int64), pa.int64()))
    return {
        "md5": scanned.md5,
        "sha256": scanned.sha256,
        "bytes": scanned.size,
        "encoding": scanned.encoding,
    }


def _scan(file: Path, encoding: Any) -> Any:
    if file.stat().st_size == 0:
        raise ReadFailure("source-error", "the file is empty")
    try:
        return scan(file, str(encoding) if encoding else None)
    except DecodeFailure as exc:
        raise ReadFailure("encoding-error", exc.message) from None


def _chunks(ctx: ResourceContext, file: Path, encoding: str, block_size: int) -> Iterator[RawTable]:
    dialect = Dialect.from_descriptor(ctx.descriptor.get("dialect"))
    with io.BufferedReader(Utf8Stream(file, encoding), 1 << 20) as stream:
        yield from csv_chunks(stream, dialect, block_size)


def fill_cells(ctx: ResourceContext, errors: list[ReportError], base_path: Path) -> None:
    """Give the errors of a spooled resource the source cells of their rows (one more pass
    over the file, only when the checks across rows reported any)."""
    if ctx.spool is None or not ctx.wanted:
        return
    wanted, found = np.array(sorted(ctx.wanted), np.int64), {}
    file = source_path(base_path, ctx.path)
    encoding = str(ctx.raw.stats["encoding"]) if ctx.raw.stats else "utf-8"
    for raw in _chunks(ctx, file, encoding, CHUNK_BYTES):
        rows = raw.rows.to_numpy()
        for index in np.flatnonzero(np.isin(rows, wanted)):
            found[int(rows[index])] = raw.cells(int(index))
    for position, error in enumerate(errors):
        if error.row in found and not error.cells:
            errors[position] = replace(error, cells=found[error.row])


class TypedTables(Mapping[str, pa.Table]):
    """Each readable resource's rows typed per its schema, by name, without ``_row``: in
    memory, or read from its spool when asked for whole. `batches` streams either."""

    def __init__(self) -> None:
        self._contexts: dict[str, tuple[ResourceContext, pa.Schema, dict[int, list[str]]]] = {}

    def add(self, ctx: ResourceContext, valid: bool, flags: dict[int, list[str]]) -> None:
        typed = ctx.spool.schema if ctx.spool is not None else ctx.typed
        if typed is None:
            return
        schema = arrow_schema(ctx.schema, typed if isinstance(typed, pa.Schema) else typed.schema)
        if not valid:
            schema = pa.schema([f.with_nullable(True) for f in schema])
        self._contexts[ctx.name] = (ctx, schema, flags)

    def schema(self, name: str) -> pa.Schema:
        return self._contexts[name][1]

    def batches(self, name: str) -> Iterator[pa.RecordBatch]:
        """The rows of ``name`` in its published schema, a batch at a time."""
        ctx, schema, _ = self._contexts[name]
        if ctx.spool is None:
            yield from self[name].to_batches()
            return
        for batch in ctx.spool.batches(schema.names):
            yield pa.RecordBatch.from_arrays(batch.columns, schema=schema)

    def __getitem__(self, name: str) -> pa.Table:
        ctx, schema, flags = self._contexts[name]
        if ctx.spool is not None:
            return pa.Table.from_batches(list(self.batches(name)), schema=schema)
        assert ctx.typed is not None
        typed = flag_rows(ctx.typed, flags)
        return pa.Table.from_arrays(typed.drop_columns(["_row"]).columns, schema=schema)

    def __iter__(self) -> Iterator[str]:
        return iter(self._contexts)

    def __len__(self) -> int:
        return len(self._contexts)
