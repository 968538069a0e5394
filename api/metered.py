"""The query engine, metered: each query's time by kind, and the rows read for a request.

`MeteredEngine` is the engine the app serves with; it times the queries the routes ask of it
(`rows`, `aggregate`, `sql`, and `page` for the CKAN DataStore) and adds the rows each
returned, and the rows of an export as its batches are read, to the `Tally` of the request
being answered. The tally travels in a context variable: a route's thread and a streamed
download's iteration run in a copy of the request's context, which holds the same object.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass

import pyarrow as pa

from catalog.query import (
    AggregateRequest,
    FoundPage,
    Generation,
    PageQuestion,
    QueryEngine,
    ResourceFile,
    RowSelection,
    RowsPage,
    RowsRequest,
    Table,
)
from catalog.settings import Settings
from catalog.store import Store

Observe = Callable[[str, float], None]  # (kind, seconds)


@dataclass
class Tally:
    """What one request was served: rows read by the engine, body bytes sent."""

    rows: int = 0
    bytes: int = 0


tally: ContextVar[Tally | None] = ContextVar("opendata_tally", default=None)


def add_rows(count: int) -> None:
    counted = tally.get()
    if counted is not None:
        counted.rows += count


class MeteredEngine(QueryEngine):
    """`QueryEngine` reporting each query's time to `observe` and its rows to the tally."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        observe: Observe,
        generation: Generation | None = None,
    ) -> None:
        super().__init__(store, settings, generation)
        self._observe = observe

    def _timed(self, kind: str, started: float, rows: int) -> None:
        self._observe(kind, time.perf_counter() - started)
        add_rows(rows)

    def rows(self, slug: str, name: str, request: RowsRequest) -> RowsPage:
        started = time.perf_counter()
        page = super().rows(slug, name, request)
        self._timed("rows", started, len(page.rows))
        return page

    def aggregate(self, slug: str, name: str, request: AggregateRequest) -> Table:
        started = time.perf_counter()
        table = super().aggregate(slug, name, request)
        self._timed("aggregate", started, len(table.rows))
        return table

    def sql(self, text: str, *, postgres: bool = False) -> Table:
        started = time.perf_counter()
        table = super().sql(text, postgres=postgres)
        self._timed("sql", started, len(table.rows))
        return table

    def page(self, resource: ResourceFile, question: PageQuestion) -> FoundPage:
        started = time.perf_counter()
        found = super().page(resource, question)
        self._timed("datastore", started, len(found.rows))
        return found

    def export(
        self, selection: RowSelection, select: str, batch_rows: int
    ) -> Iterator[pa.RecordBatch]:
        return _counted(super().export(selection, select, batch_rows))


def _counted(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    try:
        for batch in batches:
            add_rows(batch.num_rows)
            yield batch
    finally:
        # A download cut short closes this generator: close the engine's too, at once, as
        # it would have been closed without the meter (its cursor is released there).
        close = getattr(batches, "close", None)
        if close is not None:
            close()
