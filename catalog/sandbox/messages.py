"""DuckDB's errors in our words, for user SQL and for the shared engine alike.

`explain` turns a DuckDB error into a kind and a message: the hint a user needs to fix their
SQL (a syntax error near a word, a column or view that does not exist, a value that does not
convert) and never a path, an engine name or an engine message we have not read. Kinds:

    invalid    the SQL is at fault (400)          forbidden  it reached for a file (403)
    memory     past a memory limit                timeout    interrupted at the time limit
    broken     the database may be unusable       failed     anything else (the server's)
    unavailable  the object store failed a read of a file (503, `catalog.errors.store_failure`)

Loaded by every SQL sandbox worker: it imports nothing heavier than `duckdb`.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

import duckdb

from catalog.errors import InvalidQuery, QueryForbidden, store_failure


@dataclass(frozen=True)
class Explained:
    """A DuckDB error as one of our kinds, with a message that is safe to show."""

    kind: str  # "invalid", "forbidden", "memory", "timeout", "failed", "broken", "unavailable"
    message: str


PATH = re.compile(r"(?:^|[\s'\"(=])(?:/|[A-Za-z]:\\|\.\./|~/)")
FORBIDDEN_WORDS = re.compile(r"duckdb|parquet|LINE \d|\\|internal|pragma|extension", re.I)
CANDIDATES = re.compile(r"Candidate bindings: ([^\n]{1,200})")
_HINTS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r'syntax error at or near "(.{1,60}?)"'), 'syntax error near "{0}"'),
    (re.compile(r"syntax error at end of input"), "syntax error at the end of the query"),
    (re.compile(r"expression depth limit", re.I), "the query is nested too deeply"),
    (re.compile(r"Table with name (\S+?) does not exist"), "no view named {0}"),
    (
        re.compile(r"(?:Scalar |Aggregate |Table |Window |Macro )?Function with name (\S+?) does "),
        "no function named {0}",
    ),
    (re.compile(r"Type with name (\S+?) does not exist"), "no type named {0}"),
    (re.compile(r'Referenced column "(.{1,80}?)" not found'), 'column "{0}" does not exist'),
    (re.compile(r'Referenced table "(.{1,80}?)" not found'), 'no table or alias named "{0}"'),
    (re.compile(r'Values list "(.{1,80}?)" does not have a column named "(.{1,80}?)"'),
     '"{0}" has no column named "{1}"'),
    (re.compile(r"Could not convert string ('.{0,80}?'|\".{0,80}?\") to (\w+(?:\(\d+,\d+\))?)"),
     "Could not convert string {0} to {1}"),
    (re.compile(r"Type \w+ with value (-?\d{1,60}) can't be cast because the value is out of "
                r"range for the destination type (\w+)"),
     "the number {0} is out of range for {1}"),
    (re.compile(r"Could not cast value (-?[\d.]{1,60}) to (\w+(?:\(\d+,\d+\))?)"),
     "the number {0} does not fit {1}"),
    (re.compile(r'(date|time|timestamp) field value out of range: "(.{0,80}?)"'),
     '"{1}" is not a valid {0}'),
    (re.compile(r"Overflow in (\w+) of (\w+)"),
     "the {0} overflows {1}; cast to a wider type (DOUBLE, DECIMAL(38,0))"),
    (re.compile(r"No function matches the given name and argument types "
                r"'(.{1,60}?)\((.{0,200})\)'"),
     "{0} does not take arguments of types ({1}); cast them to types it takes"),
    (re.compile(r'Could not choose a best candidate function for the function call '
                r'"(.{1,60}?)\((.{0,200})\)"'),
     "{0} has several forms that take ({1}); cast the arguments to choose one"),
    (re.compile(r"Malformed JSON at byte (\d+)"), "a text is not valid JSON (from byte {0})"),
    (re.compile(r'column "(.{1,80}?)" must appear in the GROUP BY clause'),
     'column "{0}" must be in GROUP BY or inside an aggregate such as max()'),
    (re.compile(r"LIMIT/OFFSET cannot be negative"), "LIMIT and OFFSET cannot be negative"),
]  # fmt: skip
# What is left of an error of these kinds, in our words: DuckDB's own text is never shown.
_GENERIC: list[tuple[type[duckdb.Error], str]] = [
    (duckdb.ParserException, "syntax error; the query is not SQL that can be read"),
    (duckdb.ConversionException, "a value could not be converted to the type asked for"),
    (duckdb.OutOfRangeException, "a value is out of the range of its type"),
    (duckdb.BinderException, "the query's names, types or grouping do not fit together"),
    (duckdb.InvalidInputException, "a function was given an input it cannot use"),
    (duckdb.CatalogException, "the query names something that does not exist"),
]
# DuckDB's names of its internal integer types, and of literals, as SQL types.
_TYPE_NAMES = {
    "INT8": "TINYINT",
    "INT16": "SMALLINT",
    "INT32": "INTEGER",
    "INT64": "BIGINT",
    "INT128": "HUGEINT",
    "STRING": "VARCHAR",
}


def explain(exc: duckdb.Error, views: Collection[str] = ()) -> Explained:
    """A DuckDB error in our words; `views`, when known, are named in a missing view's hint."""
    if isinstance(exc, duckdb.InterruptException):
        return Explained("timeout", "the query ran past the time limit")
    if isinstance(exc, duckdb.OutOfMemoryException):
        return Explained("memory", "the query needs more memory than allowed")
    if isinstance(exc, duckdb.PermissionException):
        return Explained(
            "forbidden", "the query may read only the views <dataset>__<resource>, not files"
        )
    if isinstance(exc, duckdb.FatalException | duckdb.InternalException):
        return Explained("broken", "the query could not be run")
    if store_failure(exc) is not None:
        return Explained("unavailable", "the data store did not answer; retry in a moment")
    first = str(exc).split("\n", 1)[0]
    detail = re.sub(r"^[A-Za-z ]*Error: ", "", first).strip()
    for pattern, template in _HINTS:
        found = pattern.search(detail)
        if found and all(is_safe(group) for group in found.groups()):
            keep = template.startswith("Could not convert")  # already our words
            message = template.format(*(g if keep else sql_types(g) for g in found.groups()))
            if message.startswith("no view named") and views:
                message = with_views(message, views)
            candidates = CANDIDATES.search(str(exc))
            if message.startswith("column") and candidates and is_safe(candidates[1]):
                message += f"; similar columns: {candidates[1]}"
            return Explained("invalid", message)
    if not _is_users(exc):
        return Explained("failed", "the query failed")
    for kind, message in _GENERIC:
        if isinstance(exc, kind):
            return Explained("invalid", message)
    return Explained("invalid", "the query could not be run as written")


def sql_types(text: str) -> str:
    """DuckDB's type names in an error (INT64, STRING_LITERAL) as SQL's (BIGINT, VARCHAR)."""
    text = re.sub(r"\b([A-Z]+)_LITERAL\b", r"\1", text)
    return re.sub(r"\b[A-Z]+\d*\b", lambda m: _TYPE_NAMES.get(m[0], m[0]), text)


def refusal(exc: duckdb.Error, views: Collection[str] = ()) -> Exception:
    """The error a user's SQL gets for `exc` while it is checked: ours when the SQL is at
    fault, else `exc` itself (an interrupt, out of memory), for the caller to answer."""
    explained = explain(exc, views)
    if explained.kind == "forbidden":
        return QueryForbidden(explained.message)
    if explained.kind == "invalid":
        return InvalidQuery(explained.message)
    return exc


def _is_users(exc: duckdb.Error) -> bool:
    """Whether the error comes from what the query says rather than from the server."""
    return isinstance(
        exc,
        duckdb.ParserException
        | duckdb.BinderException
        | duckdb.CatalogException
        | duckdb.ConversionException
        | duckdb.OutOfRangeException
        | duckdb.InvalidInputException
        | duckdb.InvalidTypeException
        | duckdb.TypeMismatchException
        | duckdb.NotImplementedException
        | duckdb.ConstraintException
        | duckdb.DataError
        | duckdb.ProgrammingError
        | duckdb.SyntaxException,
    )


def is_safe(text: str) -> bool:
    """Whether engine text may be shown: short, and no path, engine name or internals."""
    return is_presentable(text) and not FORBIDDEN_WORDS.search(text)


def is_presentable(text: str) -> bool:
    """Whether a message of ours may be shown: one short line, no path, no engine name."""
    return (
        0 < len(text) <= 400
        and "\n" not in text
        and not PATH.search(text)
        and "duckdb" not in text.casefold()
    )


def with_views(message: str, views: Collection[str]) -> str:
    """A missing view's message naming the views there are, as many as fit the cap of a
    presentable message (past it the whole message would be replaced by a generic one)."""
    if not views:
        return message + "; there are no views"
    names = sorted(views)
    for shown in range(len(names), 0, -1):
        rest = len(names) - shown
        text = f"{message}; the views are {', '.join(names[:shown])}"
        text += f" and {rest} more" if rest else ""
        if is_presentable(text):
            return text
    return f"{message}; there are {len(names)} views"
