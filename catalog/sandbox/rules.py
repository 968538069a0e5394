"""What user SQL may say: the static check of the SQL sandbox, and DuckDB errors in our words.

The check runs inside a sandbox worker (`catalog.sandbox.worker`), on DuckDB's own parse of
the text (`json_serialize_sql`), and walks the whole tree. It is the second of two walls:
the worker's database holds nothing but the views and may open no file but theirs, so what
this check refuses would mostly fail there anyway; the check gives a clear reason and keeps
out what the engine would allow (its settings, its catalogue, views of its own objects).

- Exactly one statement, a SELECT (WITH, VALUES, DESCRIBE and SUMMARIZE parse as SELECT).
- Every table named is one of the views, or a common table expression in scope, with no
  catalog and no schema but `main`: a quoted path (`"/dir/*".parquet`, `'/etc/passwd'`)
  is a replacement scan and never reaches one. A table named as one of the views withheld
  from this request (a conditional dataset's, without its grant) is `ViewWithheld`, for the
  server to refuse as data it may not read; a name in a string literal or a comment is none.
- Table functions only from `TABLE_FUNCTIONS`; scalar, aggregate and window functions only
  from `FUNCTIONS`, an allowlist: nothing that reads settings, the catalogue, variables,
  files or the network, nothing that runs serialized SQL, sleeps or writes a log.
- Functions that allocate their result outside DuckDB's memory limit (`repeat`, `lpad`,
  `printf`...) are refused when a literal asks for more than `LITERAL_SIZE_LIMIT`; the
  worker's OS memory cap is what really bounds them, this only answers sooner and clearer.

DuckDB's own errors are put in our words by `catalog.sandbox.messages`. This module imports
nothing heavier than `duckdb`: it is loaded by every worker process.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterator
from typing import Any

import duckdb

from catalog.errors import InvalidQuery, QueryForbidden
from catalog.sandbox.messages import refusal, with_views

# A node of DuckDB's serialized parse tree (`json_serialize_sql`): arbitrary JSON whose shape
# is DuckDB's and changes between its versions, so it is read defensively, key by key.
TreeNode = dict[str, Any]

# Table functions a query may call: none of them reads a file, a setting or the catalogue.
TABLE_FUNCTIONS = frozenset({"range", "generate_series", "unnest", "json_each", "json_tree"})

# Scalar, aggregate and window functions a query may call, by family. Operators appear under
# their function names (`LIKE` is `~~`). Anything not listed is refused, so a function a new
# DuckDB adds stays out until someone reads what it does.
_FAMILIES = {
    "operators": """
        != !~~ !~~* % & && * ** + - ->> / // < <-> << <= <=> <@ = > >= >> @ @> ^ ^@ | || ~
        ~~ ~~* ~~~ !__postfix
    """,
    "numbers": """
        abs acos acosh add asin asinh atan atan2 atanh bit_count cbrt ceil ceiling cos cosh cot
        degrees divide even exp factorial fdiv fmod gamma gcd greatest greatest_common_divisor
        isfinite isinf isnan lcm least least_common_multiple lgamma ln log log10 log2 mod
        multiply nextafter pi pow power radians random round round_even roundbankers sign
        signbit sin sinh sqrt subtract tan tanh trunc xor bin hex to_base unbin unhex get_bit
        set_bit equi_width_bins format_bytes formatReadableSize formatReadableDecimalSize
        parse_formatted_bytes
    """,
    "text": """
        ascii bar base64 bit_length char_length character_length chr concat concat_ws contains
        damerau_levenshtein editdist3 ends_with format from_base64 hamming ilike_escape instr
        jaccard jaro_similarity jaro_winkler_similarity lcase left left_grapheme len length
        length_grapheme levenshtein like_escape lower lpad ltrim md5 md5_number
        md5_number_lower md5_number_upper mismatches nfc_normalize not_ilike_escape
        not_like_escape octet_length ord overlay position prefix printf regexp_escape
        regexp_extract regexp_extract_all regexp_full_match regexp_matches regexp_replace
        regexp_split_to_array repeat replace reverse right right_grapheme rpad rtrim sha1
        sha256 split split_part starts_with str_split str_split_regex string_split
        string_split_regex string_to_array strip_accents strlen strpos substr substring
        substring_grapheme suffix to_base64 to_hex from_hex translate trim ucase unicode upper
        url_decode url_encode encode decode hash from_binary to_binary
    """,
    "time": """
        age century current_date current_localtime current_localtimestamp date_add date_diff
        date_part date_sub date_trunc datediff datepart datesub datetrunc day dayname
        dayofmonth dayofweek dayofyear days_in_month decade epoch epoch_ms epoch_ns epoch_us era
        get_current_time get_current_timestamp hour isodow isoyear julian last_day make_date
        make_time make_timestamp make_timestamp_ms make_timestamp_ns make_timestamptz
        microsecond millennium millisecond minute month monthname nanosecond
        normalized_interval now quarter second strftime strptime time_bucket timezone
        timezone_hour timezone_minute to_centuries to_days to_decades to_hours to_microseconds
        to_millennia to_milliseconds to_minutes to_months to_quarters to_seconds to_timestamp
        to_weeks to_years today transaction_timestamp try_strptime week weekday weekofyear year
        yearweek
    """,
    "lists, structs and maps": """
        array_append array_apply array_cat array_concat array_contains array_cosine_distance
        array_cosine_similarity array_cross_product array_distance array_distinct
        array_dot_product array_extract array_filter array_grade_up array_has array_has_all
        array_has_any array_indexof array_inner_product array_intersect array_length
        array_negative_dot_product array_negative_inner_product array_pop_back array_pop_front
        array_position array_prepend array_push_back array_push_front array_reduce
        array_resize array_reverse array_reverse_sort array_select array_slice array_sort
        array_to_string array_transform array_unique array_value array_where array_zip
        list_aggr list_aggregate list_any_value list_append list_apply
        list_approx_count_distinct list_avg list_bit_and list_bit_or list_bit_xor
        list_bool_and list_bool_or list_cat list_concat list_contains list_cosine_distance
        list_cosine_similarity list_count list_distance list_distinct list_dot_product
        list_element list_entropy list_extract list_filter list_first list_grade_up list_has
        list_has_all list_has_any list_histogram list_indexof list_inner_product
        list_intersect list_kurtosis list_kurtosis_pop list_last list_mad list_max
        list_median list_min list_mode list_negative_dot_product list_negative_inner_product
        list_pack list_position list_prepend list_product list_reduce list_resize
        list_reverse list_reverse_sort list_select list_sem list_skewness list_slice list_sort
        list_stddev_pop list_stddev_samp list_string_agg list_sum list_transform list_unique
        list_value list_var_pop list_var_samp list_where list_zip apply filter reduce
        aggregate flatten generate_series range generate_subscripts unnest cardinality
        element_at grade_up map map_concat map_contains map_contains_entry map_contains_value
        map_entries map_extract map_extract_value map_from_entries map_keys map_values
        struct_concat struct_contains struct_extract struct_extract_at struct_has
        struct_indexof struct_insert struct_keys struct_pack struct_position struct_update
        struct_values row union_extract union_tag union_value unpivot_list enum_code
        enum_first enum_last enum_range enum_range_boundary
    """,
    "json": """
        json json_array json_array_length json_contains json_exists json_extract
        json_extract_path json_extract_path_text json_extract_string json_group_array
        json_group_object json_group_structure json_insert json_keys json_merge_patch
        json_object json_pretty json_quote json_remove json_replace json_set json_strip_nulls
        json_structure json_transform json_transform_strict json_type json_valid json_value
        from_json from_json_strict to_json array_to_json row_to_json
    """,
    "other scalars": """
        if nullif typeof uuid gen_random_uuid uuidv4 uuidv7 uuid_extract_timestamp
        uuid_extract_version error
    """,
    "aggregates": """
        any_value approx_count_distinct approx_quantile approx_top_k arbitrary arg_max
        arg_max_null arg_max_nulls_last arg_min arg_min_null arg_min_nulls_last argmax argmin
        array_agg avg bit_and bit_or bit_xor bitstring_agg bool_and bool_or corr count count_if
        count_star countif covar_pop covar_samp entropy favg first fsum geomean
        geometric_mean group_concat histogram histogram_exact kahan_sum kurtosis kurtosis_pop
        last list listagg lttb mad max max_by mean median min min_by mode product quantile
        quantile_cont quantile_disc regr_avgx regr_avgy regr_count regr_intercept regr_r2
        regr_slope regr_sxx regr_sxy regr_syy reservoir_quantile sem skewness stddev
        stddev_pop stddev_samp string_agg sum sum_no_overflow sumkahan var_pop var_samp
        variance weighted_avg wavg
    """,
    "windows": """
        row_number rank dense_rank rank_dense percent_rank cume_dist ntile lag lead
        first_value last_value nth_value fill
    """,
}
FUNCTIONS = frozenset(name.casefold() for names in _FAMILIES.values() for name in names.split())

# Functions whose result is built outside DuckDB's buffer manager, sized by an argument.
ALLOCATING = frozenset(
    {"repeat", "lpad", "rpad", "printf", "format", "list_resize", "array_resize", "range",
     "generate_series", "equi_width_bins", "bar"}
)  # fmt: skip
LITERAL_SIZE_LIMIT = 10_000_000
# A width or precision in a printf/format pattern: `%2000000000d`, `{:>2000000000}`.
PATTERN_WIDTH = re.compile(r"[%:][^A-Za-z%{}]*?([0-9]{8,})")

# Every node of a parsed SELECT that is not an expression: query nodes, table references
# (no PIVOT: its hidden first query is not in the tree), modifiers and orders.
_NODE_TYPES = frozenset(
    {"SELECT_NODE", "SET_OPERATION_NODE", "RECURSIVE_CTE_NODE", "CTE_NODE",
     "BASE_TABLE", "TABLE_FUNCTION", "JOIN", "SUBQUERY", "EXPRESSION_LIST", "EMPTY", "SHOW_REF",
     "ORDER_MODIFIER", "LIMIT_MODIFIER", "LIMIT_PERCENT_MODIFIER", "DISTINCT_MODIFIER",
     "ORDER_DEFAULT", "ASCENDING", "DESCENDING"}
)  # fmt: skip
_EXPRESSIONS = frozenset(
    {"COLUMN_REF", "CONSTANT", "FUNCTION", "OPERATOR", "COMPARISON", "CONJUNCTION", "CASE",
     "CAST", "SUBQUERY", "WINDOW", "STAR", "LAMBDA", "COLLATE", "BETWEEN", "TYPE",
     "POSITIONAL_REFERENCE", "LAMBDA_REF"}
)  # fmt: skip
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")
# A table name that could be a file to a replacement scan (or is no name at all).
PATHLIKE = re.compile(r"^$|[/\\.:*?~$'\"\s]")


class ViewWithheld(QueryForbidden):
    """The query names `view`, one of the views withheld from this request."""

    def __init__(self, view: str) -> None:
        super().__init__(f"the view {view} is not readable without a grant")
        self.view = view


def statement_of(con: duckdb.DuckDBPyConnection, text: str, views: Collection[str]) -> str:
    """The one SELECT in `text`, checked; QueryForbidden or InvalidQuery saying why not."""
    return parsed_statement(con, text, views)[0]


def parsed_statement(
    con: duckdb.DuckDBPyConnection,
    text: str,
    views: Collection[str],
    withheld: Collection[str] = (),
) -> tuple[str, TreeNode]:
    """`statement_of`, and its parse tree (`json_serialize_sql`); a table that is one of
    `withheld` (views the request may not read) is `ViewWithheld`."""
    try:
        statements = con.extract_statements(text)
    except duckdb.Error as exc:
        raise refusal(exc, views) from None
    if len(statements) != 1:
        raise QueryForbidden(f"send exactly one statement; this text holds {len(statements)}")
    statement = statements[0]
    if statement.type != duckdb.StatementType.SELECT:
        # DuckDB files PIVOT under MULTI (it expands to several statements): name it so.
        kind = "PIVOT" if statement.type.name == "MULTI" else statement.type.name
        raise QueryForbidden(
            f"only SELECT and WITH queries are allowed, not {kind}; for a pivot, group by the"
            " row and column keys and use sum(x) FILTER (WHERE column = 'value') per column"
        )
    query = statement.query.strip().rstrip(";").strip()
    try:
        serialized = con.execute("SELECT json_serialize_sql(?)", [query]).fetchone()
        tree = json.loads(serialized[0] if serialized else "{}")
    except duckdb.Error as exc:
        raise refusal(exc, views) from None
    except RecursionError:
        raise InvalidQuery("the query is nested too deeply") from None
    if tree.get("error"):
        raise InvalidQuery(
            "this form of query is not supported here; write it as a plain SELECT"
            if "not implemented" in str(tree.get("error_type", ""))
            else "the query does not parse"
        )
    check_tree(tree, views, withheld)
    return query, tree


def check_tree(tree: TreeNode, views: Collection[str], withheld: Collection[str] = ()) -> None:
    """Refuse a parsed statement that reaches anything but `views` and allowed functions."""
    known = {view.casefold(): view for view in views}
    hidden = {view.casefold(): view for view in withheld}
    # Iterative, not recursive: a deeply nested query must not exhaust the Python stack.
    pending: list[tuple[Any, frozenset[str]]] = [(tree, frozenset())]
    while pending:
        node, scope = pending.pop()
        if isinstance(node, list):
            pending.extend((item, scope) for item in node)
            continue
        if not isinstance(node, dict):
            continue
        scope = _with_ctes(node, scope, pending)
        children = _check_node(node, scope, known, hidden)
        pending.extend((child, scope) for child in children)


def _with_ctes(
    node: TreeNode, scope: frozenset[str], pending: list[tuple[Any, frozenset[str]]]
) -> frozenset[str]:
    """The names `node`'s common table expressions add; queues each body with what it sees.

    A CTE body sees the CTEs before it and itself (recursion), never those after it: a name
    it cannot see would resolve to the engine's catalogue instead.
    """
    entries = (node.get("cte_map") or {}).get("map") or []
    if not entries:
        return scope
    for entry in entries:
        name = str(entry.get("key", "")).casefold()
        scope = scope | {name}
        pending.append((entry.get("value"), scope))
    return scope


def _check_node(
    node: TreeNode, ctes: frozenset[str], views: dict[str, str], hidden: dict[str, str]
) -> list[Any]:
    """Check one node; the values to walk below it."""
    family = node.get("class")
    kind = node.get("type")
    if family is not None:
        if family not in _EXPRESSIONS:
            raise QueryForbidden("this kind of expression is not allowed here")
        if family in ("FUNCTION", "WINDOW"):
            _check_function(node)
    elif isinstance(kind, str):
        if kind not in _NODE_TYPES:
            raise QueryForbidden("this kind of query is not allowed here; write a plain SELECT")
        if kind == "BASE_TABLE":
            _check_table(node, ctes, views, hidden)
        elif kind == "SHOW_REF" and not node.get("query"):
            raise QueryForbidden("only DESCRIBE or SUMMARIZE of a query or a view is allowed")
        elif kind == "TABLE_FUNCTION":
            return _table_function_children(node)
    # A CTE's body is queued by `_with_ctes`, with its own scope; the tree stays whole
    # (`catalog.sandbox.naming` rewrites it).
    return [v for k, v in node.items() if k != "cte_map" and isinstance(v, dict | list)]


def _check_table(
    node: TreeNode, ctes: frozenset[str], views: dict[str, str], hidden: dict[str, str]
) -> None:
    table = str(node.get("table_name", ""))
    schema = str(node.get("schema_name", "")).casefold()
    if node.get("catalog_name") or schema not in ("", "main") or PATHLIKE.search(table):
        raise QueryForbidden(
            "a table must be one of the views <dataset>__<resource>, named without a "
            "catalog, a schema or a file path"
        )
    if node.get("at_clause"):
        raise QueryForbidden("AT (VERSION ...) is not allowed; the views show current versions")
    if table.casefold() not in ctes and table.casefold() in hidden:
        raise ViewWithheld(hidden[table.casefold()])
    if table.casefold() not in ctes and table.casefold() not in views:
        shown = f"no view named {table}" if _showable(table) else "no such view"
        underscored = re.sub(r"[^0-9A-Za-z_]", "_", table).casefold()
        if underscored != table.casefold() and underscored in views:
            # `"wages-test__wages"`: the dataset's own name, as users first write it.
            shown += f" (dashes and dots become underscores: {views[underscored]})"
        raise InvalidQuery(with_views(shown, list(views.values())))


def _table_function_children(node: TreeNode) -> list[Any]:
    function = node.get("function") or {}
    name = str(function.get("function_name", "")).casefold()
    if (
        name not in TABLE_FUNCTIONS
        or function.get("schema")
        or function.get("catalog")
        or function.get("class") != "FUNCTION"
    ):
        shown = f"the table function {name}()" if _showable(name) else "this table function"
        raise QueryForbidden(
            f"{shown} is not allowed; query the views "
            f"<dataset>__<resource>, or {', '.join(sorted(TABLE_FUNCTIONS))}"
        )
    rest = {k: v for k, v in node.items() if k != "function"}
    return [function.get("arguments"), *(v for v in rest.values() if isinstance(v, dict | list))]


def _check_function(node: TreeNode) -> None:
    name = str(node.get("function_name", ""))
    schema = str(node.get("schema", "")).casefold()
    if name.casefold() not in FUNCTIONS:
        shown = f"the function {name}()" if _showable(name) else "this function"
        raise QueryForbidden(f"{shown} is not allowed here")
    if node.get("catalog") or schema not in ("", "main", "pg_catalog"):
        raise QueryForbidden("call functions by their plain name, without a catalog or schema")
    _check_sizes(name.casefold(), node)


def _check_sizes(name: str, node: TreeNode) -> None:
    """Refuse a literal that asks an allocating function for more than the limit."""
    if name not in ALLOCATING:
        return
    for constant in _constants(node):
        literal = constant.get("literal") or {}
        text = str(literal.get("text", ""))
        big = False
        if literal.get("kind") != "STRING":
            try:
                big = abs(float(text)) > LITERAL_SIZE_LIMIT
            except ValueError:  # NULL, a boolean
                big = False
        elif name in ("printf", "format"):
            big = any(int(w) > LITERAL_SIZE_LIMIT for w in PATTERN_WIDTH.findall(text))
        if big:
            raise QueryForbidden(
                f"{name}() may not build more than {LITERAL_SIZE_LIMIT:,} characters or "
                "elements; the query asks for more"
            )


def _constants(node: TreeNode) -> Iterator[TreeNode]:
    """The constants among a function's arguments, through casts and signs."""
    pending: list[Any] = [a.get("expression") for a in node.get("arguments") or []]
    while pending:
        item = pending.pop()
        if not isinstance(item, dict):
            continue
        if item.get("class") == "CONSTANT":
            yield item
        elif item.get("class") == "CAST":
            pending.append(item.get("child"))
        elif item.get("class") == "FUNCTION" and item.get("function_name") in ("-", "+", "*"):
            pending.extend(a.get("expression") for a in item.get("arguments") or [])


def _showable(name: str) -> bool:
    # Echo a name only when it is a plain identifier and names nothing of the engine's own.
    return bool(IDENTIFIER.fullmatch(name)) and "duckdb" not in name.casefold()
