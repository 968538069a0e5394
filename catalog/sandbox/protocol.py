"""The frames between the SQL pool and its workers: a request and an answer's header.

Loaded by every SQL sandbox worker: typing only, nothing heavier than the standard library.
Both sides read a frame with `json.loads`, so these types say what the other side writes;
`Pool._read` checks the one thing a worker's answer must get right (its row count).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import TYPE_CHECKING, NotRequired, TypedDict, final

if TYPE_CHECKING:  # a type only: this module stays the standard library's
    from catalog.sql import ColumnDescription


# datastore_search_sql's table of a resource id is the view `<view>#_id`: the view with CKAN's
# `_id` first (the row number plus one, as datastore_search numbers rows). A view name is
# `[0-9A-Za-z_]` only, so no view is named so; only a PostgreSQL-named (CKAN) request may
# read these (`catalog.sandbox.worker`), so /api/v1/sql's views stay as they were.
ID_VIEW_SUFFIX = "#_id"


def id_view(view: str) -> str:
    """The name of `view` with `_id` (`ID_VIEW_SUFFIX`)."""
    return view + ID_VIEW_SUFFIX


# Each frame is its length, then its bytes. Here, not in the worker: the pool imports this
# module, and a worker module already imported when `python -m` runs it warns on stderr.
FRAME = struct.Struct(">I")


@dataclass(frozen=True)
class Limits:
    """What one worker may use: its OS memory cap, DuckDB's share of it, its threads."""

    memory_mb: int
    duckdb_mb: int
    threads: int = 1
    # The views are objects read by ranges (`SqlRequest.files`): load their filesystem at
    # start (half a second), not in the time limit of the first query.
    ranged: bool = False


@final  # told apart from a `ViewsRequest` by its `sql`
class SqlRequest(TypedDict):
    """One query for a worker; `views` (name → Parquet file) when its database is stale."""

    sql: str
    timeout: float
    row_cap: int
    byte_cap: int
    views: NotRequired[dict[str, str]]
    withheld: NotRequired[list[str]]  # with `views`: the views' names this request may not read
    files: NotRequired[dict[str, str]]  # with `views`: how to open their places (`Files.spec`)
    postgres: NotRequired[bool]  # fields also named and typed as PostgreSQL would


@final
class ViewsRequest(TypedDict):
    """The views alone, sent before a query whenever a worker's are stale: they are built
    (each file's footer read, over an object store from the bucket) before the query's time
    limit starts. Answered with an empty result, or `error` ("unavailable": the store failed
    a read, and the worker's views are to be sent again)."""

    views: dict[str, str]
    withheld: list[str]
    files: NotRequired[dict[str, str]]


class Failure(TypedDict):
    kind: str  # one of `messages.Explained`'s kinds
    message: str


class AnswerHeader(TypedDict, total=False):
    """The first line of an answer: `ready` once at start, then per request either the
    result's fields (each as `catalog.sql` describes a column), or `error`; and `recycle`
    when the worker is about to exit and must be replaced."""

    ready: bool
    fields: list[ColumnDescription]
    truncated: bool
    count: int
    error: Failure
    recycle: bool
