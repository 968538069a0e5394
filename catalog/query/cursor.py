"""Keyset paging: the opaque `next` cursor, the predicate that resumes after it, and the SQL
of one page (`PageQuery`).

A cursor is base64url JSON of the version it pages through, the sort it was made for, and
the last row's values of every sort key (the primary key, or the Parquet row number, ends
the keys as tie-breaker, so a page boundary is never ambiguous). Values travel as text and
are parsed back by their column's type, so they bind as exactly what was read. Pinning the
version keeps a walk through a resource consistent when a new version is published midway.

The first page's `total` rides along with a signature of the filters it counted, so the
pages after it repeat the total instead of counting the same rows again.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from catalog.errors import InvalidParameter
from catalog.sql import (
    ROW_NUMBER,
    Column,
    Filter,
    Schema,
    ServedField,
    SortKey,
    json_row_sql,
    nests_deeper,
    parse_filters,
    parse_names,
    parse_sort,
    parse_value,
    rendered_from,
    where_sql,
)

PARAMETER = "next"
# A cursor this API makes is an object holding arrays: two levels. Its size is bounded by
# the URL's; this bound also holds for a cursor that arrives some other way.
CURSOR_NESTING = 2
CURSOR_MAX_CHARS = 16_384
MAX_ROWS_LIMIT = 10_000
# The largest offset a query can bind (DuckDB's BIGINT); no file holds that many rows.
MAX_OFFSET = 2**63 - 1
# A total a cursor may carry: a Parquet file's rows are an int64 (a forged cursor carried -5
# or 10^30, echoed as the total).
MAX_TOTAL = 2**63 - 1
# A page query whose bound leaves at most this many rows renders them in one pass.
FLAT_ROWS = 4096

Condition = tuple[str, list[Any]]


@dataclass(frozen=True)
class Total:
    """The matching rows of a filtered resource, counted or estimated, and what it counted."""

    rows: int | None
    exact: bool
    filters: str  # `filter_signature` of the filters counted


@dataclass(frozen=True)
class Cursor:
    version: str
    sort: str
    values: tuple[str | None, ...]
    total: Total | None = None

    def encode(self) -> str:
        payload: dict[str, Any] = {"v": self.version, "s": self.sort, "k": list(self.values)}
        if self.total is not None:
            payload["t"] = [self.total.rows, self.total.exact, self.total.filters]
        text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> Cursor:
        if len(token) > CURSOR_MAX_CHARS:
            raise InvalidParameter(
                PARAMETER,
                f"longer than any cursor this API makes ({CURSOR_MAX_CHARS:,} characters)",
            )
        try:
            text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
            if nests_deeper(text, CURSOR_NESTING):
                # Checked before parsing: the parser recurses, and would fail on a forgery.
                raise InvalidParameter(PARAMETER, "not a cursor this API made (nested too deeply)")
            payload = json.loads(text)
            values = tuple(payload["k"])
            if not all(v is None or isinstance(v, str) for v in values):
                raise ValueError("cursor values must be text or null")
            total = None
            if "t" in payload:
                rows, exact, filters = payload["t"]
                if not (rows is None or type(rows) is int) or not isinstance(exact, bool):
                    raise ValueError("the cursor's total is malformed")
                if rows is not None and not 0 <= rows <= MAX_TOTAL:
                    raise ValueError("the cursor's total is out of range")
                total = Total(rows, exact, str(filters))
            return cls(str(payload["v"]), str(payload["s"]), values, total)
        except (binascii.Error, ValueError, TypeError, KeyError) as exc:
            raise InvalidParameter(PARAMETER, "not a cursor this API made") from exc

    def typed_values(self, keys: Sequence[SortKey]) -> list[Any]:
        if len(keys) != len(self.values):
            raise InvalidParameter(PARAMETER, "the cursor does not fit this sort")
        return [
            None if text is None else parse_value(key.column, text, PARAMETER)
            for key, text in zip(keys, self.values, strict=True)
        ]


def filter_signature(filters: Sequence[tuple[str, str]]) -> str:
    """A short digest of a request's filters, in any order: what a carried total counted."""
    text = json.dumps(sorted(filters), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def sort_signature(keys: Sequence[SortKey]) -> str:
    return ",".join(("-" if key.descending else "") + key.column.name for key in keys)


def as_text(value: Any) -> str | None:
    """A sort-key value as the text `parse_value` reads back to the same value."""
    if value is None:
        return None
    if isinstance(value, date):  # datetime too
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)


def keyset_sql(keys: Sequence[SortKey], values: Sequence[Any]) -> tuple[str, list[Any]]:
    """Rows strictly after `values` in the order of `keys` (NULLS LAST in both directions).

    Expanded as `after(k1) OR (k1 = v1 AND (after(k2) OR (k2 = v2 AND ...)))`; a leading
    `k1 >= v1` conjunct (when k1 cannot be null) lets DuckDB skip row groups by statistics.
    """
    text, params = _after_from(keys, values, 0)
    first, value = keys[0], values[0]
    if not first.column.nullable and value is not None:
        bound = f"{first.column.sql} {'<=' if first.descending else '>='} ?"
        return f"{bound} AND ({text})", [value, *params]
    return text, params


def _after_from(
    keys: Sequence[SortKey], values: Sequence[Any], index: int
) -> tuple[str, list[Any]]:
    after, after_params = _after(keys[index], values[index])
    if index == len(keys) - 1:
        return after, after_params
    equal, equal_params = _equal(keys[index], values[index])
    rest, rest_params = _after_from(keys, values, index + 1)
    text = f"({after} OR ({equal} AND ({rest})))"
    return text, [*after_params, *equal_params, *rest_params]


def _after(key: SortKey, value: Any) -> tuple[str, list[Any]]:
    if value is None:
        return "FALSE", []  # nulls come last: nothing sorts after a null on this key
    comparison = f"{key.column.sql} {'<' if key.descending else '>'} ?"
    if key.column.nullable:
        return f"({comparison} OR {key.column.sql} IS NULL)", [value]
    return comparison, [value]


def _equal(key: SortKey, value: Any) -> tuple[str, list[Any]]:
    if value is None:
        return f"{key.column.sql} IS NULL", []
    return f"{key.column.sql} = ?", [value]


def floor_of(filters: Sequence[Filter], key: SortKey) -> Any | None:
    """The largest value a `gt` filter keeps an ascending sort key above (the CKAN
    DataStore's `next_page` filter on `_id`, say): its page starts after that value, as a
    cursor's page starts after the cursor's. None without one."""
    if key.descending:
        return None
    found = [f.values[0] for f in filters if f.column == key.column and f.operator == "gt"]
    return max((v for v in found if v is not None), default=None)


def pinned_version(requested: str | None, cursor: Cursor | None) -> str | None:
    """The version a page reads: the cursor's, which a `version=` may only repeat."""
    if cursor is None:
        return requested
    if requested is not None and requested != cursor.version:
        raise InvalidParameter("next", f"the cursor pages version {cursor.version!r}")
    return cursor.version


def sort_keys(schema: Schema, text: str | None) -> list[SortKey]:
    """The requested sort, then the primary key (or the row number) as tie-breaker."""
    keys = parse_sort(schema, text)
    named = {key.column.name for key in keys}
    tie = [SortKey(schema.columns[n]) for n in schema.primary_key if n in schema.columns]
    if not tie:
        tie = [SortKey(ROW_NUMBER)]
    return keys + [key for key in tie if key.column.name not in named]


def check_depth(offset: int, max_offset: int) -> None:
    """Refuse an offset past `max_offset` (0: none), for an order the file is not stored in."""
    if max_offset and offset > max_offset:
        raise InvalidParameter(
            "offset",
            f"give a number from 0 to {max_offset} for this sort, or sort by a column the file"
            " is stored by; page deeper with the next cursor",
        )


def check_paging(limit: int, offset: int, cursor: Cursor | None) -> None:
    if not 0 <= limit <= MAX_ROWS_LIMIT:
        raise InvalidParameter(
            "limit", f"give a number from 0 (the total alone) to {MAX_ROWS_LIMIT}"
        )
    if offset and cursor is not None:
        raise InvalidParameter("offset", "give either offset or next, not both")
    if not 0 <= offset <= MAX_OFFSET:
        raise InvalidParameter("offset", f"give a number from 0 to {MAX_OFFSET}")


DEFAULT_LIMIT = 100


@dataclass(frozen=True)
class RowsRequest:
    filters: Sequence[tuple[str, str]] = ()
    sort: str | None = None
    fields: str | None = None
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    cursor: str | None = None
    version: str | None = None
    total: str = "auto"


@dataclass(frozen=True)
class RowsPage:
    dataset: str
    resource: str
    version: str
    fields: list[ServedField]
    rows: list[str]  # one JSON object text per row
    total: int | None
    total_exact: bool
    next: str | None


@dataclass(frozen=True)
class PageQuestion:
    """A page asked in parsed terms, as the CKAN DataStore asks: the columns rendered, the
    sort keys (the last of them unique), the filters, the paging and the total's mode."""

    columns: list[Column]
    keys: list[SortKey]
    filters: list[Filter]
    limit: int
    offset: int = 0
    total: str = "exact"


@dataclass(frozen=True)
class FoundPage:
    """A page's rows, each its JSON object then its sort keys' values; and its total."""

    rows: list[tuple[Any, ...]]
    total: Total


@dataclass(frozen=True)
class PageQuery:
    """The SQL of one page of rows, over whichever source holds them.

    `fetch` is the page size plus one, the extra row saying whether a next page exists.
    """

    columns: list[Column]
    keys: list[SortKey]
    conditions: list[Condition]
    fetch: int
    offset: int

    def sql(
        self, source: str, *bounds: Condition, nested: bool = True, stored: bool = False
    ) -> Condition:
        """The page from `source`, narrowed by `bounds` too, and its parameters.

        Nested, the page is cut first and rendered after: DuckDB would otherwise build the
        JSON of every matching row before its top-N keeps a hundred (6× slower on a deep
        page of a file). Flat is for bounds that leave only a few rows to render, where
        the second sort costs more than it saves. `stored`: `source` is one file whose rows
        are stored in the page's order, which DuckDB keeps through WHERE, LIMIT and OFFSET
        (its documented order preservation), so the page is cut without a top-N: the scan
        stops at the page's last row instead of sorting every match (1.4× faster on a
        group of the benchmark file).
        """
        where, params = where_sql([*self.conditions, *bounds])
        keys = ", ".join(k.column.sql for k in self.keys)
        order = ", ".join(k.sql() for k in self.keys)
        if nested or stored:
            selected = ", ".join(
                dict.fromkeys([*rendered_from(self.columns), *(k.column.sql for k in self.keys)])
            )
            cut = "" if stored else f" ORDER BY {order}"
            sql = (
                f"SELECT {json_row_sql(self.columns)}, {keys} FROM"
                f" (SELECT {selected} FROM {source}{where}{cut} LIMIT ? OFFSET ?)"
                f" ORDER BY {order}"
            )
        else:
            sql = (
                f"SELECT {json_row_sql(self.columns)}, {keys} FROM {source}{where}"
                f" ORDER BY {order} LIMIT ? OFFSET ?"
            )
        return sql, [*params, self.fetch, self.offset]


@dataclass(frozen=True)
class PlannedPage:
    """A page request parsed against its resource's schema."""

    query: PageQuery
    filters: list[Condition]  # without the cursor's keyset condition: what a total counts
    parsed: list[Filter]  # the same filters, parsed
    after: list[Any] | None  # the cursor's values of the sort keys

    @classmethod
    def of(cls, schema: Schema, request: RowsRequest, cursor: Cursor | None) -> PlannedPage:
        columns = parse_names(schema, request.fields, "fields") or list(schema.columns.values())
        keys = sort_keys(schema, request.sort)
        parsed = parse_filters(schema, request.filters)
        filters = [f.sql() for f in parsed]
        conditions = list(filters)
        after = None
        if cursor is not None:
            if cursor.sort != sort_signature(keys):
                raise InvalidParameter("next", "the cursor was made for another sort")
            after = cursor.typed_values(keys)
            conditions.append(keyset_sql(keys, after))
        query = PageQuery(columns, keys, conditions, request.limit + 1, request.offset)
        return cls(query, filters, parsed, after)
