"""The rows a download reads: a resource's chosen columns, filters and order, as queries.

Sorted, the rows come in the typed order of the sort keys, ties broken as /rows breaks them.
Unsorted, they keep the published file's order: DuckDB's streamed results do not (with two
threads, whole row groups of a 3M-row CSV export came out of order, differently on each run),
and one ORDER BY over the file would hold all of it; so the file is read in runs of whole row
groups (`export_runs`), each sorted by the row number on its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from catalog.query.cursor import sort_keys
from catalog.query.resources import ResourceFile, source_sql
from catalog.sql import (
    ROW_NUMBER,
    Column,
    Filter,
    SortKey,
    parse_filters,
    parse_names,
    where_sql,
)

# An unsorted export reads runs of whole row groups of at most this many rows (a larger group
# is a run alone), each run ordered by the row number: what DuckDB sorts at once is one run.
EXPORT_RUN_ROWS = 131_072
# The alias of the stored table in an export's query: its ORDER BY names columns through it.
EXPORT_ALIAS = "_t"

Query = tuple[str, list[Any]]


@dataclass(frozen=True)
class ExportRequest:
    """The rows of a download: the filters, sort and fields of /rows, without paging."""

    filters: Sequence[tuple[str, str]] = ()
    sort: str | None = None
    fields: str | None = None
    version: str | None = None


@dataclass(frozen=True)
class RowSelection:
    """The rows a download asks for: a resource, the chosen columns, filters and order.

    With `sort`, the rows come in the typed order of the sort keys (never in the order of the
    text a format renders them as), the primary key (or the row number) breaking ties as it
    does for /rows. Without, they keep the published file's order (see `QueryEngine.export`).
    """

    resource: ResourceFile
    columns: list[Column]
    keys: tuple[SortKey, ...] = ()
    filters: tuple[Filter, ...] = ()

    @classmethod
    def of(cls, resource: ResourceFile, request: ExportRequest) -> RowSelection:
        """The rows and columns `request` asks of `resource`; filters parsed as for /rows."""
        schema = resource.schema
        columns = parse_names(schema, request.fields, "fields") or list(schema.columns.values())
        filters = tuple(parse_filters(schema, request.filters))
        keys = tuple(sort_keys(schema, request.sort)) if request.sort else ()
        return cls(resource, columns, keys, filters)

    @property
    def where(self) -> str:
        """The filters' SQL condition (` WHERE ...`, or empty), its values in `params`."""
        return where_sql([f.sql() for f in self.filters])[0]

    @property
    def params(self) -> list[Any]:
        return where_sql([f.sql() for f in self.filters])[1]

    @property
    def whole(self) -> bool:
        """Every row and column in file order: the stored file itself is the answer."""
        return (
            not self.where
            and not self.keys
            and self.columns == list(self.resource.schema.columns.values())
        )

    def sql(self, select: str, *, ordered: bool = True) -> Query:
        """`SELECT <select>` over every selected row, in order unless told otherwise."""
        keys = (self.keys or (SortKey(ROW_NUMBER),)) if ordered else ()
        return self._query(select, self.where, self.params, keys, row_number=False)

    def queries(self, select: str, runs: Sequence[tuple[int, int]]) -> list[Query]:
        """The export as queries read one after the other: a sorted one is one query; an
        unsorted one is one query per run of row numbers (`export_runs`), each in row order."""
        if self.keys or not runs:
            return [self.sql(select)]
        queries = []
        for first, last in runs:
            where = " WHERE file_row_number BETWEEN ? AND ?"
            where += self.where.replace(" WHERE ", " AND ", 1)
            params = [first, last, *self.params]
            queries.append(
                self._query(select, where, params, (SortKey(ROW_NUMBER),), row_number=True)
            )
        return queries

    def _query(
        self,
        select: str,
        where: str,
        params: list[Any],
        keys: Sequence[SortKey],
        *,
        row_number: bool,
    ) -> Query:
        # The sort keys name the stored columns through the table's alias: a bare name in
        # ORDER BY would be the output column of that name, the value as a format renders it
        # (CSV text sorts 10 before 2).
        row_number = row_number or any(key.column == ROW_NUMBER for key in keys)
        order = f" ORDER BY {', '.join(_export_order(key) for key in keys)}" if keys else ""
        return (
            f"SELECT {select} FROM {source_sql(with_row_number=row_number)} AS {EXPORT_ALIAS}"
            f"{where}{order}",
            [self.resource.place, *params],
        )


def _export_order(key: SortKey) -> str:
    direction = "DESC" if key.descending else "ASC"
    return f"{EXPORT_ALIAS}.{key.column.sql} {direction} NULLS LAST"


def export_runs(
    footer: pq.FileMetaData | Path, rows: int = EXPORT_RUN_ROWS, empty: Sequence[bool] = ()
) -> list[tuple[int, int]]:
    """First and last row number of each run of the file whose `footer` is given (or of the
    local file at that path), in file order: whole row groups joined while a run stays
    within `rows` rows, a larger group cut into runs of `rows`. A group `empty` marks (its
    statistics say no row matches the filters) is in no run: a filtered download of a few
    row groups of 82 read them alone (it queried every run: 1.1-1.6 s at 10M rows)."""
    if isinstance(footer, Path):
        footer = pq.read_metadata(footer)
    runs: list[tuple[int, int]] = []
    start = end = 0
    for index in range(footer.num_row_groups):
        size = footer.row_group(index).num_rows
        if index < len(empty) and empty[index]:
            if end > start:
                runs.append((start, end - 1))
            start = end = end + size
            continue
        if end > start and end - start + size > rows:
            runs.append((start, end - 1))
            start = end
        end += size
        while end - start > rows:
            runs.append((start, start + rows - 1))
            start += rows
    if end > start:
        runs.append((start, end - 1))
    return runs
