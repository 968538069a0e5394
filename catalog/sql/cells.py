"""Output cells: the SQL that renders a column's stored values for one kind of output.

Every output renders the same values the same way, only as far apart as its format needs:

    JSON        typed values for `to_json`: NaN and infinities null, datetimes with `T`
    TEXT        the JSON values as text, text neutralised: CSV downloads (every cell VARCHAR)
    DELIMITED   the JSON values, text neutralised: CKAN's CSV and TSV (numbers stay numbers,
                written unquoted) and the CSV `opendata push` uploads
    SPREADSHEET numbers as doubles, dates, times and booleans typed, text neutralised: XLSX
    STORED      the values as stored: Parquet downloads keep the file's types

A number with `decimalsField` is shown with its row's decimals (`exact_text_sql`), exactly:
as text in TEXT and SPREADSHEET (the XLSX writer gives each cell its number format), as a
bare JSON number in JSON (`json_row_sql` writes it as is), and in DELIMITED as a one-member
struct `{exact_number: text}` so the CSV writer can tell it from text and leave it unquoted.

Spreadsheet safety: a text cell starting with `=`, `+`, `-`, `@` (after blanks too, and in
their full-width forms `＝＋－＠`), a tab or a carriage return would be run as a formula by
Excel, WPS or LibreOffice (CSV injection); in every output a person opens in a spreadsheet
such a cell gets a leading `'`. Numbers are numbers and are never
touched, so a negative number stays one.

Kept light: the SQL sandbox's workers render their JSON rows with it.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable

from catalog.sql.filters import Column, quote

# Table Schema types whose values are not text: never neutralised.
TEXTUAL = frozenset({"integer", "number", "year", "boolean", "date", "datetime", "time"})
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A formula start after leading blanks (spreadsheets trim them), or in its full-width form (a
# Chinese IME types ＝ for =): a text cell matching this is run as a formula by some spreadsheet.
FORMULA_BLANKS = " \u00a0\u3000\n"
FORMULA_SIGNS = "=+-@\uff1d\uff0b\uff0d\uff20"
FORMULA = re.compile(f"^(?:[\t\r]|[{FORMULA_BLANKS}]*[{re.escape(FORMULA_SIGNS)}])")


class Cells(enum.Enum):
    """How an output wants its cells (see the module's table)."""

    JSON = "json"
    TEXT = "text"
    DELIMITED = "delimited"
    SPREADSHEET = "spreadsheet"
    STORED = "stored"


def neutralised(value: str) -> str:
    """`value` made safe to open in a spreadsheet: a leading `'` before a formula start."""
    return "'" + value if FORMULA.match(value) else value


def neutralised_sql(text: str) -> str:
    """The SQL of `neutralised` over the text expression `text` (the same pattern, in RE2)."""
    pattern = FORMULA.pattern.replace("'", "''")
    return f"CASE WHEN regexp_matches({text}, '{pattern}') THEN '''' || {text} ELSE {text} END"


EXACT_NUMBER = "exact_number"


def exact_text_sql(column: Column) -> str:
    """`column`'s decimal as text with its row's decimals, never fewer digits than stored.

    The column is decimal(38, S) and a row's decimals are at most S: trailing zeros past
    them are dropped, a digit that is not zero never (so a wrong decimals field loses
    nothing). A NULL decimals field shows the shortest exact text.
    """
    text = f"CAST({column.sql} AS VARCHAR)"
    places = f"coalesce(CAST({quote(column.decimals_field or '')} AS INTEGER), 0)"
    digits = f"rtrim(split_part({text}, '.', 2), '0')"
    kept = f"rpad({digits}, CAST(greatest(length({digits}), {places}) AS INTEGER), '0')"
    return f"split_part({text}, '.', 1) || CASE WHEN {kept} = '' THEN '' ELSE '.' || {kept} END"


def cell_sql(column: Column, cells: Cells) -> str:
    """The SQL of `column`'s cell in an output that wants `cells`."""
    name = column.sql
    if cells is Cells.STORED:
        return name
    if column.decimals_field is not None:
        exact = exact_text_sql(column)
        return f"struct_pack({EXACT_NUMBER} := {exact})" if cells is Cells.DELIMITED else exact
    if column.type not in TEXTUAL:
        return name if cells is Cells.JSON else neutralised_sql(f"CAST({name} AS VARCHAR)")
    if cells is Cells.SPREADSHEET:
        return _finite(f"CAST({name} AS DOUBLE)") if column.type == "number" else name
    as_text = cells is Cells.TEXT
    if column.type == "number" and column.decimals is None:
        return _finite(name, f"CAST({name} AS VARCHAR)" if as_text else name)
    if column.type == "datetime":
        return f"replace(CAST({name} AS VARCHAR), ' ', 'T')"
    return f"CAST({name} AS VARCHAR)" if as_text else name


def rendered_from(columns: Iterable[Column]) -> list[str]:
    """The SQL names a query must select to render `columns`: theirs and their decimals."""
    names = [c.sql for c in columns]
    decimals = [quote(c.decimals_field) for c in columns if c.decimals_field is not None]
    return list(dict.fromkeys([*names, *decimals]))


def select_sql(columns: Iterable[Column], cells: Cells) -> str:
    """A SELECT list of `columns`, each rendered as `cells` want and named as the column."""
    return ", ".join(f"{cell_sql(c, cells)} AS {c.sql}" for c in columns)


def _finite(value: str, then: str | None = None) -> str:
    """`then` (by default `value` itself) where the number `value` is finite, else NULL."""
    return f"CASE WHEN isfinite({value}) THEN {then or value} END"
