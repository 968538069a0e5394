"""The SQL of one DataStore search: its source, conditions, fields, order and paging.

Behaviour follows CKAN 2.12's PostgreSQL backend (ckanext/datastore/backend/postgres.py
`search_data`):

- `q` (string: every word in some column; dict: per column) adds the `rank` columns and sorts
  by them when no `sort` is given, as CKAN's full-text search does; `plain` and `language`
  as `catalog.ckan.datastore.textsearch` reads them (English stems, tsquery syntax).
- A `sort` sorts typed values; the primary key, then `_id`, break its ties, as in the
  downloads, so every page and format agrees. Sorted by `_id` alone, a page carries the
  `next_page` keyset condition.
- A search the page engine can ask (`Plan.question`: plain filters, a sort on fields, no
  `q` or `distinct`) is read as `/rows` reads a page (`catalog.query.PageQuestion`): an
  offset located from the row groups at any depth, an exact total from their counts, a
  page read from kept row groups; its own SQL is for the others.
- A whole dump reads the file as a scan, in the file's order (`catalog.query.export_runs`),
  instead of sorting it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from catalog.ckan import arguments
from catalog.ckan.datastore.filters import filters_sql, plain_filters
from catalog.ckan.datastore.schema import SearchArguments
from catalog.ckan.datastore.tables import ID_SQL, Table
from catalog.ckan.datastore.textsearch import text_search
from catalog.errors import InvalidFields
from catalog.query import MAX_ROWS_LIMIT, PageQuestion
from catalog.sql import (
    ROW_NUMBER,
    Cells,
    Column,
    SortKey,
    json_row_sql,
    quote,
    rendered_from,
    select_sql,
)

SORT_CLAUSE = re.compile(r"^(.+?)( +(asc|desc))?( nulls +(first|last) *)?$", re.IGNORECASE)
QUOTED_NAME = re.compile(r'"(?:[^"]|"")*"')  # the column a sort clause of `_sort_sql` names

Query = tuple[str, list[Any]]


@dataclass(frozen=True)
class Plan:
    """The SQL of one search: source, conditions, selected fields, order and paging."""

    table: Table
    field_names: list[str]
    where: str
    params: list[Any]
    ranks: dict[str, tuple[str, list[Any]]]
    order: list[str]
    distinct: bool
    limit: int | None
    offset: int
    keyset_operator: str
    question: PageQuestion | None  # the search as the page engine asks it, when it can

    @classmethod
    def make(cls, table: Table, given: SearchArguments) -> Plan:
        columns = table.columns
        where, params = filters_sql(given.filters, columns)
        ranks: dict[str, tuple[str, list[Any]]] = {}
        searches = text_search(given.text, columns, plain=given.plain, language=given.language)
        for name, search in searches.items():
            where.append(search.condition)
            params.extend(search.params)
            ranks[name] = (search.rank, search.rank_params)
        # A field named twice is shown once, as CKAN's records (dicts) show it.
        names = list(dict.fromkeys(arguments.names(given.fields, "fields")))
        if names:
            unknown = [n for n in names if n not in columns and n not in ranks]
            if unknown:
                raise InvalidFields({"fields": [f'invalid value "{unknown[0]}"']})
        else:
            names = [*columns, *ranks]
        order = _sort_sql(given.sort, columns, ranks)
        distinct = given.distinct
        keyset = ""
        if not order and not distinct:
            order = ['"_id" ASC']
        if len(order) == 1 and order[0].startswith('"_id"'):
            keyset = "lt" if " DESC" in order[0] else "gt"
        elif order and not distinct:
            order += _tie_breakers(order, table.resource.schema.primary_key)
        if distinct:
            # DISTINCT rows come in no set order: their fields end the sort (the rows differ
            # in at least one), so pages neither overlap nor skip.
            named = {match.group(0) for key in order if (match := QUOTED_NAME.match(key))}
            order += [f"{quote(n)} ASC" for n in names if n in columns and quote(n) not in named]
        return cls(
            table=table,
            field_names=names,
            where=" AND ".join(f"({w})" for w in where),
            params=params,
            ranks=ranks,
            order=order,
            distinct=distinct,
            limit=given.limit,
            offset=given.offset,
            keyset_operator=keyset,
            question=_question(table, given, names, bool(ranks)),
        )

    def _source(self, run: tuple[int, int] | None = None) -> Query:
        # `_id` comes straight from the Parquet row number, not from a subquery: a top-N by
        # `file_row_number` lets DuckDB skip rendering the rows it drops (5× faster).
        rank_sql = "".join(f", {sql} AS {quote(name)}" for name, (sql, _) in self.ranks.items())
        rank_params = [value for _, values in self.ranks.values() for value in values]
        conditions = ["file_row_number BETWEEN ? AND ?"] if run is not None else []
        conditions += [self.where] if self.where else []
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        sql = (
            f"SELECT *, {ID_SQL} AS _id{rank_sql}"
            f" FROM read_parquet(?, file_row_number = true){where}"
        )
        path = self.table.resource.place
        return sql, [*rank_params, path, *(run or ()), *self.params]

    def _selected(self) -> list[Column]:
        columns = self.table.columns
        return [columns.get(name) or Column(name, "number") for name in self.field_names]

    def page_sql(self, *, text: bool = False) -> Query:
        """The page: JSON objects (or text cells) of the selected fields, then `_id`."""
        inner, params = self._source()
        selected = self._selected()
        order = f" ORDER BY {', '.join(self.order)}" if self.order else ""
        # The outer query sorts the typed values through the alias `_p`: a bare name would be
        # the rendered output column of that name (text, where 10 sorts before 2).
        typed = f" ORDER BY {', '.join('_p.' + key for key in self.order)}" if self.order else ""
        if self.distinct:
            body = ", ".join(rendered_from(selected))
            inner = f"SELECT DISTINCT {body} FROM ({inner}) AS _s"
        elif self.limit is not None and self.order:
            by_row = [
                "file_row_number" + key.removeprefix('"_id"') if key.startswith('"_id"') else key
                for key in self.order
            ]
            inner += f" ORDER BY {', '.join(by_row)}"
            inner += " LIMIT ?" + (" OFFSET ?" if self.offset else "")
            params = [*params, self.limit, *([self.offset] if self.offset else [])]
            last = '"_id"'
            rendered = self._rendered(selected, text)
            return f"SELECT {rendered}, {last} FROM ({inner}) AS _p{typed}", params
        paging = " LIMIT ?" if self.limit is not None else ""
        paging += " OFFSET ?" if self.offset else ""
        page = ([self.limit] if self.limit is not None else []) + (
            [self.offset] if self.offset else []
        )
        last = '"_id"' if not self.distinct or "_id" in self.field_names else "NULL"
        rendered = self._rendered(selected, text)
        if self.limit is not None:
            # The page is cut first, then rendered: rendering every matching row before the
            # top-N would cost more than the scan.
            inner = f"SELECT * FROM ({inner}) AS _n{order}{paging}"
            paging = ""
        sql = f"SELECT {rendered}, {last} FROM ({inner}) AS _p{typed}{paging}"
        return sql, [*params, *page]

    def rows(self) -> int | None:
        """The rows of the plan when it is the whole table, from the descriptor."""
        whole = not (self.where or self.distinct or self.offset or self.limit is not None)
        return self.table.resource.rows if whole else None

    def in_runs(self, runs: list[tuple[int, int]]) -> bool:
        """Whether the plan is a whole table in `_id` order (a dump), read as a scan of each
        run of row groups (`export_runs`) in the file's order, which `in_file_order` checks."""
        plain = not (self.distinct or self.limit is not None or self.offset)
        return bool(runs) and plain and self.order == ['"_id" ASC']

    def run_sqls(self, runs: list[tuple[int, int]], *, text: bool) -> list[Query]:
        """The rows as queries read one after the other: a scan of each run `in_runs`, which
        DuckDB streams in `_id` order unsorted (sorting the runs cost 60 % of a 10M-row
        dump); any other plan is its one `page_sql`."""
        if not self.in_runs(runs):
            return [self.page_sql(text=text)]
        rendered = self._rendered(self._selected(), text)
        queries = []
        for run in runs:
            inner, params = self._source(run)
            queries.append((f'SELECT {rendered}, "_id" FROM ({inner}) AS _p', params))
        return queries

    @staticmethod
    def _rendered(selected: list[Column], text: bool) -> str:
        return select_sql(selected, Cells.DELIMITED) if text else json_row_sql(selected)

    def text_sql(self, ids: list[int]) -> Query:
        """The rows of `ids` (one page's `_id`s, found by the page engine) as text cells,
        then `_id`: the page as `page_sql(text=True)` renders it, in any order."""
        inner = (
            f"SELECT *, {ID_SQL} AS _id FROM read_parquet(?, file_row_number = true)"
            " WHERE file_row_number BETWEEN ? AND ?"
        )
        rendered = self._rendered(self._selected(), True)
        marks = ", ".join("?" for _ in ids)
        sql = f'SELECT {rendered}, "_id" FROM ({inner}) AS _p WHERE "_id" IN ({marks})'
        path = self.table.resource.place
        return sql, [path, min(ids) - 1, max(ids) - 1, *ids]

    def count_sql(self) -> Query:
        inner, params = self._source()
        if self.distinct:
            body = ", ".join(rendered_from(self._selected()))
            inner = f"SELECT DISTINCT {body} FROM ({inner}) AS _s"
        return f"SELECT count(*) FROM ({inner}) AS _c", params


def _sort_sql(
    value: Any, columns: dict[str, Column], ranks: dict[str, tuple[str, list[Any]]]
) -> list[str]:
    clauses = arguments.names(value, "sort")
    if not clauses:
        return [f"{quote(name)} DESC" for name in ranks]
    order = []
    for clause in clauses:
        match = SORT_CLAUSE.match(clause)
        field = match.group(1) if match else clause
        if len(field) > 1 and field[0] == field[-1] == '"':
            field = field[1:-1]
        if not match or (field not in columns and field not in ranks):
            raise InvalidFields({"sort": [f'invalid value "{clause}"']})
        direction = (match.group(3) or "asc").upper()
        nulls = f" NULLS {match.group(5).upper()}" if match.group(5) else ""
        order.append(f"{quote(field)} {direction}{nulls}")
    return order


def _tie_breakers(order: list[str], primary_key: tuple[str, ...]) -> list[str]:
    """What breaks the ties of a sort, as the downloads and /rows break them: the primary
    key, then `_id` (the file's order), so that the same request gives the same rows in the
    same order, page after page and format after format."""
    named = {match.group(0) for key in order if (match := QUOTED_NAME.match(key))}
    if '"_id"' in named:
        return []
    keys = [quote(name) for name in primary_key if quote(name) not in named]
    return [f"{key} ASC" for key in [*keys, '"_id"']]


def _question(
    table: Table, given: SearchArguments, names: list[str], ranked: bool
) -> PageQuestion | None:
    """The search as the page engine asks it: plain filters (`plain_filters`), a sort on
    fields with nulls last, at least one field besides `_id`, a limit the engine takes. None
    for any other search (`q`, `distinct`, ...), which `page_sql` answers."""
    limit = given.limit
    if ranked or given.distinct or limit is None or not 1 <= limit <= MAX_ROWS_LIMIT:
        return None
    schema = table.resource.schema
    filters = plain_filters(given.filters, table.columns)
    keys = _sort_keys(given.sort, table)
    columns = [schema.columns[name] for name in names if name != "_id"]
    if filters is None or keys is None or not columns:
        return None
    total = "exact" if given.include_total else "none"
    return PageQuestion(columns, keys, filters, limit, given.offset, total)


def _sort_keys(value: Any, table: Table) -> list[SortKey] | None:
    """The sort (validated by `_sort_sql`) as the page engine's keys, ending in the row
    number as `_tie_breakers` end it; None for a sort with nulls first."""
    schema, keys = table.resource.schema, list[SortKey]()
    for clause in arguments.names(value, "sort"):
        match = SORT_CLAUSE.match(clause)
        if match is None or (match.group(5) or "last").lower() != "last":
            return None
        field = match.group(1)
        if len(field) > 1 and field[0] == field[-1] == '"':
            field = field[1:-1]
        column = ROW_NUMBER if field == "_id" else schema.columns[field]
        if any(key.column == column for key in keys):
            return None
        keys.append(SortKey(column, (match.group(3) or "asc").lower() == "desc"))
        if column is ROW_NUMBER:
            return keys  # the row number is unique: nothing after it orders anything
    named = {key.column.name for key in keys}
    primary = [n for n in schema.primary_key if n in schema.columns and n not in named]
    ties = [SortKey(schema.columns[n]) for n in primary]
    return [*keys, *(ties if keys else []), SortKey(ROW_NUMBER)]
