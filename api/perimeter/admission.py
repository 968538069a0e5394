"""Fair under load: per-client rate limits, and a bounded number of expensive requests at once.

Requests are sorted by path, before any route runs, into the classes that cost real work:

| class   | paths                                                                          |
| ------- | ------------------------------------------------------------------------------ |
| queries | `/api/v1/sql`, `.../rows`, `.../aggregate`, CKAN `datastore_search(_sql)`;      |
|         | the data reads: SDMX data `/sdmx/data/...`, `/api/v1/series`, `/series/...`     |
| exports | `.../resources/{r}.{csv,json,ndjson,parquet,xlsx}`, `/api/v1/datasets/{s}.zip`, |
|         | `/datastore/dump/{id}`                                                         |
| searches| `/api/v1/datasets`, CKAN `package_search`, the `/dataset` page; the SDMX       |
|         | structures (`/sdmx/{dataflow,datastructure,codelist,conceptscheme}/...`); the  |
|         | DCAT catalogue `/catalog`, `/catalog.{ext}` and ckanext-dcat's actions         |

Each class runs at most `max_running_<class>` requests at once, at most
`max_running_per_client` of them from one client; the next `admission_queue`
wait, in order, at most `admission_wait_seconds`; anything past that is answered 503 with
`Retry-After` at once, never a 500 nor a body cut short. A request body (SQL or a CKAN
action sent by POST) is read before the request queues, so a client that sends slowly waits
on its own time, not in a slot; a client that disconnects while it waits leaves the queue.
A slot is held until the response, streamed or not, has been sent to its end (or the client
stalled and was cut off by `api.perimeter.limits`), so a download's slot covers its whole transfer.
Together the classes run fewer requests than the thread pool has threads, so `/healthz`,
pages and metadata never wait for a thread behind queries.

Before the queue, SQL, exports, aggregates and searches each take a token from the client's
bucket (`rate_<class>_per_second`, `rate_<class>_burst`); the data reads (SDMX data, series)
have a bucket of their own, at the aggregates' rate (each is a filtered read of one table, as
an aggregate is), and the SDMX structures and the DCAT catalogue take the searches' bucket.
An empty bucket is answered 429 with `Retry-After` the seconds until the next token. The
client is the peer address, or the last `X-Forwarded-For` address when
`trust_forwarded_headers` is set; IPv6 clients are counted by their /64 network, which one
subscriber usually holds whole. The bucket table keeps the `rate_limit_clients` most
recently seen clients. Replicas over one state database keep their buckets in step
(`api.perimeter.rates.SharedRates`): a client is held to one rate across all of them.
"""

from __future__ import annotations

import re

import anyio
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import CKAN_ACTION, send_refusal
from api.perimeter.audit import audit_refusal
from api.perimeter.clients import client_address
from api.perimeter.rates import RateLimit, SharedRates
from catalog.ckan import WRITE_ACTIONS
from catalog.errors import Overloaded, RequestRefused, TooManyRequests
from catalog.settings import Settings

RESOURCE = r"/api/v1/datasets/[^/]+/resources/[^/]+"
EXPORT = re.compile(
    rf"{RESOURCE}\.(?:csv|json|ndjson|parquet|xlsx)|/api/v1/datasets/[^/]+\.zip"
    r"|/datastore/dump/[^/]+"
)
ROWS = re.compile(rf"{RESOURCE}/rows")
AGGREGATE = re.compile(rf"{RESOURCE}/aggregate")
SEARCH_PATHS = frozenset({"/api/v1/datasets", "/dataset"})
# The DCAT catalogue: a page is a search and a graph of up to a thousand datasets.
DCAT_CATALOGUE = re.compile(r"/catalog(?:\.[^/]*)?")
# Reads of the published figures that run DuckDB (or the series index) per request.
DATA_READ = re.compile(r"/sdmx/data(?:/.*)?|/api/v1/series|/series/.*", re.DOTALL)
SDMX_STRUCTURE = re.compile(
    r"/sdmx/(?:dataflow|datastructure|codelist|conceptscheme)(?:/.*)?", re.DOTALL
)
# CKAN action → (admission class, rate class)
CKAN_CLASSES: dict[str, tuple[str, str | None]] = {
    "datastore_search": ("queries", None),
    "datastore_search_sql": ("queries", "sql"),
    "package_search": ("searches", "search"),
    "dcat_catalog_show": ("searches", "search"),
    "dcat_catalog_search": ("searches", "search"),
    "dcat_dataset_show": ("searches", "search"),
}
# Seconds a client turned away by a full queue is asked to wait before trying again.
BUSY_RETRY_SECONDS = 5
# Request bodies held in memory, all classes together, by requests waiting for a slot.
QUEUED_BODY_BYTES = 64 * 1024 * 1024


def rate_limits(settings: Settings, shared: SharedRates | None) -> dict[str, RateLimit]:
    """The buckets of each rate class, in step with the other replicas' when `shared`."""
    per_second = {
        "sql": ("SQL", settings.rate_sql_per_second, settings.rate_sql_burst),
        "exports": ("download", settings.rate_exports_per_second, settings.rate_exports_burst),
        "aggregates": (
            "aggregate",
            settings.rate_aggregates_per_second,
            settings.rate_aggregates_burst,
        ),
        "reads": ("data read", settings.rate_aggregates_per_second, settings.rate_aggregates_burst),
        "search": ("search", settings.rate_search_per_second, settings.rate_search_burst),
        "writes": ("write", settings.rate_writes_per_second, settings.rate_writes_burst),
    }
    return {
        kind: RateLimit(
            name, rate, burst, settings.rate_limit_clients, (shared, kind) if shared else None
        )
        for kind, (name, rate, burst) in per_second.items()
    }


def classify(path: str) -> tuple[str | None, str | None]:
    """(admission class, rate class) of a request path; None where neither applies."""
    if path == "/api/v1/sql":
        return "queries", "sql"
    if EXPORT.fullmatch(path):
        return "exports", "exports"
    if ROWS.fullmatch(path):
        return "queries", None
    if AGGREGATE.fullmatch(path):
        return "queries", "aggregates"
    if DATA_READ.fullmatch(path):
        return "queries", "reads"
    if path in SEARCH_PATHS or SDMX_STRUCTURE.fullmatch(path) or DCAT_CATALOGUE.fullmatch(path):
        return "searches", "search"
    action = CKAN_ACTION.fullmatch(path)
    if action is not None:
        if action["name"] in WRITE_ACTIONS:
            return None, "writes"
        return CKAN_CLASSES.get(action["name"], (None, None))
    return None, None


class Gate:
    """At most `running` requests inside, at most `each` of them one client's; at most `queue`
    waiting at most `wait` seconds.

    The cap per client keeps one client (a script, or an attacker holding downloads open
    without reading them) from taking every slot: its other requests wait their turn while
    other clients' requests go in.
    """

    def __init__(self, name: str, running: int, queue: int, wait: float, each: int) -> None:
        self.name = name
        self.running = running
        self.queue = queue
        self.wait = wait
        self.each = min(each, running)
        self.inside = 0
        self.by_client: dict[str, int] = {}
        self.changed = anyio.Condition()
        self.waiting = 0

    def try_enter(self, client: str) -> bool:
        """Take a free slot if there is one for `client`, without waiting."""
        held = self.by_client.get(client, 0)
        if self.inside >= self.running or held >= self.each:
            return False
        self.inside += 1
        self.by_client[client] = held + 1
        return True

    async def enter(self, client: str) -> None:
        """Take a slot, waiting in the queue if need be; Overloaded if it is full or too slow."""
        if self.try_enter(client):
            return
        if self.waiting >= self.queue:
            raise Overloaded(
                f"too many {self.name} at once; try again shortly",
                retry_after=BUSY_RETRY_SECONDS,
            )
        self.waiting += 1
        try:
            with anyio.move_on_after(self.wait) as waited:
                async with self.changed:
                    while not self.try_enter(client):
                        await self.changed.wait()
        finally:
            self.waiting -= 1
        if waited.cancelled_caught:
            raise Overloaded(
                f"no {self.name} slot came free within {self.wait:g} seconds; try again shortly",
                retry_after=BUSY_RETRY_SECONDS,
            )

    async def leave(self, client: str) -> None:
        self.inside -= 1
        held = self.by_client.pop(client) - 1
        if held:
            self.by_client[client] = held
        # Shielded: a request cut off for stalling leaves from inside a cancelled scope, and
        # its waiters must still hear that a slot came free.
        with anyio.CancelScope(shield=True):
            async with self.changed:
                self.changed.notify_all()


class Admission:
    """Pure ASGI: the rate limit, then a running slot, for requests of the costly classes."""

    def __init__(self, app: ASGIApp, settings: Settings, shared: SharedRates | None = None) -> None:
        self.app = app
        self.trust_forwarded = settings.trust_forwarded_headers
        queue, wait = settings.admission_queue, settings.admission_wait_seconds
        each = settings.max_running_per_client
        self.gates = {
            "queries": Gate("queries", settings.max_running_queries, queue, wait, each),
            "exports": Gate("exports", settings.max_running_exports, queue, wait, each),
            "searches": Gate("searches", settings.max_running_searches, queue, wait, each),
        }
        self.limits = rate_limits(settings, shared)
        self.queued_body_bytes = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        admission, rate = classify(scope["path"])
        if admission is None:
            if rate is not None and not await self._within_rate(scope, send, rate):
                return
            await self.app(scope, receive, send)
            return
        gate = self.gates[admission]
        client = client_address(scope, self.trust_forwarded)
        try:
            if rate is not None:
                self.limits[rate].take(client)
            body = await self._read_body(receive)
            if body is None:
                return  # the client left, or `api.perimeter.limits` refused the body (and answers)
            try:
                entered = await _enter_while_present(gate, client, receive)
            finally:
                self.queued_body_bytes -= len(body["body"])
        except RequestRefused as refused:
            await send_refusal(scope, send, refused, close=isinstance(refused, _BodyRefused))
            return
        if not entered:
            return  # the client gave up waiting: nobody to run the request for
        try:
            await self.app(scope, _replay(body, receive), send)
        finally:
            await gate.leave(client)

    async def _within_rate(self, scope: Scope, send: Send, rate: str) -> bool:
        """Take a token of `rate` for a request that needs no slot (a write action); else
        answer 429, auditing the first refusal of a run of them (`api.perimeter.audit`)."""
        try:
            self.limits[rate].take(client_address(scope, self.trust_forwarded))
        except TooManyRequests as refused:
            if refused.first:
                detail = f"{refused} (later refusals of this run are not logged)"
                await audit_refusal(Request(scope), detail)
            await send_refusal(scope, send, refused, close=False)
            return False
        return True

    async def _read_body(self, receive: Receive) -> Message | None:
        """The whole request body as one message, read before the request may queue.

        A client that sends its body slowly must not hold a running slot while it does; the
        body's size and pace are bounded by `api.perimeter.limits`, the bodies held by all waiting
        requests together by QUEUED_BODY_BYTES.
        """
        parts: list[bytes] = []
        size = 0
        more = True
        try:
            while more:
                message = await receive()
                if message["type"] != "http.request":
                    return None
                part = message.get("body", b"")
                parts.append(part)
                size += len(part)
                self.queued_body_bytes += len(part)
                more = bool(message.get("more_body", False))
                if self.queued_body_bytes > QUEUED_BODY_BYTES:
                    raise _BodyRefused(
                        "too many request bodies are waiting for a slot; try again shortly",
                        retry_after=BUSY_RETRY_SECONDS,
                    )
        except BaseException:
            self.queued_body_bytes -= size
            raise
        return {"type": "http.request", "body": b"".join(parts), "more_body": False}


async def _enter_while_present(gate: Gate, client: str, receive: Receive) -> bool:
    """Enter `gate`, unless the client disconnects while it waits; whether it entered."""
    if gate.try_enter(client):
        return True
    entered = gone = False
    refused: RequestRefused | None = None
    async with anyio.create_task_group() as tasks:

        async def watch() -> None:
            nonlocal gone
            # The body has been read: the only message left to come is the disconnect.
            gone = (await receive())["type"] == "http.disconnect"
            tasks.cancel_scope.cancel()

        tasks.start_soon(watch)
        try:
            await gate.enter(client)
            entered = True
        except RequestRefused as exc:
            refused = exc
        tasks.cancel_scope.cancel()
    if refused is not None:
        raise refused
    if entered and gone:
        await gate.leave(client)
        return False
    return entered


class _BodyRefused(Overloaded):
    """Overloaded while its body was being read: the connection cannot carry another request."""


def _replay(body: Message, receive: Receive) -> Receive:
    """`receive` that gives the body read beforehand, then waits as the server's does."""
    pending = [body]

    async def replay() -> Message:
        if pending:
            return pending.pop()
        return await receive()

    return replay
