"""A resource's Table Dialect v2, as the readers honour it, and the keys they refuse.

The descriptor model accepts every Table Dialect v2 key, but a reader uses only those that
mean something for its format. A key the reader would not use is refused with a message
naming it and what to write instead: never read as if it were not there.

- CSV honours `header`, `headerRows`, `headerJoin`, `commentRows`, `commentChar`,
  `delimiter`, `lineTerminator` (the usual ends of line only), `quoteChar`, `doubleQuote`,
  `escapeChar`, `nullSequence` and `skipInitialSpace`.
- XLSX honours `commentRows` and `commentChar`; its sheet and header row are the resource's
  own `sheet` and `header_row` (one way to say each).
- A resource with a `layout` is read by its layout: no dialect key applies.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# Where a key that does not apply to a format belongs instead (`{fmt}`: the resource's format).
_ELSEWHERE = {
    "property": "is for JSON data; a {fmt} resource has no data property, remove it",
    "itemType": "is for JSON data; a {fmt} resource has no items, remove it",
    "itemKeys": "is for JSON data; a {fmt} resource has no items, remove it",
    "table": "is for databases; a {fmt} resource has no tables, remove it",
}
_FOR_CSV = {
    "delimiter": "is for CSV; an XLSX is read cell by cell, remove it",
    "lineTerminator": "is for CSV; an XLSX is read cell by cell, remove it",
    "quoteChar": "is for CSV; an XLSX is read cell by cell, remove it",
    "doubleQuote": "is for CSV; an XLSX is read cell by cell, remove it",
    "escapeChar": "is for CSV; an XLSX is read cell by cell, remove it",
    "skipInitialSpace": "is for CSV; an XLSX is read cell by cell, remove it",
    "nullSequence": "is for CSV; for XLSX list the marker in the schema's `missingValues`",
    "header": "is for CSV; for XLSX use the resource's `header_row` (a 1-based row number)",
    "headerRows": "is for CSV; for XLSX use the resource's `header_row` (a 1-based row number)",
    "headerJoin": "is for CSV; an XLSX header is the one row `header_row` names",
}
_FOR_XLSX = {
    "sheetNumber": "is for XLSX; a CSV has no sheets, remove it",
    "sheetName": "is for XLSX; a CSV has no sheets, remove it",
}
_XLSX_SHEET = "use the resource's `sheet` (a sheet name or a 1-based number)"
_LINE_ENDS = ("\r\n", "\n", "\r")


@dataclass(frozen=True)
class Dialect:
    """What the CSV reader does with a file; the defaults are Table Dialect v2's."""

    delimiter: str = ","
    quote_char: str = '"'
    double_quote: bool = True
    escape_char: str | None = None
    header_rows: tuple[int, ...] = (1,)
    header_join: str = " "
    comment_rows: frozenset[int] = frozenset()
    comment_char: str | None = None
    null_sequence: str | None = None
    skip_initial_space: bool = False

    @classmethod
    def from_descriptor(cls, value: Any) -> Dialect:
        """The dialect a descriptor declares; `dialect_problems` has refused what is wrong."""
        if not isinstance(value, Mapping):
            return cls()
        return cls(
            delimiter=str(value.get("delimiter", ",")),
            quote_char=str(value.get("quoteChar", '"')),
            double_quote=bool(value.get("doubleQuote", True)),
            escape_char=value.get("escapeChar"),
            header_rows=header_rows(value),
            header_join=str(value.get("headerJoin", " ")),
            comment_rows=comment_rows(value),
            comment_char=value.get("commentChar") or None,
            null_sequence=value.get("nullSequence"),
            skip_initial_space=bool(value.get("skipInitialSpace", False)),
        )


def header_rows(dialect: Mapping[str, Any]) -> tuple[int, ...]:
    if dialect.get("header") is False:
        return ()
    rows = dialect.get("headerRows")
    return tuple(sorted({int(row) for row in rows})) if isinstance(rows, list) else (1,)


def comment_rows(dialect: Mapping[str, Any]) -> frozenset[int]:
    rows = dialect.get("commentRows")
    return frozenset(int(row) for row in rows) if isinstance(rows, list) else frozenset()


def with_null_sequence(markers: list[str], dialect: Any) -> list[str]:
    """The schema's missing-value markers, and the dialect's `nullSequence` with them."""
    null = dialect.get("nullSequence") if isinstance(dialect, Mapping) else None
    return [*markers, str(null)] if null is not None else markers


def dialect_problems(resource: Mapping[str, Any], format_: str) -> list[str]:
    """Every dialect key (and `sheet`, `header_row`) the reader of `format_` would not use,
    and every value it cannot honour, each as `key: what to do`."""
    dialect = resource.get("dialect")
    keys = dialect if isinstance(dialect, Mapping) else {}
    if resource.get("layout") is not None:
        return _layout_problems(resource, keys)
    if format_ == "xlsx":
        return _xlsx_problems(keys) + _row_problems(keys)
    return _csv_problems(resource, keys) + _row_problems(keys)


def _layout_problems(resource: Mapping[str, Any], dialect: Mapping[str, Any]) -> list[str]:
    why = "a resource with a `layout` is read by its layout (header, note and footer rows)"
    found = [f"dialect.{key}: {why}; remove it" for key in dialect if key != "$schema"]
    if "header_row" in resource:
        found.append(f"header_row: {why}; use `layout.header_rows`")
    return found


def _xlsx_problems(dialect: Mapping[str, Any]) -> list[str]:
    found: list[str] = []
    for key in dialect:
        if key in ("sheetNumber", "sheetName"):
            found.append(f"dialect.{key}: {_XLSX_SHEET}")
        elif key in _FOR_CSV or key in _ELSEWHERE:
            why = {**_FOR_CSV, **_ELSEWHERE}[key].format(fmt="XLSX")
            found.append(f"dialect.{key} {why}")
    return found


def _csv_problems(resource: Mapping[str, Any], dialect: Mapping[str, Any]) -> list[str]:
    refused = {**_FOR_XLSX, **_ELSEWHERE}
    found = [f"dialect.{key} {refused[key].format(fmt='CSV')}" for key in dialect if key in refused]
    if "sheet" in resource:
        found.append("sheet is for XLSX; a CSV has no sheets, remove it")
    if "header_row" in resource:
        found.append("header_row is for XLSX; for CSV use `dialect.headerRows` (1-based rows)")
    terminator = dialect.get("lineTerminator")
    if terminator is not None and terminator not in _LINE_ENDS:
        found.append(
            f"dialect.lineTerminator {terminator!r} cannot be read: rows end at a line break"
            " (\\r\\n, \\n or \\r); convert the file to one row per line"
        )
    if dialect.get("header") is False and "headerRows" in dialect:
        found.append("dialect.headerRows: `header: false` says there is none; remove one")
    return found


def _row_problems(dialect: Mapping[str, Any]) -> list[str]:
    """Row numbers and the comment character, whatever the format."""
    found: list[str] = []
    for key in ("headerRows", "commentRows"):
        rows = dialect.get(key)
        if rows is not None and (not isinstance(rows, list) or not _positive(rows)):
            found.append(f"dialect.{key}: a list of 1-based row numbers, e.g. [1]")
    if dialect.get("headerRows") == []:
        found.append("dialect.headerRows: an empty list; write `header: false` for no header")
    both = sorted(set(_ints(dialect.get("headerRows"))) & set(_ints(dialect.get("commentRows"))))
    if both:
        listed = ", ".join(str(row) for row in both)
        found.append(f"dialect.commentRows: row {listed} is also a header row; keep it in one")
    if dialect.get("commentChar") == "":
        found.append("dialect.commentChar: an empty string would skip every row; remove it")
    return found


def _positive(rows: list[Any]) -> bool:
    return all(isinstance(row, int) and not isinstance(row, bool) and row >= 1 for row in rows)


def _ints(rows: Any) -> list[int]:
    return [row for row in rows if isinstance(row, int)] if isinstance(rows, list) else []
