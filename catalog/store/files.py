"""How the query engine opens a store's files where they lie (`Store.files`, `Store.place`).

A reader names a file of a version by its **place**: a local path for a folder store, an
`s3://bucket/key` URL for an object store. `Files` opens places without copying them: a
random-access file for pyarrow (a footer, a schema: a few byte ranges of an object), and a
filesystem registered on a DuckDB connection so that `read_parquet(place)` reads only the
byte ranges it needs. `roots` are the prefixes every place of the store lies under (what
DuckDB's `allowed_directories` holds); `spec` says, as JSON, how another process (the SQL
sandbox's worker) builds the same `Files` (`files_from_spec`), credentials included, so it
travels only over the worker's private pipe.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Protocol

import pyarrow as pa

if TYPE_CHECKING:  # a type only: the SQL sandbox's worker imports this module lazily
    import duckdb


class Files(Protocol):
    """Opens the places of one store's files, in place."""

    roots: tuple[str, ...]
    """Every place lies under one of these (each ends with `/`)."""

    def open(self, place: str) -> pa.NativeFile:
        """The file at `place`, random access (read by byte ranges on an object store)."""
        ...

    def size(self, place: str) -> int | None:
        """The file's size in bytes; None when there is no such file."""
        ...

    def attach(self, con: duckdb.DuckDBPyConnection) -> None:
        """Make `con` able to read places (before its configuration is locked)."""
        ...

    def spec(self) -> dict[str, str]:
        """How `files_from_spec` makes the same in another process (secret: pipe it only);
        empty when that process needs nothing (it reads local files itself)."""
        ...


class LocalFiles:
    """The files of a folder store: places are local paths, read by the local filesystem."""

    def __init__(self, root: str) -> None:
        self.roots: tuple[str, ...] = (root.rstrip("/") + "/",)

    def open(self, place: str) -> pa.NativeFile:
        return pa.OSFile(place, "rb")

    def size(self, place: str) -> int | None:
        try:
            return os.stat(place).st_size
        except OSError:
            return None

    def attach(self, con: duckdb.DuckDBPyConnection) -> None:
        """Nothing to do: DuckDB reads local files itself."""

    def spec(self) -> dict[str, str]:
        return {}


def files_from_spec(spec: Mapping[str, str]) -> Files:
    """The `Files` that a non-empty `spec` (`Files.spec`) describes."""
    # Imported here: a folder store's readers never load pyarrow's S3 and fsspec.
    ranges = importlib.import_module("catalog.store.s3.ranges")
    found: Files = ranges.RangeFiles.from_spec(spec)
    return found
