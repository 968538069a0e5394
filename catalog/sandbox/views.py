"""The views of a SQL worker's database: one per published resource, reading its file in place.

One unreadable file must not take SQL down for every other view: its view is left out (a
damaged file; the worker logs it). When the store failed the read, the whole build fails
instead (503), since a view left out would be missing until the views next change. A file
the store does not hold now (`ObjectMissing`: one object lost, a restore under way) is
neither: its view is left out and named, the worker refuses a query that names it as the
store being unavailable, and looks for the file again (`catalog.sandbox.worker`).
"""

from __future__ import annotations

import functools
import importlib
import json
import sys
from typing import Any

import duckdb

from catalog.errors import ObjectMissing, store_failure
from catalog.sandbox.protocol import id_view
from catalog.sql import quote


def attach(con: duckdb.DuckDBPyConnection, files: dict[str, str]) -> None:
    """Register what opens the store's places: imported only for a store that needs it (an
    object store's filesystem costs a worker ~50 MB: pyarrow's S3 and fsspec)."""
    _files(json.dumps(files, sort_keys=True)).attach(con)


@functools.lru_cache(maxsize=2)
def _files(spec: str) -> Any:
    """One `Files` per store for the worker's life: what it learnt of the files is kept
    across the databases it rebuilds when the views change."""
    return importlib.import_module("catalog.store").files_from_spec(json.loads(spec))


def made_views(
    con: duckdb.DuckDBPyConnection, views: dict[str, str]
) -> tuple[dict[str, str], list[str]]:
    """Make each of `views` (name → file); those made, and those whose file is missing."""
    made: dict[str, str] = {}
    lost: list[str] = []
    for name, path in sorted(views.items()):
        try:
            con.execute(f"CREATE VIEW {quote(name)} AS SELECT * FROM read_parquet({_text(path)})")
        except duckdb.Error as exc:
            if isinstance(_unless_store_failed(exc, con), ObjectMissing):
                lost.append(name)
            print(f"sandbox worker: view {name} not made: {exc}", file=sys.stderr)
            continue
        made[name] = path
    return made, lost


def made_id_views(con: duckdb.DuckDBPyConnection, views: dict[str, str]) -> dict[str, str]:
    """Make the `id_view` of each of `views`: `_id` (int4, as CKAN's), then its columns."""
    made = {}
    for name, path in sorted(views.items()):
        try:
            con.execute(
                f"CREATE VIEW {quote(id_view(name))} AS SELECT"
                f" CAST(file_row_number + 1 AS INTEGER) AS _id, * FROM read_parquet({_text(path)})"
            )
        except duckdb.Error as exc:  # a file gone or unreadable: its table is not offered
            _unless_store_failed(exc, con)
            print(f"sandbox worker: view {id_view(name)} not made: {exc}", file=sys.stderr)
            continue
        made[id_view(name)] = path
    return made


def _text(path: str) -> str:
    return "'" + path.replace("'", "''") + "'"


def _unless_store_failed(exc: duckdb.Error, con: duckdb.DuckDBPyConnection) -> Exception | None:
    """Raise `exc`, closing `con`, when the store failed the read; the failure it names when
    that is a missing file (`ObjectMissing`), else None (the file itself is unreadable)."""
    failure = store_failure(exc)
    if failure is None or isinstance(failure, ObjectMissing):
        return failure
    con.close()
    raise exc
