"""Conditional requests of a GET or HEAD (RFC 9110 13.1, 13.2), shared by `api.caching`, the
tagged documents and /sdmx.

The preconditions are evaluated only for a resource that exists and would answer 200 (RFC
9110 13.2.1): a conditional never turns a 404, a 410 or a 400 into a 304 or a 412. In order:

1. `If-Match`: 412 unless it is `*` or names the current strong tag (strong comparison: a
   weak tag never matches, the gzip body's `W/"…-gzip"` included);
2. `If-None-Match`: 304 when it is `*` or names the tag of either body (weak comparison);
3. without `If-None-Match`, `If-Modified-Since`: 304 when nothing changed since that date.

A gzip-encoded body is another representation, and not a byte-stable one (the gzip header
holds the time it was written): its tag is weak, `W/"<etag>-gzip"`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from starlette.datastructures import Headers

GZIP_SUFFIX = "-gzip"


def gzipped(etag: str) -> str:
    """The weak tag of the gzip-encoded form of the body whose tag is `etag`."""
    bare = etag.removeprefix("W/")
    if bare.endswith(GZIP_SUFFIX + '"'):
        return "W/" + bare
    return "W/" + bare[:-1] + GZIP_SUFFIX + '"'


def _tags(header: str) -> list[str]:
    return [tag.strip() for tag in header.split(",") if tag.strip()]


def strong_match(header: str, etag: str) -> bool:
    """Whether an `If-Match` list names `etag` (strong comparison: a weak tag never does)."""
    return any(tag in ("*", etag) for tag in _tags(header)) and not etag.startswith("W/")


def weak_match(header: str, etag: str) -> bool:
    """Whether an `If-None-Match` list names `etag` or its gzip form (weak comparison)."""
    forms = {etag.removeprefix("W/"), gzipped(etag).removeprefix("W/")}
    return any(tag == "*" or tag.removeprefix("W/") in forms for tag in _tags(header))


def named_tag(header: str, etag: str) -> str | None:
    """The form of `etag` (plain or gzip) an `If-None-Match` list names, not counting `*`."""
    plain, zipped = etag.removeprefix("W/"), gzipped(etag)
    for tag in (t.removeprefix("W/") for t in _tags(header)):
        if tag == plain:
            return etag
        if tag == zipped.removeprefix("W/"):
            return zipped
    return None


def unmodified_since(header: str, last_modified: datetime) -> bool:
    """Whether nothing changed after the `If-Modified-Since` date; False when it is no date."""
    try:
        moment = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return False
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return last_modified.replace(microsecond=0) <= moment


def precondition(headers: Headers, etag: str, last_modified: datetime | None = None) -> int | None:
    """RFC 9110 13.2.2 for a GET of a representation that exists, tagged `etag` (its strong
    tag): 412 when `If-Match` fails, 304 when `If-None-Match` matches (or, without it,
    `If-Modified-Since` holds), None to send the body."""
    if "if-match" in headers and not strong_match(headers["if-match"], etag):
        return 412
    if "if-none-match" in headers:
        return 304 if weak_match(headers["if-none-match"], etag) else None
    since = headers.get("if-modified-since")
    if since and last_modified is not None and unmodified_since(since, last_modified):
        return 304
    return None
