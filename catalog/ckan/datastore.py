"""CKAN 2.12's DataStore over the published Parquet: search, info, SQL and dumps.

CKAN keeps a PostgreSQL table per resource; here the table is the resource's current Parquet
file, read by the shared `QueryEngine`. A DataStore `resource_id` is the resource's stable CKAN
id (uuid5 of `<slug>/<resource>`, `catalog.search.index.catalogue_uuid`), so the id a harvester read
from `package_show` is the table it searches. The table follows `CURRENT`: a new version is
searched as soon as it is published, and a withdrawn dataset's tables are gone.

CKAN's `_id` is the row's 1-based position in the published file (the Parquet row number plus
one): stable within a version, the key of `next_page` keyset paging and of the default sort.
Field types are named as CKAN's PostgreSQL backend names them (`int8`, `numeric`, `text`,
`date`, `timestamp`, `bool`); each field's `info` is its Table Schema title and description.

Behaviour follows ckanext/datastore of CKAN 2.12 (logic/action.py, logic/schema.py,
backend/postgres.py `search_data`, filters.py, blueprint.py `dump`, writer.py):

- `filters`: `{"f": v}` equality, `{"f": [a, b]}` one of, `{"f": {"gt"|"gte"|"lt"|"lte"|"eq"|
  "in": v}}` ranges, `{"$or": [...]}` and `{"$and": [...]}`, a list of dicts meaning OR;
  an unknown field is `Validation Error` `filters: ["Unknown field: f"]`.
- `q` (string: every word in some column; dict: per column) adds the `rank` columns and sorts
  by them when no `sort` is given, as CKAN's full-text search does. There is no stemming: a
  word matches as a case-insensitive substring, which also suits Chinese text.
- `limit` defaults to 100 and is capped at 32000 (`ckan.datastore.search.rows_max`);
  `include_total` (default true) counts exactly; `records_format` objects, lists, csv, tsv;
  `include_next_page` gives `next_page` (`{"_id": {"gt": last}}`) when sorted by `_id`;
  the `_links` of CKAN 2.10/2.11 are added on the wire (`api.routes.ckan`).
- `datastore_search_sql` runs the v1 SQL endpoint's sandbox (one SELECT, no file or network
  reader); tables are named by resource id (`SELECT * FROM "<uuid>"`) or by SQL view name.
- `/datastore/dump/{id}` streams csv, tsv, json or xml with `_id` first; in CSV and TSV (dumps
  and `records_format`) a text cell a spreadsheet would run as a formula gets a leading `'`.
- A `sort` sorts typed values; the primary key, then `_id`, break its ties, as in the
  downloads, so every page and format agrees. A whole dump reads the file in runs
  (`catalog.query.engine.export_runs`) instead of sorting it at once.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pyarrow as pa
import pyarrow.csv as pacsv

from catalog.errors import InvalidFields, InvalidParameter, InvalidQuery, NotFound, QueryTimeout
from catalog.query import (
    TEXTUAL,
    QueryEngine,
    Resource,
    export_runs,
    json_row_sql,
    neutralised_sql,
    view_name,
)
from catalog.sql import Column, parse_value, quote

ROWS_DEFAULT = 100  # ckan.datastore.search.rows_default
ROWS_MAX = 32_000  # ckan.datastore.search.rows_max
DUMP_PAGE_ROWS = 65_536
RECORDS_FORMATS = ("objects", "lists", "csv", "tsv")
DUMP_FORMATS = ("csv", "tsv", "json", "xml")
MAX_FILTER_OPS = 100  # ckanext/datastore/filters.py MAX_FILTER_OPS_NUM
MAX_FILTER_DEPTH = 10
RANGE_OPERATORS = {"eq": "=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
# Table Schema type → the PostgreSQL type name CKAN's backend reports for such a column.
PG_TYPES = {
    "integer": "int8",
    "year": "int4",
    "number": "numeric",
    "boolean": "bool",
    "date": "date",
    "datetime": "timestamp",
    "time": "time",
}
SEARCH_KEYS = {
    "resource_id", "id", "q", "plain", "filters", "language", "limit", "offset", "fields",
    "sort", "distinct", "include_total", "total_estimation_threshold", "records_format",
    "include_next_page", "full_text",
}  # fmt: skip
ID = Column("_id", "integer", nullable=False)
ID_SQL = "(file_row_number + 1)"
SORT_CLAUSE = re.compile(r"^(.+?)( +(asc|desc))?( nulls +(first|last) *)?$", re.IGNORECASE)
QUOTED_NAME = re.compile(r'"(?:[^"]|"")*"')  # the column a sort clause of `_sort_sql` names
QUOTED_ID = re.compile(r'"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"')
DUMP_MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
    "json": "application/json; charset=utf-8",
    "xml": "text/xml; charset=utf-8",
}
# Characters XML 1.0 cannot hold even escaped (control characters, lone surrogates, U+FFFE/F):
# written as U+FFFD, so that a text cell holding one still leaves a well-formed dump.
XML_UNFIT = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
REPLACEMENT = "\ufffd"
XML_NAME_RULES = [
    (re.compile(r"^(\d*xml\d*|\d+)", re.IGNORECASE), ""),
    (re.compile(r"\s+"), "_"),
    (re.compile(r"[^\w_.-]"), ""),
    (re.compile(r"^[\d.-]+"), ""),
]

# The largest limit or offset taken: JavaScript's largest exact integer.
LARGEST_NATURAL = 2**53 - 1


def pg_type(column: Column) -> str:
    if column.type == "number" and column.decimals is None:
        return "float8"
    return PG_TYPES.get(column.type, "text")


@dataclass(frozen=True)
class Table:
    """A DataStore table: the current Parquet of one resource, and its fields with `_id`."""

    resource_id: str
    resource: Resource

    @property
    def columns(self) -> dict[str, Column]:
        return {"_id": ID, **self.resource.schema.columns}

    def describe(self, name: str) -> dict[str, Any]:
        """A field as datastore_search lists it: id, type and the data dictionary `info`."""
        found: dict[str, Any] = {"id": name, "type": "int" if name == "_id" else "text"}
        column = self.resource.schema.columns.get(name)
        if column is None:
            return found
        found["type"] = pg_type(column)
        field = next((f for f in self.resource.schema.fields if f.get("name") == name), {})
        info = {"label": field.get("title", ""), "notes": field.get("description", "")}
        info["type_override"] = ""
        if field.get("unit"):
            info["unit"] = field["unit"]
        found["info"] = info
        return found


class DataStore:
    """datastore_search, datastore_info, datastore_search_sql and dumps over one engine."""

    def __init__(self, engine: QueryEngine, locate: Callable[[str], tuple[str, str]]) -> None:
        """`locate` maps a resource id to (dataset slug, resource name), or raises NotFound."""
        self.engine = engine
        self.locate = locate

    def table(self, resource_id: str) -> Table:
        try:
            slug, name = self.locate(resource_id)
            return Table(resource_id, self.engine.resource(slug, name))
        except NotFound:
            raise NotFound(f'Resource "{resource_id}" was not found.') from None

    # --- datastore_search ---------------------------------------------------------------

    def search(self, data: dict[str, Any]) -> dict[str, Any]:
        """Search a DataStore resource (CKAN's datastore_search)."""
        given = _search_arguments(data)
        table = self.table(given["resource_id"])
        plan = _Plan.make(table, given)
        result = dict(given)
        fmt = given["records_format"]
        rows = self.engine._fetch(*plan.page_sql(text=fmt in ("csv", "tsv")))
        records: list[Any]
        ids = [row[-1] for row in rows if row[-1] is not None]
        if fmt in ("csv", "tsv"):
            result["records"] = _delimited([row[:-1] for row in rows], fmt)
        else:
            records = json.loads("[" + ",".join(str(row[0]) for row in rows) + "]")
            if fmt == "lists":
                records = [list(record.values()) for record in records]
            result["records"] = records
        result["fields"] = [table.describe(name) for name in plan.field_names]
        if given["include_total"]:
            result["total"] = self._total(table, plan)
            result["total_was_estimated"] = False
        if given["include_next_page"] and plan.keyset_operator and ids:
            last = max(ids) if plan.keyset_operator == "gt" else min(ids)
            result["next_page"] = {"_id": {plan.keyset_operator: last}}
        return result

    def _total(self, table: Table, plan: _Plan) -> int:
        if not plan.where and not plan.distinct and table.resource.rows is not None:
            return table.resource.rows
        try:
            return int(self.engine._fetch(*plan.count_sql())[0][0])
        except QueryTimeout:
            raise InvalidFields({"query": ["Search took too long"]}) from None

    # --- datastore_info ---------------------------------------------------------------------

    def info(self, data: dict[str, Any]) -> dict[str, Any]:
        """Describe a DataStore resource: its fields, their schema and the table's size."""
        resource_id = data.get("resource_id") or data.get("id")
        if not resource_id:
            raise InvalidFields({"resource_id": ["Missing value"]})
        table = self.table(str(resource_id))
        resource = table.resource
        fields = []
        key = set(resource.schema.primary_key)
        for name, column in resource.schema.columns.items():
            described = table.describe(name)
            described["schema"] = {
                "native_type": _native_type(column),
                "notnull": not column.nullable,
                "index_name": None,
                "is_index": False,
                "uniquekey": name in key and len(key) == 1,
            }
            fields.append(described)
        info: dict[str, Any] = {"fields": fields}
        if str(data.get("include_meta", True)).lower() not in ("false", "0", "no"):
            info["meta"] = {
                "id": table.resource_id,
                "count": resource.rows,
                "table_type": "BASE TABLE",
                "size": resource.path.stat().st_size,
                "db_size": resource.path.stat().st_size,
                "idx_size": 0,
                "aliases": [view_name(resource.dataset, resource.name)],
            }
        return info

    # --- datastore_search_sql -----------------------------------------------------------------

    def search_sql(self, data: dict[str, Any]) -> dict[str, Any]:
        """Run one read-only SELECT over the DataStore tables (CKAN's datastore_search_sql)."""
        sql = data.get("sql")
        if not sql or not isinstance(sql, str):
            raise InvalidFields({"sql": ["Missing value"]})
        most = self.engine.settings.sql_max_chars
        if len(sql) > most:  # before the rewriting below looks at it
            raise InvalidFields({"sql": [f"Longer than the {most:,} characters allowed"]})
        rewritten = QUOTED_ID.sub(self._view_for, sql)
        try:
            found = self.engine.sql(rewritten)
        except InvalidParameter as exc:
            raise InvalidFields({exc.parameter: [str(exc).split(": ", 1)[-1]]}) from None
        except InvalidQuery as exc:
            raise InvalidFields({"query": [str(exc)]}) from None
        except QueryTimeout:
            raise InvalidFields({"query": ["Query took too long"]}) from None
        result: dict[str, Any] = {
            "sql": sql,
            "records": json.loads("[" + ",".join(found.rows) + "]"),
            "fields": [
                {"id": field["name"], "type": _pg_of_sql(str(field.get("sql_type", "")))}
                for field in found.fields
            ],
        }
        if found.truncated:
            result["records_truncated"] = True
        return result

    def _view_for(self, match: re.Match[str]) -> str:
        try:
            slug, name = self.locate(match.group(1))
        except NotFound:
            return match.group(0)
        return quote(view_name(slug, name))

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
        searched = _search_arguments({**given, "limit": 1})
        limit = _natural(args["limit"], "limit") if args.get("limit") else None
        offset = _natural(args.get("offset") or 0, "offset") or 0
        plan = _Plan.make(table, {**searched, "limit": limit, "offset": offset})
        bom = str(args.get("bom", "")).lower() in ("true", "1", "yes", "on")
        fields = [table.describe(name) for name in plan.field_names]
        runs: list[tuple[int, int]] = []
        # Unreadable, the file is one query, whose error DuckDB reports as for any other.
        with contextlib.suppress(OSError, pa.ArrowException):
            runs = export_runs(table.resource.path)
        queries = plan.run_sqls(runs, text=fmt in ("csv", "tsv"))
        batches = self.engine.stream_all(queries, DUMP_PAGE_ROWS, rows=plan.rows())
        writers = {"csv": _csv_dump, "tsv": _csv_dump, "json": _json_dump, "xml": _xml_dump}
        return fmt, writers[fmt](batches, fields, fmt, bom)


@dataclass(frozen=True)
class _Plan:
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

    @classmethod
    def make(cls, table: Table, given: dict[str, Any]) -> _Plan:
        columns = table.columns
        where, params = _filters_sql(given.get("filters"), columns)
        ranks: dict[str, tuple[str, list[Any]]] = {}
        for name, (condition, rank, values) in _text_search(given, columns).items():
            where.append(condition)
            params.extend(values)
            ranks[name] = (rank, values)
        # A field named twice is shown once, as CKAN's records (dicts) show it.
        names = list(dict.fromkeys(_names(given.get("fields"), "fields")))
        if names:
            unknown = [n for n in names if n not in columns and n not in ranks]
            if unknown:
                raise InvalidFields({"fields": [f'invalid value "{unknown[0]}"']})
        else:
            names = [*columns, *ranks]
        order = _sort_sql(given.get("sort"), columns, ranks)
        distinct = bool(given.get("distinct"))
        keyset = ""
        if not order and not distinct:
            order = ['"_id" ASC']
        if len(order) == 1 and order[0].startswith('"_id"'):
            keyset = "lt" if " DESC" in order[0] else "gt"
        elif order and not distinct:
            order += _tie_breakers(order, table.resource.schema.primary_key)
        return cls(
            table=table,
            field_names=names,
            where=" AND ".join(f"({w})" for w in where),
            params=params,
            ranks=ranks,
            order=order,
            distinct=distinct,
            limit=given.get("limit"),
            offset=int(given.get("offset") or 0),
            keyset_operator=keyset,
        )

    def _source(self, run: tuple[int, int] | None = None) -> tuple[str, list[Any]]:
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
        path = str(self.table.resource.path)
        return sql, [*rank_params, path, *(run or ()), *self.params]

    def _selected(self) -> list[Column]:
        columns = self.table.columns
        return [columns.get(name) or Column(name, "number") for name in self.field_names]

    def page_sql(self, *, text: bool = False) -> tuple[str, list[Any]]:
        """The page: JSON objects (or text cells) of the selected fields, then `_id`."""
        inner, params = self._source()
        selected = self._selected()
        order = f" ORDER BY {', '.join(self.order)}" if self.order else ""
        # The outer query sorts the typed values through the alias `_p`: a bare name would be
        # the rendered output column of that name (text, where 10 sorts before 2).
        typed = f" ORDER BY {', '.join('_p.' + key for key in self.order)}" if self.order else ""
        if self.distinct:
            body = ", ".join(c.sql for c in selected)
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

    def run_sqls(self, runs: list[tuple[int, int]], *, text: bool) -> list[tuple[str, list[Any]]]:
        """The rows as queries read one after the other. A whole table in `_id` order (a dump)
        is one query per run of row groups (`export_runs`), each sorting only its own run, so
        DuckDB never holds the table to sort it; any other plan is its one `page_sql`."""
        if not runs or self.distinct or self.limit is not None or self.offset:
            return [self.page_sql(text=text)]
        if self.order != ['"_id" ASC']:
            return [self.page_sql(text=text)]
        rendered = self._rendered(self._selected(), text)
        queries = []
        for run in runs:
            inner, params = self._source(run)
            queries.append(
                (f'SELECT {rendered}, "_id" FROM ({inner}) AS _p ORDER BY _p."_id"', params)
            )
        return queries

    @staticmethod
    def _rendered(selected: list[Column], text: bool) -> str:
        if text:
            return ", ".join(f"{cell_text_sql(c)} AS {c.sql}" for c in selected)
        return json_row_sql(selected)

    def count_sql(self) -> tuple[str, list[Any]]:
        inner, params = self._source()
        if self.distinct:
            body = ", ".join(c.sql for c in self._selected())
            inner = f"SELECT DISTINCT {body} FROM ({inner}) AS _s"
        return f"SELECT count(*) FROM ({inner}) AS _c", params


def _search_arguments(data: dict[str, Any]) -> dict[str, Any]:
    """datastore_search_schema: defaults, types and the `__junk` check."""
    given = dict(data)
    if "id" in given and "resource_id" not in given:
        given["resource_id"] = given.pop("id")
    errors: dict[str, list[str]] = {}
    junk = sorted(set(given) - SEARCH_KEYS)
    if junk:
        errors["__junk"] = [f"The input field {junk} was not expected."]
    if not given.get("resource_id"):
        errors["resource_id"] = ["Missing value"]
    for key in ("filters", "q"):
        value = given.get(key)
        if isinstance(value, str) and (key == "filters" or value.strip().startswith("{")):
            try:
                given[key] = json.loads(value)
            except ValueError:
                if key == "filters":
                    errors[key] = ["Could not parse as valid JSON"]
    for key in ("limit", "offset"):
        if key in given:
            try:
                given[key] = _natural(given[key], key)
            except InvalidFields as exc:
                errors.update(exc.errors)
    given.setdefault("limit", ROWS_DEFAULT)
    if isinstance(given.get("limit"), int):
        given["limit"] = min(given["limit"], ROWS_MAX)
    for key, default in (("include_total", True), ("include_next_page", False)):
        given[key] = _boolean(given.get(key, default), key, errors)
    for key in ("distinct", "plain"):
        if key in given:
            given[key] = _boolean(given[key], key, errors)
    given.pop("total_estimation_threshold", None)
    given.setdefault("records_format", "objects")
    if given["records_format"] not in RECORDS_FORMATS:
        errors["records_format"] = [f"Value must be one of {list(RECORDS_FORMATS)}"]
    if errors:
        raise InvalidFields(errors)
    return given


def _natural(value: Any, key: str) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise InvalidFields({key: ["Invalid integer"]}) from None
    if number < 0:
        raise InvalidFields({key: ["Must be a natural number"]})
    if number > LARGEST_NATURAL:
        # Past what the engine's integers (and JSON readers) hold: say so, in our words.
        raise InvalidFields({key: [f"Must be at most {LARGEST_NATURAL}"]})
    return number


def _boolean(value: Any, key: str, errors: dict[str, list[str]]) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "y", "on", "t"):
        return True
    if text in ("false", "0", "no", "n", "off", "f", ""):
        return False
    errors[key] = ["Value must be one of: true, false"]
    return False


def _names(value: Any, key: str) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [name.strip() for name in value.split(",") if name.strip()]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return [item.strip() for item in value]
    raise InvalidFields({key: ["Not a string or list of strings"]})


# --- filters --------------------------------------------------------------------------------


def _filters_sql(filters: Any, columns: dict[str, Column]) -> tuple[list[str], list[Any]]:
    """CKAN 2.12 filters (ckanext/datastore/filters.py) as SQL conditions and parameters."""
    if not filters:
        return [], []
    if not isinstance(filters, dict | list) or (
        isinstance(filters, list) and not all(isinstance(item, dict) for item in filters)
    ):
        raise InvalidFields({"filters": ["Filters must be defined as a dict or a list of dicts"]})
    counter = [0]
    params: list[Any] = []
    errors: list[str] = []
    if isinstance(filters, list):
        sql = _any_of(filters, columns, params, errors, counter, 0)
    else:
        sql = _all_of(filters, columns, params, errors, counter, 0)
    if errors:
        raise InvalidFields({"filters": errors})
    return [sql], params


def _count(counter: list[int]) -> None:
    counter[0] += 1
    if counter[0] > MAX_FILTER_OPS:
        raise InvalidFields({"filters": ["Maximum number of filter operations exceeded"]})


def _all_of(
    item: dict[str, Any],
    columns: dict[str, Column],
    params: list[Any],
    errors: list[str],
    counter: list[int],
    depth: int,
) -> str:
    if depth >= MAX_FILTER_DEPTH:
        raise InvalidFields({"filters": ["Maximum nesting depth for filter operations reached"]})
    parts = []
    for key, value in item.items():
        if key.startswith("$") and not key.startswith("$$"):
            if key not in ("$or", "$and"):
                errors.append(f"Unknown operators (must be one of $or, $and): {key}")
                continue
            if not (isinstance(value, list) and all(isinstance(v, dict) for v in value)):
                errors.append(f"Filter operations must be defined as a list of dicts: {value}")
                continue
            _count(counter)
            if key == "$or":
                parts.append(_any_of(value, columns, params, errors, counter, depth + 1))
            else:
                joined = [_all_of(v, columns, params, errors, counter, depth + 1) for v in value]
                parts.append("(" + " AND ".join(joined) + ")" if joined else "true")
        else:
            parts.append(_field_sql(key.removeprefix("$"), value, columns, params, errors, counter))
    return "(" + " AND ".join(parts) + ")" if parts else "true"


def _any_of(
    items: list[dict[str, Any]],
    columns: dict[str, Column],
    params: list[Any],
    errors: list[str],
    counter: list[int],
    depth: int,
) -> str:
    parts = [_all_of(item, columns, params, errors, counter, depth + 1) for item in items]
    return "(" + " OR ".join(parts) + ")" if parts else "false"


def _field_sql(
    name: str,
    value: Any,
    columns: dict[str, Column],
    params: list[Any],
    errors: list[str],
    counter: list[int],
) -> str:
    _count(counter)
    column = columns.get(name)
    if column is None:
        errors.append(f"Unknown field: {name}")
        return "true"
    if isinstance(value, dict):
        parts = []
        for operator, operand in value.items():
            if operator == "in":
                parts.append(_in_sql(column, operand, params))
            elif operator in RANGE_OPERATORS:
                params.append(_typed(column, operand))
                parts.append(f"{_sql(column)} {RANGE_OPERATORS[operator]} ?")
            else:
                raise InvalidFields(
                    {"filters": [f"Unknown filter operation: {operator!r} on {name!r}"]}
                )
        return "(" + " AND ".join(parts) + ")" if parts else "true"
    if isinstance(value, list):
        ranges = [v for v in value if isinstance(v, dict)]
        plain = [v for v in value if not isinstance(v, dict)]
        parts = [_field_sql(name, r, columns, params, errors, counter) for r in ranges]
        if plain or not ranges:
            parts.append(_in_sql(column, plain, params))
        return "(" + " OR ".join(parts) + ")"
    params.append(_typed(column, value))
    return f"{_sql(column)} = ?"


def _in_sql(column: Column, values: Any, params: list[Any]) -> str:
    items = values if isinstance(values, list) else [values]
    if not items:
        return "false"
    params.extend(_typed(column, item) for item in items)
    return f"{_sql(column)} IN ({', '.join('?' for _ in items)})"


def _sql(column: Column) -> str:
    """A column in a condition; `_id` is computed from the row number, so it is spelled out."""
    return ID_SQL if column is ID else column.sql


def _typed(column: Column, value: Any) -> Any:
    if value is None:
        return None
    text = ("true" if value else "false") if isinstance(value, bool) else str(value)
    try:
        return parse_value(column, text, "filters")
    except InvalidParameter as exc:
        raise InvalidFields({"filters": [str(exc).removeprefix("filters: ")]}) from None


# --- full-text search, sort -----------------------------------------------------------------


def _text_search(
    given: dict[str, Any], columns: dict[str, Column]
) -> dict[str, tuple[str, str, list[Any]]]:
    """rank column → (condition, rank expression, terms) for `q` (string or dict)."""
    q = given.get("q") or given.get("full_text")
    if not q:
        return {}
    texts = [c for name, c in columns.items() if name != "_id"]
    if isinstance(q, dict):
        found = {}
        for name, value in q.items():
            if name in columns:
                found[f"rank {name}"] = _matching([columns[name]], str(value))
        return found
    return {"rank": _matching(texts, str(q))}


def _matching(columns: list[Column], query: str) -> tuple[str, str, list[Any]]:
    terms = [term.lower() for term in query.split() if term.strip()]
    if not terms:
        return "true", "0.0", []
    text = "lower(concat_ws(' ', " + ", ".join(f"CAST({c.sql} AS VARCHAR)" for c in columns) + "))"
    condition = " AND ".join(f"contains({text}, ?)" for _ in terms)
    rank = " + ".join(
        f"CAST((length({text}) - length(replace({text}, ?, ''))) AS DOUBLE)"
        f" / greatest(length({text}), 1)"
        for _ in terms
    )
    return condition, rank, terms


def _sort_sql(
    value: Any, columns: dict[str, Column], ranks: dict[str, tuple[str, list[Any]]]
) -> list[str]:
    clauses = _names(value, "sort")
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


# --- rendering ------------------------------------------------------------------------------


def cell_text_sql(column: Column) -> str:
    """A cell for a delimited file (CSV, TSV): numbers, dates and booleans keep their type
    (written unquoted), datetimes take the ISO `T`, and text that a spreadsheet would run as
    a formula gets a leading `'`, as in the downloads (`catalog.query.export.neutralised`): a CSV
    dump is opened in Excel as often as any other CSV. A negative number is a number."""
    name = column.sql
    if column.type == "number" and column.decimals is None:
        return f"CASE WHEN isfinite({name}) THEN {name} END"
    if column.type == "datetime":
        return f"replace(CAST({name} AS VARCHAR), ' ', 'T')"
    if column.type not in TEXTUAL:
        return neutralised_sql(f"CAST({name} AS VARCHAR)")
    return name


def _delimited(rows: list[tuple[Any, ...]], fmt: str) -> str:
    """`records` as CSV or TSV lines, a field quoted when it holds the delimiter, a quote or a
    line break of either kind (Python's csv module, with `\n` lines, left `\r` unquoted)."""
    delimiter = "\t" if fmt == "tsv" else ","
    special = (delimiter, '"', "\n", "\r")

    def field(cell: Any) -> str:
        text = "" if cell is None else _cell(cell)
        if any(mark in text for mark in special):
            return '"' + text.replace('"', '""') + '"'
        return text

    lines = []
    for row in rows:
        line = delimiter.join(field(cell) for cell in row)
        lines.append(line if line or len(row) != 1 else '""')  # not a blank line
    return "".join(line + "\n" for line in lines)


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _native_type(column: Column) -> str:
    native = {"int8": "bigint", "int4": "integer", "float8": "double precision", "bool": "boolean"}
    if column.decimals is not None:
        return f"numeric(38,{column.decimals})"
    kind = pg_type(column)
    return native.get(kind, "timestamp without time zone" if kind == "timestamp" else kind)


def _pg_of_sql(sql_type: str) -> str:
    upper = sql_type.upper()
    if upper.startswith("DECIMAL"):
        return "numeric"
    simple = {
        "BIGINT": "int8", "INTEGER": "int4", "SMALLINT": "int2", "TINYINT": "int2",
        "HUGEINT": "numeric", "DOUBLE": "float8", "FLOAT": "float4", "BOOLEAN": "bool",
        "DATE": "date", "VARCHAR": "text", "TIME": "time",
    }  # fmt: skip
    if upper.startswith("TIMESTAMP"):
        return "timestamp"
    return simple.get(upper, "text")


# --- dump writers (ckanext/datastore/writer.py) ---------------------------------------------


def _csv_dump(
    batches: Iterator[pa.RecordBatch], fields: list[dict[str, Any]], fmt: str, bom: bool
) -> Iterator[bytes]:
    delimiter = "\t" if fmt == "tsv" else ","
    header = io.StringIO()
    csv.writer(header, delimiter=delimiter, lineterminator="\r\n").writerow(f["id"] for f in fields)
    yield (b"\xef\xbb\xbf" if bom else b"") + header.getvalue().encode()
    options = pacsv.WriteOptions(include_header=False, delimiter=delimiter)
    for batch in batches:
        if batch.num_rows:
            sink = pa.BufferOutputStream()
            data = batch.select(list(range(batch.num_columns - 1)))
            pacsv.write_csv(data, sink, options)
            yield bytes(sink.getvalue().to_pybytes())


def _json_dump(
    batches: Iterator[pa.RecordBatch], fields: list[dict[str, Any]], fmt: str, bom: bool
) -> Iterator[bytes]:
    head = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
    opening = '{\n  "fields": ' + head + ',\n  "records": ['
    yield (b"\xef\xbb\xbf" if bom else b"") + opening.encode()
    first = True
    for batch in batches:
        parts = []
        for text in batch.column(0).to_pylist():
            values = list(json.loads(text).values())
            parts.append(("\n    " if first else ",\n    ") + _compact(values))
            first = False
        if parts:
            yield "".join(parts).encode()
    yield b"\n]}\n"


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _xml_dump(
    batches: Iterator[pa.RecordBatch], fields: list[dict[str, Any]], fmt: str, bom: bool
) -> Iterator[bytes]:
    yield (b"\xef\xbb\xbf" if bom else b"") + (
        b'<data xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
    )
    names = [f["id"] for f in fields]
    elements = _xml_names([n for n in names if n != "_id"])
    for batch in batches:
        lines = []
        for text in batch.column(0).to_pylist():
            record = json.loads(text)
            attribute = f" _id={quoteattr(str(record['_id']))}" if "_id" in record else ""
            cells = "".join(_xml_cell(elements[n], record[n]) for n in elements)
            lines.append(f"<row{attribute}>{cells}</row>\n")
        if lines:
            yield "".join(lines).encode()
    yield b"</data>\n"


def _xml_names(columns: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for column in columns:
        element = column
        for rule, replacement in XML_NAME_RULES:
            element = rule.sub(replacement, element)
        unique, suffix = element, 0
        while unique in found.values():
            unique = f"{element}_{suffix}"
            suffix += 1
        found[column] = unique
    return found


def _xml_cell(element: str, value: Any) -> str:
    if value is None:
        return f'<{element} xsi:nil="true" />'
    if isinstance(value, bool):
        value = "True" if value else "False"
    return f"<{element}>{escape(XML_UNFIT.sub(REPLACEMENT, str(value)))}</{element}>"
