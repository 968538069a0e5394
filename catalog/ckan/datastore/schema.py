"""datastore_search's arguments (ckanext/datastore/logic/schema.py, CKAN 2.12), validated.

Defaults, types and the `__junk` check, with the validators every action shares
(`catalog.ckan.arguments`): `limit` defaults to 100 and is capped at 32000
(`ckan.datastore.search.rows_max`); `include_total` defaults to true; `records_format` is
objects, lists, csv or tsv. A `limit` or `offset` past 2^53 - 1 is refused in our words
before it reaches the engine, as is a `q` of more than `Q_WORDS_MAX` words, `Q_MAX_CHARS`
characters or `Q_MAX_DEPTH` levels of nesting (`catalog.ckan.datastore.textsearch`): each
word is a condition and a rank term over every column, and DuckDB's parser allocates outside
its memory limit (150,000 words once took 24 GB).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from catalog.ckan.arguments import boolean, natural
from catalog.ckan.datastore.textsearch import check_text
from catalog.ckan.shapes import DataDict
from catalog.errors import InvalidFields
from catalog.sql import MAX_NESTING, nests_deeper

ROWS_DEFAULT = 100  # ckan.datastore.search.rows_default
ROWS_MAX = 32_000  # ckan.datastore.search.rows_max
RECORDS_FORMATS = ("objects", "lists", "csv", "tsv")
SEARCH_KEYS = {
    "resource_id", "id", "q", "plain", "filters", "language", "limit", "offset", "fields",
    "sort", "distinct", "include_total", "total_estimation_threshold", "records_format",
    "include_next_page", "full_text",
}  # fmt: skip
# The largest limit or offset taken: JavaScript's largest exact integer.
LARGEST_NATURAL = 2**53 - 1


@dataclass(frozen=True)
class SearchArguments:
    """datastore_search's arguments, validated; `echo` is the data CKAN's answer repeats.

    `fields`, `sort` and `filters` are checked against the table when the search is planned.
    """

    echo: dict[str, Any]
    resource_id: str
    filters: Any
    text: Any  # `q` (a string, or a dict of column → string), else `full_text`
    fields: Any
    sort: Any
    distinct: bool
    limit: int | None
    offset: int
    include_total: bool
    include_next_page: bool
    records_format: str
    plain: bool = True  # `q` as words (plainto_tsquery), else tsquery syntax (to_tsquery)
    language: str = "english"  # ckan.datastore.default_fts_lang


def search_arguments(data: DataDict) -> SearchArguments:
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
    elif isinstance(given["resource_id"], dict | list):  # an id is text, never a JSON structure
        errors["resource_id"] = ["Must be a string"]
    _parse_json(given, errors)
    _check_text(given, errors)
    _paging(given, errors)
    given["include_total"] = boolean(given.get("include_total"), True)
    given["include_next_page"] = boolean(given.get("include_next_page"))
    for key in ("distinct", "plain"):
        if key in given:
            given[key] = boolean(given[key])
    given.pop("total_estimation_threshold", None)
    if given.get("records_format") in (None, ""):
        given["records_format"] = "objects"
    if given["records_format"] not in RECORDS_FORMATS:
        errors["records_format"] = [f"Value must be one of {list(RECORDS_FORMATS)}"]
    if errors:
        raise InvalidFields(errors)
    return SearchArguments(
        echo=given,
        resource_id=str(given["resource_id"]),
        filters=given.get("filters"),
        text=given.get("q") or given.get("full_text"),
        fields=given.get("fields"),
        sort=given.get("sort"),
        distinct=bool(given.get("distinct")),
        limit=given["limit"],
        offset=given.get("offset") or 0,
        include_total=given["include_total"],
        include_next_page=given["include_next_page"],
        records_format=given["records_format"],
        plain=bool(given.get("plain", True)),
        language=str(given.get("language") or "english"),
    )


def _parse_json(given: DataDict, errors: dict[str, list[str]]) -> None:
    """`filters` as JSON (CKAN's `json_validator`), `q` too when it reads as an object."""
    for key in ("filters", "q"):
        value = given.get(key)
        if isinstance(value, str) and (key == "filters" or value.strip().startswith("{")):
            if nests_deeper(value):  # before parsing: the parser recurses
                errors[key] = [f"Nested deeper than {MAX_NESTING} levels"]
                continue
            try:
                given[key] = json.loads(value)
            except ValueError:
                if key == "filters":
                    errors[key] = ["Could not parse as valid JSON"]


def _check_text(given: DataDict, errors: dict[str, list[str]]) -> None:
    """`q` (or `full_text`) within its bounds, read as `plain` says, before any table."""
    try:
        check_text(given.get("q") or given.get("full_text"), boolean(given.get("plain"), True))
    except InvalidFields as exc:
        errors.update(exc.errors)


def _paging(given: DataDict, errors: dict[str, list[str]]) -> None:
    """`limit` (defaulted, capped) and `offset` (left out when empty) as naturals."""
    for key in ("limit", "offset"):
        if key in given:
            try:
                given[key] = natural(given[key], key, most=LARGEST_NATURAL)
            except InvalidFields as exc:
                errors.update(exc.errors)
    if given.get("limit") is None:
        given["limit"] = ROWS_DEFAULT
    if isinstance(given["limit"], int):
        given["limit"] = min(given["limit"], ROWS_MAX)
    if "offset" in given and given["offset"] is None:
        del given["offset"]
