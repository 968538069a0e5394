"""HTTP caching of /api/v1: validators, conditional requests, Cache-Control, HEAD.

Every response under /api/v1 is a function of the request's path and query and of the
versions it reads, so its validators are known before the route runs:

- A URL about one dataset (`/api/v1/datasets/{slug}...`) reads one version: the one it pins
  (`version=`, `/versions/{v}`, or the version a `next` cursor pages), else the current one.
  `ETag` hashes that version with the path and the query; `Last-Modified` is the version's
  publish time. A pinned URL never changes: `Cache-Control: public, max-age=31536000,
  immutable`. A current pointer may move at the next publish: `public, max-age=60`.
- Any other URL (search, SQL, changes) reads the whole catalogue: the validators hash every
  dataset's current version and date from the latest publish or withdrawal.

A strong `ETag` promises the same bytes (RFC 9110 8.8.3), so it hashes everything the bytes
depend on besides the data: the path (the format is its extension), the decoded query
parameters in the order sent (a repeated name's last value wins; `next_url` repeats the
order), the headers a body is built from (`X-Forwarded-*` links), the server's `context`
(its base URL) and `REVISION`. The bodies themselves are deterministic: exports
keep a fixed row order (`catalog.query.engine.QueryEngine.export`), XLSX a fixed creation time.

A gzip-encoded body is another representation, and not a byte-stable one (the gzip header
holds the time it was written): its tag is weak, `W/"<etag>-gzip"`. Either form validates
an `If-None-Match` (a weak comparison); `If-Range` needs the strong one.

A matching `If-None-Match` (or, without it, `If-Modified-Since`) is answered `304` before
the route runs: no query reaches DuckDB. `If-None-Match: *` is not answered so: whether the
URL has a representation at all (a known resource, a valid sort) only the route can tell.

`HEAD` is answered as `GET` without the body, on every path (not only /api/v1): routes that
would do real work for the body (downloads, the DataStore dump) see `scope[HEAD]` and skip it.
On every path too, a gzip-encoded body's strong tag is made its weak `-gzip` form and `Vary`
is the same for a 304 as for the 200 it revalidates.

A route that has its body in hand (`precondition`, used by `api.routes.documents.tagged`)
answers `If-Match` (strong comparison; 412 when it fails) and `If-None-Match`, `*` included
(304): it knows its representation exists. A stored file served with `RangedFile` ignores a
`Range` it cannot parse and answers the whole file (RFC 9110 14.2), but 416 for a range of
valid syntax that starts past the end.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

from starlette.datastructures import Headers, MutableHeaders, QueryParams
from starlette.responses import FileResponse, MalformedRangeHeader, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from catalog.errors import OpenDataError
from catalog.query import Cursor
from catalog.store import Store

PREFIX = "/api/v1"
HEAD = "opendata.head"
# Part of every ETag: bump it when a response's rendering changes for the same data.
REVISION = "3"
IMMUTABLE = "public, max-age=31536000, immutable"
CURRENT_MAX_AGE = "public, max-age=60"
GZIP_SUFFIX = "-gzip"
# Request headers a body may be built from (`catalog` links behind a trusted proxy).
BODY_HEADERS = ("x-forwarded-host", "x-forwarded-proto", "x-forwarded-prefix")
DATASET_URL = re.compile(r"/api/v1/datasets/(?P<slug>[^/]+?)(?:\.zip)?(?P<rest>/.*)?")
VERSION_URL = re.compile(r"/versions/(?P<version>[^/]+)")


@dataclass(frozen=True)
class Validators:
    """What identifies one response: its strong ETag, its date, and whether it can change."""

    etag: str
    last_modified: datetime
    pinned: bool
    slug: str | None = None
    version: str | None = None

    @property
    def cache_control(self) -> str:
        return IMMUTABLE if self.pinned else CURRENT_MAX_AGE

    def headers(self) -> dict[str, str]:
        return {
            "ETag": self.etag,
            "Last-Modified": http_date(self.last_modified),
            "Cache-Control": self.cache_control,
        }

    @property
    def gzip_etag(self) -> str:
        """The weak tag of the gzip-encoded body."""
        return gzipped(self.etag)

    def matches(self, header: str) -> str | None:
        """The tag of this response that `If-None-Match` names (weak comparison), if any."""
        for tag in (t.strip() for t in header.split(",")):
            bare = tag.removeprefix("W/")
            if bare == self.etag:
                return self.etag
            if bare == self.gzip_etag.removeprefix("W/"):
                return self.gzip_etag
        return None


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


def precondition(headers: Headers, etag: str) -> int | None:
    """RFC 9110 13.2.2 for a GET of a representation that exists, tagged `etag`: 412 when
    `If-Match` fails, 304 when `If-None-Match` matches, None to send the body."""
    if "if-match" in headers and not strong_match(headers["if-match"], etag):
        return 412
    if "if-none-match" in headers and weak_match(headers["if-none-match"], etag):
        return 304
    return None


class RangedFile(FileResponse):
    """A stored file with `Range` support that ignores a `Range` it cannot parse.

    Starlette answers 400 to `bytes=abc`, `bytes=5-2` or `items=0-1`; RFC 9110 14.2 says to
    ignore such a header, so the whole file comes (200). A range of valid syntax that starts
    past the end stays 416.
    """

    @classmethod
    def _parse_range_header(cls, http_range: str, file_size: int) -> list[tuple[int, int]]:
        try:
            return super()._parse_range_header(http_range, file_size)
        except MalformedRangeHeader:
            return []  # no range: the whole file


def http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC).replace(microsecond=0), usegmt=True)


class HttpCache:
    """Computes the validators of a request under /api/v1 from the store."""

    def __init__(self, store: Store, context: str = "") -> None:
        """`context`: what else of the server's own the bodies depend on (its base URL)."""
        self.store = store
        self.context = context
        self._published: dict[tuple[str, str], datetime] = {}

    def validators(
        self,
        path: str,
        query: Sequence[tuple[str, str]],
        headers: Sequence[tuple[str, str]] = (),
    ) -> Validators | None:
        """The validators of a GET of `path` with `query`; `headers` are the request's
        headers that the body may depend on (`BODY_HEADERS`)."""
        if not path.startswith(PREFIX):
            return None
        found = DATASET_URL.fullmatch(path)
        request = _canonical(path, query, headers, self.context)
        try:
            if found is not None:
                return self._dataset(found["slug"], found["rest"] or "", request, query)
            return self._catalogue(request)
        except (OpenDataError, OSError, ValueError):
            return None  # the route answers the error; nothing to validate

    def still_current(self, validators: Validators) -> bool:
        """False when a publish moved the current version while the response was made."""
        if validators.pinned or validators.slug is None:
            return True
        return self.store.current(validators.slug) == validators.version

    def published(self, slug: str, version: str) -> datetime:
        """A version's publish time (versions are immutable: read once)."""
        key = (slug, version)
        if key not in self._published:
            self._published[key] = self.store.published_at(slug, version)
        return self._published[key]

    def _dataset(
        self, slug: str, rest: str, request: str, query: Sequence[tuple[str, str]]
    ) -> Validators | None:
        pinned = _pinned_version(rest, query)
        # Asked every time, like the route will: a withdrawn version has no validators, so a
        # client's old ETag gets the route's 410, never a 304.
        version = self.store.served_version(slug, pinned)
        published = self.published(slug, version)
        etag = _etag(request, f"{slug}/{version}")
        return Validators(etag, published, pinned is not None, slug, version)

    def _catalogue(self, request: str) -> Validators | None:
        generation = self.store.generation()
        if generation:
            # One read instead of one per dataset: the token changes with every CURRENT.
            changed = self.store.generation_time()
            return Validators(_etag(request, generation), changed, pinned=False)
        state = []
        moments = [datetime(1970, 1, 1, tzinfo=UTC)]
        for slug in self.store.known_slugs():
            current = self.store.current(slug)
            state.append(f"{slug}/{current}")
            if current is not None:
                moments.append(self.published(slug, current))
            moments.append(self.store.state_time(slug))
        return Validators(_etag(request, "\n".join(state)), max(moments), pinned=False)


def _pinned_version(rest: str, query: Sequence[tuple[str, str]]) -> str | None:
    given = dict(query)
    if given.get("version"):
        return given["version"]
    found = VERSION_URL.match(rest)
    if found is not None:
        return found["version"]
    if given.get("next"):
        return Cursor.decode(given["next"]).version
    return None


def _canonical(
    path: str, query: Sequence[tuple[str, str]], headers: Sequence[tuple[str, str]], context: str
) -> str:
    """One text for everything of a request that its body depends on, besides the data.

    JSON, so that no name or value can pass for another (`a=b` & `c` is not `a` & `b=c`).
    The query is its decoded parameters in the order sent: a repeated name's last value
    wins (`fields=a&fields=b`), and links in a body (`next_url`) repeat the order given.
    """
    taken = sorted((k.lower(), v) for k, v in headers if k.lower() in BODY_HEADERS)
    return json.dumps([REVISION, context, path, list(query), taken], ensure_ascii=False)


def _etag(request: str, state: str) -> str:
    text = json.dumps([request, state], ensure_ascii=False)
    return '"' + hashlib.sha256(text.encode()).hexdigest()[:40] + '"'


def not_modified(headers: Headers, validators: Validators) -> str | None:
    """The ETag to answer 304 with, or None when the client's copy is stale (RFC 9110 13.2.2)."""
    if "if-none-match" in headers:
        return validators.matches(headers["if-none-match"])
    since = headers.get("if-modified-since")
    if since:
        try:
            moment = parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        if validators.last_modified.replace(microsecond=0) <= moment:
            return validators.etag
    return None


def head_response(media_type: str, headers: dict[str, str]) -> Response:
    """The answer to HEAD of a streamed download: its headers, and no `Content-Length`
    (the length is known only once the body is made; `0` would be false)."""
    response = Response(media_type=media_type, headers=headers)
    del response.headers["content-length"]
    return response


class CachingMiddleware:
    """Validators, 304s and Cache-Control for GET requests under /api/v1; HEAD everywhere."""

    def __init__(self, app: ASGIApp, cache: HttpCache) -> None:
        self.app = app
        self.cache = cache

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = scope.get("method")
        if scope["type"] != "http" or method not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        head = method == "HEAD"
        if head:
            # Every GET route answers HEAD, here in one place: routed as GET, body dropped.
            scope = {**scope, "method": "GET", HEAD: True}
        path = str(scope["path"])
        if not path.startswith(PREFIX):
            await self.app(scope, receive, _Sender(send, self.cache, None, head))
            return
        query = QueryParams(scope.get("query_string", b"").decode("latin-1")).multi_items()
        validators = self.cache.validators(path, query, Headers(scope=scope).items())
        if validators is not None:
            tag = not_modified(Headers(scope=scope), validators)
            if tag is not None:
                await _send_not_modified(send, validators, tag)
                return
        await self.app(scope, receive, _Sender(send, self.cache, validators, head))


class _Sender:
    def __init__(
        self, send: Send, cache: HttpCache, validators: Validators | None, head: bool
    ) -> None:
        self.send = send
        self.cache = cache
        self.validators = validators
        self.head = head
        self.done = False

    async def __call__(self, message: Message) -> None:
        if self.done:
            return
        if message["type"] == "http.response.start":
            self._decorate(message)
            await self.send(message)
            if self.head:
                await self.send({"type": "http.response.body", "body": b"", "more_body": False})
                self.done = True
            return
        await self.send(message)

    def _decorate(self, message: Message) -> None:
        headers = MutableHeaders(scope=message)
        _one_vary(headers)
        validators = self.validators
        if validators is None or message["status"] not in (200, 206):
            _weak_when_gzipped(headers)
            return
        if not self.cache.still_current(validators):
            headers["Cache-Control"] = "no-cache"
            return
        gzip = headers.get("content-encoding") == "gzip"
        if "etag" not in headers:
            headers["ETag"] = validators.gzip_etag if gzip else validators.etag
        elif gzip and not headers["etag"].startswith("W/"):
            headers["ETag"] = gzipped(headers["etag"])  # a route's own tag, of the plain body
        for name, value in validators.headers().items():
            if name.lower() not in headers:
                headers[name] = value
        _vary(headers)


async def _send_not_modified(send: Send, validators: Validators, tag: str) -> None:
    headers = MutableHeaders({**validators.headers(), "ETag": tag})
    _vary(headers)
    start: dict[str, Any] = {
        "type": "http.response.start",
        "status": 304,
        "headers": headers.raw,
    }
    await send(start)
    await send({"type": "http.response.body", "body": b"", "more_body": False})


def _weak_when_gzipped(headers: MutableHeaders) -> None:
    """A route's own strong tag names its plain body; the gzip body gets its weak form."""
    etag = headers.get("etag")
    if etag and headers.get("content-encoding") == "gzip" and not etag.startswith("W/"):
        headers["ETag"] = gzipped(etag)


def _one_vary(headers: MutableHeaders) -> None:
    """`Vary` with each name once: a route's `Accept-Encoding` and gzip's own are one."""
    names = [v.strip() for v in headers.get("vary", "").split(",") if v.strip()]
    unique: dict[str, str] = {}
    for name in names:
        unique.setdefault(name.lower(), name)
    if len(unique) < len(names):
        headers["Vary"] = ", ".join(unique.values())


def _vary(headers: MutableHeaders) -> None:
    # A shared cache must keep the gzip and identity bodies apart.
    varied = [v.strip().lower() for v in headers.get("vary", "").split(",") if v.strip()]
    if "accept-encoding" not in varied:
        headers.add_vary_header("Accept-Encoding")
