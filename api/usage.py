"""Counting the platform's use: each answered download, API call and dataset page, by day,
dataset, kind and channel, for the yearly figures (`opendata report`, docs/report.md).

What is counted is read from the request line alone, by the table `RULES`: the path says the
kind (a file downloaded, an API answered, a page seen), the channel (web pages, REST, CKAN,
SDMX, DCAT feeds) and which dataset (a slug, a CKAN id, an SDMX flow). A request made from
one of the platform's own pages (`Sec-Fetch-Site: same-origin`, or a `Referer` on this host)
counts under the web channel whatever URL it asked (the browser's word, which any client
may also send: the split by channel is as good as those headers). The body of a CKAN action
sent by POST is glanced at (its first 4 KB, as the action reads it) for the dataset it names.

Only GET and POST answered 2xx or 3xx count; a HEAD transfers nothing. A download counts
only when the file went out whole: a 200, or a 206 whose `Content-Range` is the whole file;
a 304 (the client's copy is current) and a piece of a file are no download. The counts are
published as official figures, so a client must not add to them without downloading. The
address, token, user agent and referrer are not kept: the request becomes a `UsageKey`
at once, counted in memory (`UsageCounter`) and added to the state database every
`usage_flush_seconds` and at shutdown, from a worker thread (`UsageLog.flush`).

A dataset is named only when it exists: the slugs, dataset ids and resource ids of the
published datasets are read at the first count (not at start: an idle server keeps its
memory) and again at a flush when the store's generation changed; anything else counts under
`OTHER`, so no URL a client makes up adds a key.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import anyio
import anyio.to_thread
from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from catalog.errors import OpenDataError
from catalog.query import Generation
from catalog.search import catalogue_uuid
from catalog.settings import Settings
from catalog.state import OTHER, UsageCounter, UsageKey, UsageLog, usage_day
from catalog.store import Store

log = logging.getLogger("opendata.usage")
MAX_BODY_GLANCE = 4096
CKAN_KEYS = ("id", "name_or_id", "resource_id", "package_id")
WHOLE = re.compile(r"bytes 0-([0-9]{1,19})/([0-9]{1,19})")


@dataclass(frozen=True)
class Rule:
    """A path pattern and what a request matching it is; `dataset` names the pattern's
    group that holds the dataset (a slug or a CKAN id), `flow` an SDMX flow reference."""

    pattern: re.Pattern[str]
    kind: str
    channel: str
    dataset: str = ""


def _rule(pattern: str, kind: str, channel: str, dataset: str = "") -> Rule:
    return Rule(re.compile(pattern), kind, channel, dataset)


# First match wins. Paths not here (requests, review, health, docs, static files) are not
# counted; `/api/v1/.../requests` and `/api/v1/requests/...` are data requests, not data.
RULES = (
    _rule(r"^/api/v1/(?:datasets/[^/]+/)?requests(?:/|$)", "", ""),
    _rule(
        r"^/api/v1/datasets/(?P<d>[^/]+)/resources/[^/]+\.[a-z0-9]{1,8}$", "download", "rest", "d"
    ),
    _rule(r"^/api/v1/datasets/(?P<d>[^/]+)\.zip$", "download", "rest", "d"),
    _rule(r"^/datastore/dump/(?P<d>[^/]+)$", "download", "ckan", "d"),
    _rule(r"^/catalog/register\.[a-z]{1,8}$", "download", "dcat"),
    _rule(r"^/api/v1/datasets/(?P<d>[^/]+)(?:/|$)", "api_call", "rest", "d"),
    _rule(r"^/api/v1/", "api_call", "rest"),
    _rule(r"^/api/(?:3/)?action/[A-Za-z_]{1,60}$", "api_call", "ckan", "ckan"),
    _rule(r"^/sdmx/data/(?P<f>[^/]+)", "api_call", "sdmx", "f"),
    _rule(r"^/sdmx(?:/|$)", "api_call", "sdmx"),
    _rule(r"^/dataset/(?P<d>[^/]+)\.(?:jsonld|ttl|rdf)$", "api_call", "dcat", "d"),
    _rule(r"^/(?:catalog(?:\.[a-z]{1,8})?|data\.json|feeds/changes\.atom)$", "api_call", "dcat"),
    _rule(r"^/dataset/(?P<d>[^/.]+)$", "page_view", "web", "d"),
)


def classify(path: str) -> tuple[Rule, str] | None:
    """The rule a path matches and the dataset reference it holds ("" for none)."""
    for rule in RULES:
        found = rule.pattern.match(path)
        if found is None:
            continue
        if not rule.kind:
            return None
        group = rule.dataset if rule.dataset not in ("", "ckan") else None
        reference = found.group(group) if group else ""
        if group == "f":  # `ID`, `AGENCY,ID` or `AGENCY,ID,VERSION`
            parts = reference.split(",")
            reference = parts[1] if len(parts) > 1 else parts[0]
        return rule, reference
    return None


def counted(
    method: str,
    status: int,
    headers: dict[bytes, bytes],
    kind: str = "",
    answer: dict[bytes, bytes] | None = None,
) -> bool:
    """An answer that delivered what was asked: GET or POST, 2xx or 3xx, a range from 0; a
    `download` only a 200 or a 206 of the whole file (`answer`: the response's headers)."""
    if method not in ("GET", "POST") or not 200 <= status < 400:
        return False
    if kind == "download":
        return status == 200 or (status == 206 and whole_range(answer or {}))
    if status == 206:
        return headers.get(b"range", b"").replace(b" ", b"").startswith(b"bytes=0-")
    return True


def whole_range(answer: dict[bytes, bytes]) -> bool:
    """Whether a 206's `Content-Range` (`bytes 0-99/100`) is the whole file."""
    found = WHOLE.fullmatch(answer.get(b"content-range", b"").decode("latin-1").strip())
    return found is not None and int(found[1]) + 1 == int(found[2])


def from_own_page(headers: dict[bytes, bytes]) -> bool:
    """Asked by one of this site's pages: the browser says so, or the referrer is this host."""
    if headers.get(b"sec-fetch-site") == b"same-origin":
        return True
    referrer, host = headers.get(b"referer"), headers.get(b"host")
    if not referrer or not host:
        return False
    return urlsplit(referrer.decode("latin-1")).netloc == host.decode("latin-1")


def ckan_reference(query: bytes, body: bytes) -> str:
    """The dataset or resource a CKAN action names, in its query string or its body."""
    sources: list[dict[str, object]] = [
        {k: v[0] for k, v in parse_qs(query.decode("latin-1")).items()}
    ]
    try:
        loaded = json.loads(body) if body.lstrip().startswith(b"{") else None
    except ValueError:  # cut at MAX_BODY_GLANCE, or not JSON: no dataset named
        loaded = None
    if isinstance(loaded, dict):
        sources.append(loaded)
    elif body:
        sources.append({k: v[0] for k, v in parse_qs(body.decode("latin-1")).items()})
    for found in sources:
        for key in CKAN_KEYS:
            if isinstance(found.get(key), str):
                return str(found[key])
    return ""


def known_references(store: Store) -> dict[str, str]:
    """Every name a request may give a published dataset by → its slug: the slug, the CKAN
    dataset id and the ids of its resources."""
    known: dict[str, str] = {}
    for slug in store.slugs():
        known[slug] = slug
        known[catalogue_uuid("dataset", slug)] = slug
        try:
            resources = store.package(slug).resources
        except (OpenDataError, OSError, ValueError):
            continue  # withdrawn meanwhile: its slug alone
        for resource in resources:
            known[catalogue_uuid("resource", f"{slug}/{resource.name}")] = slug
    return known


class UsageRecorder:
    """The counter of this process, the names of the datasets, and the flushes."""

    def __init__(
        self,
        store: Store,
        log_: UsageLog,
        clock: Callable[[], datetime],
        generation: Generation | None = None,
    ) -> None:
        self.store = store
        self.generation = generation or Generation(store)
        self.log = log_
        self.clock = clock
        self.counter = UsageCounter()
        self.known: dict[str, str] = {}
        self._generation: str | None = None

    @property
    def ready(self) -> bool:
        """The datasets' names were read (not at start: an idle server keeps its memory)."""
        return self._generation is not None

    def count(self, reference: str, kind: str, channel: str) -> None:
        dataset = self.known.get(reference, OTHER) if reference else OTHER
        self.counter.add(UsageKey(usage_day(self.clock()), dataset, kind, channel))

    def refresh(self) -> None:
        """Read the published datasets' names again if the store changed since."""
        generation = self.generation.token()
        if generation != self._generation or not generation:
            self.known = known_references(self.store)
            self._generation = generation

    def try_refresh(self) -> None:
        """`refresh`, a failure of the store logged: counting goes on with the names known."""
        try:
            self.refresh()
        except (OpenDataError, OSError) as exc:
            log.warning("usage: the datasets' names were not read again: %s", exc)

    def flush(self) -> int:
        """Add the counts to the database (blocking: run it in a worker thread)."""
        self.try_refresh()
        dropped, self.counter.dropped = self.counter.dropped, 0
        if dropped:  # past MAX_KEYS: the database was away for long
            log.warning("usage: %d requests were not counted", dropped)
        return self.log.flush(self.counter)


class UsageMiddleware:
    """Pure ASGI: counts answered requests; on the lifespan, flushes every `interval`
    seconds and once more before the app shuts down."""

    def __init__(self, app: ASGIApp, recorder: UsageRecorder, interval: float) -> None:
        self.app = app
        self.recorder = recorder
        self.interval = interval
        self.away = False  # the last flush failed: the outage was logged

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(scope, receive, send)
        elif scope["type"] == "http" and (found := classify(scope["path"])) is not None:
            await self._counting(scope, receive, send, *found)
        else:
            await self.app(scope, receive, send)

    async def _counting(
        self, scope: Scope, receive: Receive, send: Send, rule: Rule, reference: str
    ) -> None:
        headers = dict(scope["headers"])
        glanced = bytearray()

        async def receiving() -> Message:
            message = await receive()
            if message["type"] == "http.request" and len(glanced) < MAX_BODY_GLANCE:
                glanced.extend(message.get("body", b"")[: MAX_BODY_GLANCE - len(glanced)])
            return message

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start" and counted(
                scope["method"],
                message["status"],
                headers,
                rule.kind,
                dict(message.get("headers", [])),
            ):
                if not self.recorder.ready:  # the first count: the datasets' names, now
                    await anyio.to_thread.run_sync(self.recorder.try_refresh)
                named = reference
                if rule.dataset == "ckan":
                    named = ckan_reference(scope.get("query_string", b""), bytes(glanced))
                channel = "web" if from_own_page(headers) else rule.channel
                self.recorder.count(named, rule.kind, channel)
            await send(message)

        wants_body = rule.dataset == "ckan" and scope["method"] == "POST"
        await self.app(scope, receiving if wants_body else receive, sending)

    async def _lifespan(self, scope: Scope, receive: Receive, send: Send) -> None:
        flushing = anyio.CancelScope()

        async def receiving() -> Message:
            message = await receive()
            if message["type"] == "lifespan.shutdown":
                flushing.cancel()
                await self._flush()  # before the app closes the state database
            return message

        async with anyio.create_task_group() as tasks:
            tasks.start_soon(self._every_interval, flushing)
            try:
                await self.app(scope, receiving, send)
            finally:
                flushing.cancel()

    async def _every_interval(self, scope: anyio.CancelScope) -> None:
        with scope:
            while True:
                await anyio.sleep(self.interval)
                await self._flush()

    async def _flush(self) -> None:
        """One warning line when the database stops answering, one when it answers again:
        while it is away the counts wait in memory for the next flush."""
        try:
            await anyio.to_thread.run_sync(self.recorder.flush)
        except Exception as exc:
            if not self.away:
                first = str(exc).strip().splitlines()[:1] or [""]
                log.warning(
                    "usage: the state database did not answer (%s: %s); the counts wait in"
                    " memory until it does",
                    type(exc).__name__,
                    first[0],
                )
            self.away = True
            return
        if self.away:
            log.warning("usage: the state database answers again; the counts held were added")
        self.away = False


def install_usage(app: FastAPI, settings: Settings) -> None:
    """Count the app's use into the state database `app.state.private` (opened by the CKAN
    routes' install); `app.state.usage` is the recorder (its `flush` is what tests call)."""
    recorder = UsageRecorder(
        app.state.store,
        UsageLog(app.state.private.database),
        lambda: datetime.now(UTC),
        app.state.generation,
    )
    app.state.usage = recorder
    app.add_middleware(UsageMiddleware, recorder=recorder, interval=settings.usage_flush_seconds)
