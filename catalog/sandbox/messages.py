"""DuckDB's errors in our words, for user SQL and for the shared engine alike.

`explain` turns a DuckDB error into a kind and a message: the hint a user needs to fix their
SQL (a syntax error near a word, a column or view that does not exist, a value that does not
convert) and never a path, an engine name or an engine message we have not read. Kinds:

    invalid    the SQL is at fault (400)          forbidden  it reached for a file (403)
    memory     past a memory limit                timeout    interrupted at the time limit
    broken     the database may be unusable       failed     anything else (the server's)

Loaded by every SQL sandbox worker: it imports nothing heavier than `duckdb`.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

import duckdb

from catalog.errors import InvalidQuery, QueryForbidden


@dataclass(frozen=True)
class Explained:
    """A DuckDB error as one of our kinds, with a message that is safe to show."""

    kind: str  # "invalid", "forbidden", "memory", "timeout", "failed", "broken"
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
]  # fmt: skip


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
    first = str(exc).split("\n", 1)[0]
    detail = re.sub(r"^[A-Za-z ]*Error: ", "", first).strip()
    for pattern, template in _HINTS:
        found = pattern.search(detail)
        if found and all(is_safe(group) for group in found.groups()):
            message = template.format(*found.groups())
            if message.startswith("no view named") and views:
                message += "; the views are " + listed(views)
            candidates = CANDIDATES.search(str(exc))
            if message.startswith("column") and candidates and is_safe(candidates[1]):
                message += f"; similar columns: {candidates[1]}"
            return Explained("invalid", message)
    if not _is_users(exc):
        return Explained("failed", "the query failed")
    if not is_safe(detail):
        return Explained("invalid", "the query could not be run as written")
    if isinstance(exc, duckdb.ParserException):
        return Explained("invalid", "syntax error: " + detail)
    return Explained("invalid", detail)


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


def listed(views: Collection[str], most: int = 30) -> str:
    names = sorted(views)
    shown = ", ".join(names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")
