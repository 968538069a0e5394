"""CKAN 2.12's DataStore actions over the published Parquet: search, info, SQL and dumps.

CKAN keeps a PostgreSQL table per resource; here the table is the resource's current Parquet
file, read by the shared `QueryEngine`. A DataStore `resource_id` is the resource's stable CKAN
id (uuid5 of `<slug>/<resource>`, `catalog.search.catalogue_uuid`), so the id a harvester read
from `package_show` is the table it searches. The table follows `CURRENT`: a new version is
searched as soon as it is published, and a withdrawn dataset's tables are gone.

Behaviour follows ckanext/datastore of CKAN 2.12 (logic/action.py, logic/schema.py,
backend/postgres.py `search_data`, filters.py, blueprint.py `dump`, writer.py):

- `datastore_search` takes CKAN's filters (`catalog.ckan.datastore.filters`), `q`, `fields`,
  `sort`, `distinct` and paging (`catalog.ckan.datastore.plans`); a search the page engine
  can ask (`Plan.question`) is read by it, as `/rows` reads a page (`QueryEngine.page`), any
  other by the plan's SQL. Records `objects` are the JSON texts DuckDB rendered, joined into
  one `JsonText` that the answer splices in unread, as `/rows` writes its rows and as CKAN's
  API writes the array PostgreSQL rendered (compact, `{"_id":1,...}`); `include_total`
  (default true) counts exactly; `records_format` objects, lists, csv, tsv;
  `include_next_page` gives `next_page` (`{"_id": {"gt": last}}`) when sorted by `_id`; the
  `_links` of CKAN 2.10/2.11 are added on the wire (`api.routes.ckan`).
- `datastore_search_sql` runs the v1 SQL endpoint's sandbox (one SELECT, no file or network
  reader); tables are named by resource id (`SELECT * FROM "<uuid>"`) or by SQL view name.
- `/datastore/dump/{id}` streams csv, tsv, json or xml (`catalog.ckan.datastore.dumps`). In
  CSV and TSV (dumps and `records_format`) a text cell a spreadsheet would run as a formula
  gets a leading `'`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
from collections.abc import Callable, Iterator
from typing import Any, NotRequired, TypedDict

import pyarrow as pa

from catalog.ckan import arguments
from catalog.ckan.datastore.dumps import DUMP_FORMATS, dump_chunks
from catalog.ckan.datastore.metadata import TABLE_METADATA, metadata_rows, search_metadata
from catalog.ckan.datastore.plans import Plan
from catalog.ckan.datastore.schema import LARGEST_NATURAL, SearchArguments, search_arguments
from catalog.ckan.datastore.tables import Field, Table
from catalog.ckan.shapes import DataDict
from catalog.errors import (
    InvalidFields,
    InvalidParameter,
    InvalidQuery,
    NotFound,
    QueryForbidden,
    QueryTimeout,
)
from catalog.query import QueryEngine, delimited_text, export_runs, in_file_order, view_name
from catalog.sandbox import id_view
from catalog.sql import (
    ColumnDescription,
    JsonText,
    dumps_exact,
    loads_exact,
    postgres_type,
    quote,
)

DUMP_PAGE_ROWS = 65_536
# A page of a search: its records (in `records_format`), their `_id`s, and the total.
Page = tuple[Any, list[int], int | None]
# CKAN's `_full_text` (a PostgreSQL tsvector) has no counterpart here: a query naming it is
# refused in these words; datastore_search's `q` is the full-text search.
FULL_TEXT = re.compile(r"\b_full_text\b", re.IGNORECASE)
FULL_TEXT_REFUSED = (
    "column _full_text (CKAN's tsvector) is not offered by this DataStore; search the text"
    " with datastore_search's q (plain or tsquery syntax), and page with _id"
)
QUOTED_ID = re.compile(r'"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"')


class TableMeta(TypedDict):
    """datastore_info's `meta`: the table's size, as CKAN's PostgreSQL backend reports it."""

    id: str
    count: int | None
    table_type: str
    size: int
    db_size: int
    idx_size: int
    aliases: list[str]


class Info(TypedDict):
    fields: list[Field]
    meta: NotRequired[TableMeta]


class SqlField(TypedDict):
    id: str
    type: str


class SqlResult(TypedDict):
    """datastore_search_sql's answer; `records` are the rows as JSON objects."""

    sql: str
    records: list[Any]
    fields: list[SqlField]
    records_truncated: NotRequired[bool]


class DataStore:
    """datastore_search, datastore_info, datastore_search_sql and dumps over one engine."""

    def __init__(
        self,
        engine: QueryEngine,
        locate: Callable[[str], tuple[str, str]],
        tables: Callable[[], list[str]] = list,
    ) -> None:
        """`locate` maps a resource id to (dataset slug, resource name), or raises NotFound;
        `tables` lists the resource ids served as DataStore tables (`_table_metadata`)."""
        self.engine = engine
        self.locate = locate
        self.tables = tables

    def table(self, resource_id: str) -> Table:
        """The table of a resource id, or of its alias: CKAN takes either (`resource_id_from_
        alias`), and `_table_metadata` and datastore_info's `meta.aliases` give the alias."""
        real = self.real_id(resource_id)
        try:
            slug, name = self.locate(real)
            return Table(real, self.engine.resource(slug, name))
        except NotFound:
            raise NotFound(f'Resource "{resource_id}" was not found.') from None

    def real_id(self, given: str) -> str:
        """The resource id `given` names: itself, or the table whose alias (its SQL view
        name) it is; `given` when it names neither."""
        try:
            self.locate(given)
        except NotFound:
            return next((rid for rid, alias in self._aliases() if alias == given), given)
        return given

    # --- datastore_search ---------------------------------------------------------------

    def search(self, data: DataDict) -> DataDict:
        """Search a DataStore resource (CKAN's datastore_search)."""
        # The answer repeats the request's arguments (`echo`), then adds records and fields.
        given = search_arguments(data)
        if given.resource_id == TABLE_METADATA:
            return search_metadata(metadata_rows(self._aliases()), given)
        table = self.table(given.resource_id)
        # CKAN answers by the real id when asked by an alias.
        echo = {**given.echo, "resource_id": table.resource_id}
        given = dataclasses.replace(given, resource_id=table.resource_id, echo=echo)
        if _describes_only(given):
            return self._described(table, given)
        table.resource.require_grant()  # a conditional dataset's rows: under a grant only
        plan = Plan.make(table, given)
        result = dict(given.echo)
        found = self._paged(plan, given.records_format)
        if found is None:
            found = self._planned(table, plan, given)
        records, ids, total = found
        result["records"] = records
        result["fields"] = [table.describe(name) for name in plan.field_names]
        if given.include_total:
            result["total"] = total
            result["total_was_estimated"] = False
        if given.include_next_page and plan.keyset_operator and ids:
            last = max(ids) if plan.keyset_operator == "gt" else min(ids)
            result["next_page"] = {"_id": {plan.keyset_operator: last}}
        return result

    def _described(self, table: Table, given: SearchArguments) -> DataDict:
        """The fields and no records (`_describes_only`), for any dataset: a conditional
        one's data dictionary is public (datastore_info), and so is its row count (package_
        show's `rows`, datastore_info's `meta.count`), the total of a search matching all."""
        plan = Plan.make(table, given)
        result = dict(given.echo)
        result["records"] = _records([], given.records_format)
        result["fields"] = [table.describe(name) for name in plan.field_names]
        if given.include_total and table.resource.rows is not None:
            result["total"] = table.resource.rows
            result["total_was_estimated"] = False
        return result

    def _paged(self, plan: Plan, fmt: str) -> Page | None:
        """The page read by the page engine (`Plan.question`): records, `_id`s and total;
        None when the search is not one it asks, or is an offset it leaves to SQL."""
        if plan.question is None:
            return None
        try:
            found = self.engine.page(plan.table.resource, plan.question)
        except InvalidParameter:
            return None  # deeper than the engine pages this sort: the plan's SQL reads it
        except QueryTimeout:
            raise InvalidFields({"query": ["Search took too long"]}) from None
        # The page's last sort key is the row number (`plans._sort_keys`): `_id` minus one.
        ids = [int(row[-1]) + 1 for row in found.rows]
        if fmt in ("csv", "tsv"):
            cells = self.engine.fetch(*plan.text_sql(ids)) if ids else []
            by_id = {row[-1]: row[:-1] for row in cells}
            return _records([(*by_id[i], i) for i in ids], fmt), ids, found.total.rows
        records = _objects([str(row[0]) for row in found.rows], ids, plan.field_names)
        return (_lists(records) if fmt == "lists" else records), ids, found.total.rows

    def _planned(self, table: Table, plan: Plan, given: SearchArguments) -> Page:
        """The page read by the plan's own SQL: records, `_id`s and total."""
        fmt = given.records_format
        rows = self.engine.fetch(*plan.page_sql(text=fmt in ("csv", "tsv")))
        ids = [row[-1] for row in rows if row[-1] is not None]
        total = self._total(table, plan) if given.include_total else None
        return _records(rows, fmt), ids, total

    def _aliases(self) -> list[tuple[str, str]]:
        """(resource id, SQL view name) of every DataStore table."""
        return [(rid, view_name(*self.locate(rid))) for rid in self.tables()]

    def _total(self, table: Table, plan: Plan) -> int:
        if not plan.where and not plan.distinct and table.resource.rows is not None:
            return table.resource.rows
        try:
            return int(self.engine.fetch(*plan.count_sql())[0][0])
        except QueryTimeout:
            raise InvalidFields({"query": ["Search took too long"]}) from None

    # --- datastore_info ---------------------------------------------------------------------

    def info(self, data: DataDict) -> Info:
        """Describe a DataStore resource: its fields, their schema and the table's size."""
        resource_id = data.get("resource_id") or data.get("id")
        if not resource_id:
            raise InvalidFields({"resource_id": ["Missing value"]})
        table = self.table(str(resource_id))
        resource = table.resource
        columns = resource.schema.columns.items()
        info: Info = {"fields": [table.describe_fully(n, c) for n, c in columns]}
        if arguments.boolean(data.get("include_meta"), True):
            info["meta"] = {
                "id": table.resource_id,
                "count": resource.rows,
                "table_type": "BASE TABLE",
                "size": self.engine.file_size(resource),
                "db_size": self.engine.file_size(resource),
                "idx_size": 0,
                "aliases": [view_name(resource.dataset, resource.name)],
            }
        return info

    # --- datastore_search_sql -----------------------------------------------------------------

    def search_sql(self, data: DataDict) -> SqlResult:
        """Run one read-only SELECT over the DataStore tables (CKAN's datastore_search_sql)."""
        sql = data.get("sql")
        if not sql or not isinstance(sql, str):
            raise InvalidFields({"sql": ["Missing value"]})
        most = self.engine.settings.sql_max_chars
        if len(sql) > most:  # before the rewriting below looks at it
            raise InvalidFields({"sql": [f"Longer than the {most:,} characters allowed"]})
        rewritten = QUOTED_ID.sub(self._view_for, sql)
        try:
            found = self.engine.sql(rewritten, postgres=True)
        except InvalidParameter as exc:
            raise InvalidFields({exc.parameter: [str(exc).split(": ", 1)[-1]]}) from None
        except (InvalidQuery, QueryForbidden) as exc:
            # CKAN's tsvector column (and its tsquery functions): said plainly, not as an
            # unknown column or function.
            if FULL_TEXT.search(sql):
                raise InvalidFields({"query": [FULL_TEXT_REFUSED]}) from None
            if isinstance(exc, QueryForbidden):
                raise
            raise InvalidFields({"query": [str(exc)]}) from None
        except QueryTimeout:
            raise InvalidFields({"query": ["Query took too long"]}) from None
        fields = [_sql_field(field) for field in found.fields]
        names = [field["id"] for field in fields]
        records = loads_exact("[" + ",".join(found.rows) + "]")
        result: SqlResult = {
            "sql": sql,
            # Keyed by PostgreSQL's names: DuckDB's (`count_star()`, `a_1`) keyed the rows.
            "records": [dict(zip(names, r.values(), strict=True)) for r in records],
            "fields": fields,
        }
        if found.truncated:
            result["records_truncated"] = True
        return result

    def _view_for(self, match: re.Match[str]) -> str:
        """The table of a quoted resource id: its view with CKAN's `_id` first (`id_view`)."""
        try:
            slug, name = self.locate(match.group(1))
        except NotFound:
            return match.group(0)
        return quote(id_view(view_name(slug, name)))

    # --- /datastore/dump ----------------------------------------------------------------------

    def dump(self, resource_id: str, args: dict[str, str]) -> tuple[str, Iterator[bytes]]:
        """(format, chunks) of a dump with CKAN's dump arguments; planned before streaming."""
        fmt = args.get("format", "csv")
        if fmt not in DUMP_FORMATS:
            raise InvalidFields({"format": [f"Value must be one of {list(DUMP_FORMATS)}"]})
        given: dict[str, Any] = {"resource_id": resource_id, "sort": args.get("sort", "_id")}
        for key in ("filters", "q", "distinct", "plain", "language", "fields"):
            if key in args:
                given[key] = args[key]
        table = self.table(resource_id)
        table.resource.require_grant()
        searched = search_arguments({**given, "limit": 1})
        limit = arguments.natural(args.get("limit"), "limit", most=LARGEST_NATURAL)
        offset = arguments.natural(args.get("offset"), "offset", most=LARGEST_NATURAL) or 0
        plan = Plan.make(table, dataclasses.replace(searched, limit=limit, offset=offset))
        bom = arguments.boolean(args.get("bom"))
        fields = [table.describe(name) for name in plan.field_names]
        runs: list[tuple[int, int]] = []
        # Unreadable, the file is one query, whose error DuckDB reports as for any other.
        with contextlib.suppress(OSError, pa.ArrowException):
            runs = export_runs(self.engine.footer(table.resource))
        queries = plan.run_sqls(runs, text=fmt in ("csv", "tsv"))
        batches = self.engine.stream_all(queries, DUMP_PAGE_ROWS, rows=plan.rows())
        if plan.in_runs(runs):
            batches = in_file_order(batches, keep=True)
        return fmt, dump_chunks(batches, fields, fmt, bom)


def _describes_only(given: SearchArguments) -> bool:
    """`limit=0` asking nothing that would count matching rows (no `q`, `filters` or
    `distinct`): what `ckanapi dump --datastore-fields` asks to read a table's fields."""
    return given.limit == 0 and not given.text and not given.filters and not given.distinct


def _sql_field(field: ColumnDescription) -> SqlField:
    """A result column as CKAN's PostgreSQL backend names and types it."""
    kind = field.get("pg_type") or postgres_type(field.get("sql_type", ""))
    return {"id": field.get("pg_name") or field["name"], "type": kind}


def _records(rows: list[tuple[Any, ...]], fmt: str) -> Any:
    """A page's `records` in `records_format`: the rows without their last column, `_id`;
    objects as the JSON text DuckDB rendered (`JsonText`), never read."""
    if fmt in ("csv", "tsv"):
        return delimited_text([row[:-1] for row in rows], "\t" if fmt == "tsv" else ",")
    records = _array([str(row[0]) for row in rows])
    return _lists(records) if fmt == "lists" else records


def _array(texts: list[str]) -> JsonText:
    """JSON object texts as one JSON array, as CKAN's PostgreSQL backend writes a page
    (`array_to_json`, compact) and its API splices it in unread."""
    return JsonText("[" + ",".join(texts) + "]")


def _lists(records: JsonText) -> list[Any]:
    """Records as lists (`records_format` lists): each object's values, in its order."""
    return [list(record.values()) for record in records.value()]


def _objects(texts: list[str], ids: list[int], names: list[str]) -> JsonText:
    """The page engine's JSON objects (of the fields but `_id`) with `_id` where `names`
    puts it: written in first or last as text; in the middle (rare), placed one by one."""
    if "_id" not in names:
        return _array(texts)
    if names[0] == "_id":  # the default fields: `_id` first (`fields` names each once)
        return _array([f'{{"_id":{i},{t[1:]}' for t, i in zip(texts, ids, strict=True)])
    if names[-1] == "_id":
        return _array([f'{t[:-1]},"_id":{i}}}' for t, i in zip(texts, ids, strict=True)])
    objects: list[dict[str, Any]] = _array(texts).value()
    placed = [
        {n: i if n == "_id" else o[n] for n in names} for o, i in zip(objects, ids, strict=True)
    ]
    return JsonText(dumps_exact(placed, separators=(",", ":")))
