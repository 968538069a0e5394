"""The private DuckDB connection every validation runs its set-based checks on."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa

if TYPE_CHECKING:  # pyarrow.dataset imports pandas (65 MB), which a server never needs
    import pyarrow.dataset as ds

# What DuckDB may hold while it checks spooled tables; past it, it spills to the spool's
# folder. Tables in memory are Arrow's, outside this limit, and are checked without one.
SPILLING_MEMORY = "256MB"


def connect(spill: Path | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory connection that can read only the tables registered on it.

    Check SQL is written by stewards, but a descriptor must never read files or, through
    replacement scans, Python objects that happen to be in scope. With ``spill``, the
    connection is held to `SPILLING_MEMORY` and writes what does not fit there.
    """
    config: dict[str, str | bool | int | float | list[str]] = {
        "enable_external_access": False,
        "python_enable_replacements": False,
    }
    if spill is not None:
        config.update(memory_limit=SPILLING_MEMORY, temp_directory=str(spill / "duckdb"))
    con = duckdb.connect(":memory:", config=config)
    con.execute("SET enable_progress_bar = false")  # a long key check must not draw on stdout
    return con


class NotASelect(duckdb.Error):
    """Check SQL that is not exactly one SELECT (a ``where`` that smuggles in a statement)."""


def select(con: duckdb.DuckDBPyConnection, query: str, params: list[Any] | None = None) -> Any:
    """Run one SELECT built from steward-written fragments; refuse anything else."""
    statements = con.extract_statements(query)
    if len(statements) != 1 or statements[0].type != duckdb.StatementType.SELECT:
        raise NotASelect("the check's SQL must be a single SELECT")
    return con.execute(query, params or [])


def register(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table | ds.Dataset) -> None:
    con.register(name, table)


def quote(identifier: str) -> str:
    """A SQL identifier, quoted so any column name is safe to splice into a query."""
    return '"' + identifier.replace('"', '""') + '"'


def show(value: Any) -> str:
    """A value as a report prints it: no float noise, ISO dates."""
    if value is None:
        return ""
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 2**53:
            return str(int(value))
        return repr(round(value, 9))
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def shadowed(query: str, name: str, view: str) -> str:
    """`query` reading `view` wherever it names `name`: a CTE hides the table of that name
    inside the whole query, the query's own `WITH` included."""
    return f"WITH {quote(name)} AS (SELECT * FROM {quote(view)}) SELECT * FROM ({query}) AS q0"
