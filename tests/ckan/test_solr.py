"""The Solr subset: Lucene's clause rules under q.op=AND, ranges, date math, errors."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pytest

from catalog.errors import SearchSyntaxError
from catalog.search import Boolean, Field, Kind, compile_query, dismax, parse_query
from catalog.search.lucene import MAX_DEPTH, Clause, Occur, Term
from catalog.search.solr import parse_date

FIELDS = {
    "organization": Field("organization", Kind.STRING),
    "tags": Field("tags", Kind.STRINGS),
    "title": Field("lower(title)", Kind.TEXT),
    "text": Field("lower(title)", Kind.TEXT),
    "modified": Field("modified", Kind.DATE),
    "n": Field("n", Kind.INT),
}
ROWS = [
    ("a", "org-a", ["x", "y"], "Wages 工资", datetime(2024, 5, 1, 9), 1),
    ("b", "org-b", ["y"], "Pensions 养老", datetime(2024, 5, 2, 9), 2),
    ("c", "org-c", [], "Jobs 就业", datetime(2024, 6, 1, 9), 3),
]


def matches(query: str) -> list[str]:
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE docs (slug VARCHAR, organization VARCHAR, tags VARCHAR[], title VARCHAR,"
        " modified TIMESTAMP, n INTEGER)"
    )
    con.executemany("INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?)", ROWS)
    compiled = compile_query(parse_query(query), FIELDS)
    found = con.execute(
        f"SELECT slug FROM docs WHERE {compiled.sql} ORDER BY slug", compiled.params
    ).fetchall()
    return [row[0] for row in found]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("organization:org-a", ["a"]),
        ("organization:org-a OR organization:b-none", ["a"]),
        ("(organization:org-a OR organization:org-b)", ["a", "b"]),
        ("organization:org-a OR organization:org-b", ["a", "b"]),
        ("-organization:org-a", ["b", "c"]),
        ("NOT organization:org-a AND tags:y", ["b"]),
        ("tags:y AND !tags:x", ["b"]),
        ("tags:*", ["a", "b"]),
        ('title:"wages 工"', ["a"]),
        ("工资", ["a"]),
        ("*:*", ["a", "b", "c"]),
        ("organization:org-?", ["a", "b", "c"]),
        ("n:[2 TO *]", ["b", "c"]),
        ("n:{1 TO 3}", ["b"]),
        ("modified:[2024-05-01T09:00:00.000001Z TO *]", ["b", "c"]),
        ("modified:[* TO 2024-05-01T09:00:00Z]", ["a"]),
        ("modified:[2024-05-01T00:00:00Z+1DAY TO 2024-05-31T00:00:00Z]", ["b"]),
        ("unknown_field:anything", []),
        ("organization:org\\-a^2", ["a"]),
        # Solr's other spellings of AND, OR and NOT
        ("tags:y && !tags:x", ["b"]),
        ("organization:org-a || organization:org-b", ["a", "b"]),
        ("tags:(x || y) AND NOT organization:org-b", ["a"]),
        ("n:[-1 TO 1]", ["a"]),
        ("organization:org-a~1", ["a"]),
        ('title:"wages"~2', ["a"]),
    ],
)
def test_solr_query_matches_as_lucene_does(query: str, expected: list[str]) -> None:
    assert matches(query) == expected


def test_solr_or_beside_a_required_clause_stops_filtering() -> None:
    # Lucene with q.op=AND: `a OR b c` makes a and b optional and c required, so a CKAN fq
    # `organization:x OR organization:y metadata_modified:[...]` filters on the date only.
    assert matches("organization:org-a OR organization:org-b n:[3 TO 3]") == ["c"]
    assert matches("+organization:org-a organization:org-b") == []
    assert matches("+organization:org-a OR organization:org-b") == ["a", "b"]  # +a OR b → a OR b


@pytest.mark.parametrize(
    "query",
    [
        "organization:(a",
        'title:"open',
        "n:[1 2]",
        "n:abc",
        "modified:[soon TO *]",
        "()",
        "AND tags:x",
        "organization:a:b",
        "- -tags:x",
        "(" * (MAX_DEPTH + 2) + "tags:x" + ")" * (MAX_DEPTH + 2),
        # a run of prefixes overflowed luqum's recursion (a 500)
        "-" * 7000 + "tags:a",
        "+" * 5000 + "tags:a",
        "!" * 3000 + "tags:a",
        "+ " * 2000 + "tags:a",
    ],
)
def test_solr_malformed_query_is_a_search_error(query: str) -> None:
    with pytest.raises(SearchSyntaxError):
        matches(query)


def test_solr_date_math_rounds_and_shifts() -> None:
    now = datetime(2024, 5, 17, 13, 45, 12, 345678)
    assert parse_date("NOW", now) == now
    assert parse_date("NOW/DAY", now) == datetime(2024, 5, 17)
    assert parse_date("NOW-1MONTH/MONTH", now) == datetime(2024, 4, 1)
    assert parse_date("2024-01-31T00:00:00Z+1MONTH") == datetime(2024, 2, 29)
    assert parse_date("2024-05-01T09:00:00.123456Z") == datetime(2024, 5, 1, 9, 0, 0, 123456)


def test_dismax_minimum_match_follows_ckan_mm() -> None:
    assert dismax("a b").minimum_match == 2
    assert dismax("a b c").minimum_match == 2
    assert dismax("a b c d e").minimum_match == 4
    assert dismax("a b c d e f g h i j").minimum_match == 8
    parsed = dismax('+must -not "a phrase" Word')
    assert parsed.required == ("must",)
    assert parsed.prohibited == ("not",)
    assert parsed.optional == ("a phrase", "word")


def test_solr_words_keep_what_luqum_would_read_as_syntax() -> None:
    # A quote, slash or angle bracket starting a word is part of it in Solr; luqum would start
    # a quoted word, a regex or an open range there.
    assert parse_query("title:'x' /path <b>") == Boolean(
        (
            Clause(Occur.MUST, Term("title", "'x'")),
            Clause(Occur.MUST, Term("text", "/path")),
            Clause(Occur.MUST, Term("text", "<b>")),
        )
    )
    assert parse_query('tags:a"b c"').clauses[1] == Clause(
        Occur.MUST, Term("text", "b c", phrase=True)
    )
    assert parse_query("a&&b").clauses == (Clause(Occur.MUST, Term("text", "a&&b")),)


def test_solr_values_travel_as_parameters_never_as_sql() -> None:
    compiled = compile_query(parse_query('organization:"x\' OR 1=1 --" n:[1 TO 2]'), FIELDS)
    assert "1=1" not in compiled.sql and "x'" not in compiled.sql
    assert compiled.params == ["x' OR 1=1 --", 1, 2]
