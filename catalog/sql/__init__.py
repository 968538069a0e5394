"""SQL building blocks shared by the query engine and the SQL sandbox's worker processes.

Kept light on purpose: the sandbox worker imports them and must import nothing heavier than
DuckDB (see `catalog.sandbox.worker`).
"""

from catalog.sql.cells import (
    EXACT_NUMBER,
    FORMULA_STARTS,
    TEXTUAL,
    Cells,
    cell_sql,
    neutralised,
    neutralised_sql,
    rendered_from,
    select_sql,
)
from catalog.sql.deadlines import Watchdog
from catalog.sql.exactjson import ExactNumber, JsonText, dumps_exact, loads_exact
from catalog.sql.filters import (
    NUMERIC_TYPES,
    ROW_NUMBER,
    Column,
    ColumnDescription,
    Filter,
    Schema,
    ServedField,
    SortKey,
    parse_filters,
    parse_names,
    parse_sort,
    parse_value,
    quote,
    where_sql,
)
from catalog.sql.jsonrows import (
    MAX_NESTING,
    finite_json,
    json_row_sql,
    nests_deeper,
    result_column,
)
from catalog.sql.pgnames import postgres_names, postgres_type, select_list
from catalog.sql.pgtree import probe_tree, resolved_names, serialized_statement, tokenised

__all__ = [
    "EXACT_NUMBER",
    "FORMULA_STARTS",
    "MAX_NESTING",
    "NUMERIC_TYPES",
    "ROW_NUMBER",
    "TEXTUAL",
    "Cells",
    "Column",
    "ColumnDescription",
    "ExactNumber",
    "Filter",
    "JsonText",
    "Schema",
    "ServedField",
    "SortKey",
    "Watchdog",
    "cell_sql",
    "dumps_exact",
    "finite_json",
    "json_row_sql",
    "loads_exact",
    "nests_deeper",
    "neutralised",
    "neutralised_sql",
    "parse_filters",
    "parse_names",
    "parse_sort",
    "parse_value",
    "postgres_names",
    "postgres_type",
    "probe_tree",
    "quote",
    "rendered_from",
    "resolved_names",
    "result_column",
    "select_list",
    "select_sql",
    "serialized_statement",
    "tokenised",
    "where_sql",
]
