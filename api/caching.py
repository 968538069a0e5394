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
order), the headers a body is built from (`X-Forwarded-*` links, which no download holds),
the server's `context` (its base URL) and `REVISION`. The bodies are deterministic: exports
keep a fixed row order (`catalog.query.engine.QueryEngine.export`), XLSX a fixed creation time.

A gzip-encoded body is another representation, and not a byte-stable one: its tag is weak,
`W/"<etag>-gzip"`. Either form validates an `If-None-Match` (a weak comparison); `If-Range`
needs the strong one.

Preconditions (`api.preconditions`) are evaluated only for a response that exists and would
be 200 (or 206): a conditional never turns a 404, 410 or 400 into a 304. An `If-None-Match`
that names this URL's current tag is answered `304` before the route runs (no query reaches
DuckDB): the tag hashes the request and the versions it reads, and only a 200 ever carried
it. Everything else (`If-Match`, `If-None-Match: *`, `If-Modified-Since` alone) needs to
know that the URL has a representation at all (a known resource, a valid sort, a series that
exists), which only the route can tell: it is evaluated on the route's answer, a 200 becoming
412 (`If-Match` fails) or 304 (its body dropped). An answer that depends on a grant (a
conditional dataset's, `/api/v1/sql`) gets no early 304, only one judged on its 200.

`HEAD` is answered as `GET` without the body, on every path (not only /api/v1): routes that
would do real work for the body (downloads, the DataStore dump) see `scope[HEAD]` and skip it.
On every path too, a gzip-encoded body's strong tag is made its weak `-gzip` form and `Vary`
is the same for a 304 as for the 200 it revalidates.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, MutableHeaders, QueryParams
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import opendata_error, problem_response
from api.preconditions import gzipped, named_tag, precondition
from catalog.errors import OpenDataError, StoreUnavailable
from catalog.query import Cursor, Generation
from catalog.state import CONDITIONAL, Levels, data_level
from catalog.store import Store

PREFIX = "/api/v1"
# A data request's state changes with no publish: its answers are never cached (no-store).
UNCACHED = "/api/v1/requests/"
HEAD = "opendata.head"
# Part of every ETag: bump it when a response's rendering changes for the same data.
REVISION = "3"
IMMUTABLE = "public, max-age=31536000, immutable"
CURRENT_MAX_AGE = "public, max-age=60"
# Request headers a body may be built from (`catalog` links behind a trusted proxy).
BODY_HEADERS = ("x-forwarded-host", "x-forwarded-proto", "x-forwarded-prefix")
DATASET_URL = re.compile(r"/api/v1/datasets/(?P<slug>[^/]+?)(?:\.zip)?(?P<rest>/.*)?")
DOWNLOAD_URL = re.compile(r"/api/v1/datasets/[^/]+(?:\.zip|/resources/[^/.]+\.[a-z0-9]+)")
SQL_PATH = "/api/v1/sql"
VERSION_URL = re.compile(r"/versions/(?P<version>[^/]+)")


@dataclass(frozen=True)
class Validators:
    """What identifies one response: its strong ETag, its date, and whether it can change."""

    etag: str
    last_modified: datetime
    pinned: bool
    slug: str | None = None
    version: str | None = None
    private: bool = False  # depends on a grant: no 304 before the route has checked it

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


def http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC).replace(microsecond=0), usegmt=True)


class HttpCache:
    """Computes the validators of a request under /api/v1 from the store."""

    def __init__(self, store: Store, context: str = "", generation: Generation | None = None):
        """`context`: what else of the server's own the bodies depend on (its base URL);
        `generation`: the server's one reader of the store's generation."""
        self.store = store
        self.generation = generation or Generation(store)
        self.context = context
        self._published: dict[tuple[str, str], datetime] = {}
        self._levels = Levels(store)

    def validators(
        self, path: str, query: Sequence[tuple[str, str]], headers: Sequence[tuple[str, str]] = ()
    ) -> Validators | None:
        """The validators of a GET of `path` with `query`; `headers` are the request's
        headers that the body may depend on (`BODY_HEADERS`)."""
        if not path.startswith(PREFIX) or path.startswith(UNCACHED):
            return None
        found = DATASET_URL.fullmatch(path)
        request = _canonical(path, query, headers, self.context)
        try:
            if found is not None:
                return self._dataset(found["slug"], found["rest"] or "", request, query)
            validators = self._catalogue(request)
            if validators is not None and path.startswith(SQL_PATH):
                validators = dataclasses.replace(validators, private=True)
            return validators
        except StoreUnavailable:
            raise  # answered at once: the route would wait for the store again
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

    def conditional(self, slug: str, version: str) -> bool:
        """Whether a version's data is conditional: its own level's or the current one's."""
        return data_level(self._levels, slug, version) == CONDITIONAL

    def _dataset(
        self, slug: str, rest: str, request: str, query: Sequence[tuple[str, str]]
    ) -> Validators | None:
        pinned = _pinned_version(rest, query)
        # Asked every time, like the route will: a withdrawn version has no validators, so a
        # client's old ETag gets the route's 410, never a 304.
        version = self.store.served_version(slug, pinned)
        published = self.published(slug, version)
        etag = _etag(request, f"{slug}/{version}")
        private = self.conditional(slug, version)
        return Validators(etag, published, pinned is not None, slug, version, private)

    def _catalogue(self, request: str) -> Validators | None:
        generation = self.generation.token()
        if generation:  # one look instead of one per dataset: it changes with every CURRENT
            return Validators(_etag(request, generation), self.generation.changed_at(), False)
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
    if (found := VERSION_URL.match(rest)) is not None:
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
    headers = () if DOWNLOAD_URL.fullmatch(path) else headers  # a download holds no link
    taken = sorted((k.lower(), v) for k, v in headers if k.lower() in BODY_HEADERS)
    return json.dumps([REVISION, context, path, list(query), taken], ensure_ascii=False)


def _etag(request: str, state: str) -> str:
    text = json.dumps([request, state], ensure_ascii=False)
    return '"' + hashlib.sha256(text.encode()).hexdigest()[:40] + '"'


def known_tag(headers: Headers, validators: Validators) -> str | None:
    """The current tag an `If-None-Match` names, to answer 304 before the route runs: only
    a 200 ever carried it, so the URL exists. None when `If-Match` must be evaluated first,
    or when the answer depends on a grant the route has yet to check."""
    if validators.private or "if-match" in headers or "if-none-match" not in headers:
        return None
    return named_tag(headers["if-none-match"], validators.etag)


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
        if method == "HEAD":
            # Every GET route answers HEAD, here in one place: routed as GET, body dropped.
            scope = {**scope, "method": "GET", HEAD: True}
        path = str(scope["path"])
        if not path.startswith(PREFIX):
            await self.app(scope, receive, _Sender(send, self.cache, None, scope))
            return
        query = QueryParams(scope.get("query_string", b"").decode("latin-1")).multi_items()
        try:
            # On a thread: they may read the store (its generation, a dataset's pointers when
            # their memo is due), and a hung store would hold the event loop, and so every
            # request the server has, for the read's whole time limit, one after the other.
            validators = await run_in_threadpool(
                self.cache.validators, path, query, Headers(scope=scope).items()
            )
        except StoreUnavailable as exc:  # a hung store: one wait per request, not two
            await (await opendata_error(Request(scope), exc))(scope, receive, send)
            return
        if validators is not None:
            tag = known_tag(Headers(scope=scope), validators)
            if tag is not None:
                await _send_not_modified(send, validators, tag)
                return
        await self.app(scope, receive, _Sender(send, self.cache, validators, scope))


class _Sender:
    """Decorates the route's answer with its validators; a 200 whose preconditions fail
    becomes a 412 or a 304, the rest of the route's body dropped."""

    def __init__(
        self, send: Send, cache: HttpCache, validators: Validators | None, scope: Scope
    ) -> None:
        self.send = send
        self.cache = cache
        self.validators = validators
        self.scope = scope
        self.head = bool(scope.get(HEAD))
        self.done = False

    async def __call__(self, message: Message) -> None:
        if self.done:
            return
        if message["type"] != "http.response.start":
            await self.send(message)
            return
        verdict = self._decorate(message)
        if verdict == 412:
            await self._precondition_failed()
        elif verdict == 304:
            await self._not_modified(message)
        else:
            await self.send(message)
            if self.head:
                await self.send({"type": "http.response.body", "body": b"", "more_body": False})
        self.done = self.head or verdict is not None

    def _decorate(self, message: Message) -> int | None:
        """Adds the validators to a 200 or 206; the precondition that fails, if one does."""
        headers = MutableHeaders(scope=message)
        _one_vary(headers)
        validators = self.validators
        if validators is None or message["status"] not in (200, 206):
            _weak_when_gzipped(headers)
            return None
        if not self.cache.still_current(validators):
            headers["Cache-Control"] = "no-cache"
            return None
        strong = headers.get("etag") or validators.etag  # a route's own tag names its body
        gzip = headers.get("content-encoding") == "gzip"
        if "etag" not in headers:
            headers["ETag"] = validators.gzip_etag if gzip else validators.etag
        elif gzip and not headers["etag"].startswith("W/"):
            headers["ETag"] = gzipped(headers["etag"])  # a route's own tag, of the plain body
        for name, value in validators.headers().items():
            if name.lower() not in headers:
                headers[name] = value
        _vary(headers)
        return precondition(Headers(scope=self.scope), strong, validators.last_modified)

    async def _not_modified(self, message: Message) -> None:
        headers = MutableHeaders(scope=message)
        named = named_tag(Headers(scope=self.scope).get("if-none-match", ""), headers["etag"])
        kept = {name: headers[name] for name in ("etag", "last-modified", "cache-control", "vary")}
        start = {"type": "http.response.start", "status": 304, "headers": []}
        MutableHeaders(scope=start).update({**kept, "etag": named or headers["etag"]})
        await self.send(start)
        await self.send({"type": "http.response.body", "body": b"", "more_body": False})

    async def _precondition_failed(self) -> None:
        answer = problem_response(
            Request(self.scope),
            status=412,
            slug="precondition-failed",
            title="Precondition Failed",
            detail="If-Match names no current representation of this resource.",
        )
        await answer(self.scope, _no_receive, self.send)


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


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}
