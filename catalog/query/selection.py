"""The rows a download reads: a resource's chosen columns, filters and order, as queries.

Sorted, the rows come in the typed order of the sort keys, ties broken as /rows breaks them.
Unsorted, they keep the published file's order: each query is a plain scan of a run of
consecutive row groups that may hold matches (`export_runs`), its rows' numbers selected
last, which DuckDB streams in the file's order and `catalog.query.database.in_file_order`
checks as they come (no ORDER BY: sorting each run by the row number cost 60 % of a 10M-row
CSV download's time).
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

    def queries(self, select: str, runs: Sequence[tuple[int, int]] | None) -> list[Query]:
        """The export as queries read one after the other: a sorted one is one query; an
        unsorted one is a scan of each run of row numbers (`export_runs`; the whole file
        when they are not known, no row when there are none), `file_row_number` selected
        after `select` for `in_file_order`."""
        if self.keys:
            return [self.sql(select)]
        select += ", file_row_number"
        if runs is None:
            return [self._query(select, self.where, self.params, (), row_number=True)]
        if not runs:  # still a query: its columns head the (empty) download
            return [self._query(select, " WHERE false", [], (), row_number=True)]
        queries = []
        for first, last in runs:
            where = " WHERE file_row_number BETWEEN ? AND ?"
            where += self.where.replace(" WHERE ", " AND ", 1)
            params = [first, last, *self.params]
            queries.append(self._query(select, where, params, (), row_number=True))
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
    footer: pq.FileMetaData | Path, empty: Sequence[bool] = ()
) -> list[tuple[int, int]]:
    """First and last row number of each run of consecutive row groups of the file whose
    `footer` is given (or of the local file at that path), in file order, leaving out the
    groups `empty` marks (their statistics say no row matches the filters): a filtered
    download of a few row groups of 82 reads them alone (scanning the file took 1.1-1.6 s
    at 10M rows)."""
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
        end += size
    if end > start:
        runs.append((start, end - 1))
    return runs
