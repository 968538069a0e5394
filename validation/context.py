"""What every check needs to know about the resource it reports on."""

from __future__ import annotations

import shutil
import tempfile
import weakref
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.ipc as ipc

if TYPE_CHECKING:  # pyarrow.dataset imports pandas (65 MB), which a server never needs
    import pyarrow.dataset as ds

from validation.errors import ReportError
from validation.reading.readers import RawTable


@dataclass
class Sink:
    """Collects errors up to a limit, so a broken million-row file stays a short report."""

    limit: int
    errors: list[ReportError] = field(default_factory=list)
    dropped: int = 0

    @property
    def room(self) -> int:
        return max(self.limit - len(self.errors), 0)

    def add(self, error: ReportError) -> None:
        if len(self.errors) < self.limit:
            self.errors.append(error)
        else:
            self.dropped += 1

    def extend(self, errors: list[ReportError]) -> None:
        for error in errors:
            self.add(error)


@dataclass
class ResourceContext:
    """One resource being validated: its descriptor, its text and, once typed, its table."""

    name: str
    path: str
    descriptor: Mapping[str, Any]
    raw: RawTable
    typed: pa.Table | None = None
    spool: Spool | None = None  # the typed rows, on disk, of a resource read chunk by chunk
    wanted: set[int] = field(default_factory=set)  # rows whose cells a spooled report lacks

    @property
    def schema(self) -> Mapping[str, Any]:
        schema: Mapping[str, Any] = self.descriptor["schema"]
        return schema

    @property
    def fields(self) -> list[Mapping[str, Any]]:
        return list(self.schema["fields"])

    def field_number(self, name: str) -> int | None:
        for number, field_ in enumerate(self.fields, start=1):
            if field_["name"] == name:
                return number
        return None

    @property
    def checked(self) -> pa.Table | ds.Dataset | None:
        """The typed rows the set-based checks query: in memory, or spooled."""
        return self.spool.dataset() if self.spool is not None else self.typed

    def cells(self, row: int) -> tuple[str, ...]:
        """The source cells of the row numbered ``row``; a spooled resource's are filled in
        after its checks, by one more pass over the file (`wanted`)."""
        if self.spool is not None:
            self.wanted.add(row)
            return ()
        rows = self.raw.rows.to_numpy()
        index = int(np.searchsorted(rows, row))
        if index >= len(rows) or rows[index] != row:
            return ()
        return self.raw.cells(index)

    def with_cells(self, error: ReportError) -> ReportError:
        """``error`` carrying its row's source cells, as Frictionless reports do."""
        return replace(error, cells=self.cells(error.row)) if error.row is not None else error


class Spool:
    """A resource's typed rows (with ``_row``) written chunk by chunk to a private temporary
    Arrow IPC file, so that a file larger than memory is checked by DuckDB from disk and
    published from there. The folder goes when the spool is collected."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="validation-spool-"))
        self.path = self.folder / "typed.arrow"
        self.rows = 0
        self.schema: pa.Schema | None = None
        self._writer: ipc.RecordBatchFileWriter | None = None
        weakref.finalize(self, shutil.rmtree, self.folder, True)

    def write(self, typed: pa.Table) -> None:
        if self.schema is None or self._writer is None:
            self.schema = typed.schema
            # IPC with lz4 writes ~4x faster than Parquet; it is read back once or twice.
            options = ipc.IpcWriteOptions(compression="lz4")
            self._writer = ipc.new_file(str(self.path), typed.schema, options=options)
        self._writer.write_table(typed.cast(self.schema), max_chunksize=1 << 17)
        self.rows += typed.num_rows

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def dataset(self) -> ds.Dataset:
        import pyarrow.dataset  # here: only a validation reads a spool (pandas comes with it)

        return pyarrow.dataset.dataset(self.path, format="ipc")

    def batches(self, columns: list[str]) -> Iterator[pa.RecordBatch]:
        """The spooled batches, ``columns`` only, one read at a time: a dataset scan would
        read many ahead (~1 GB more at 10M rows)."""
        with pa.OSFile(str(self.path), "r") as file:
            reader = ipc.open_file(file)
            for index in range(reader.num_record_batches):
                yield reader.get_batch(index).select(columns)
