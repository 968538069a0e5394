"""Metadata for harvesters and search engines: DCAT-AP 3, data.json, schema.org, change feed.

Absolute links come from `base_url`, or from X-Forwarded-Proto/-Host/-Prefix when the
`trust_forwarded_headers` setting says a reverse proxy sets them. `/dataset/{slug}` itself is
the HTML page (another router); this one answers only its `.jsonld`, `.ttl` and `.rdf` forms.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar
from urllib.parse import urlencode, urlsplit
from xml.etree import ElementTree

from fastapi import APIRouter, Depends, Query, Request, Response

from api.deps import IndexDep, SettingsDep, StoreDep
from api.openapi import problem_responses
from catalog.errors import Gone, NotFound, OpenDataError
from catalog.metadata import datajson, dcat, schemaorg
from catalog.search import SearchQuery
from catalog.settings import Settings
from catalog.store import Store
from catalog.store import changes as change_feed

router = APIRouter(tags=["metadata"])

RdfFormat = Literal["ttl", "jsonld", "rdf"]
Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])
ATOM = "http://www.w3.org/2005/Atom"
_HOST = re.compile(r"^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$")
_PREFIX = re.compile(r"^(/[A-Za-z0-9._~\-]+)*$")


class NotAcceptable(OpenDataError):
    status = 406
    ckan_type = "Validation Error"
    slug = "not-acceptable"
    title = "Not Acceptable"


def get_and_head(path: str, **options: Any) -> Callable[[Endpoint], Endpoint]:
    """Route GET and HEAD to one endpoint; HEAD stays out of the OpenAPI document."""

    def register(endpoint: Endpoint) -> Endpoint:
        router.head(path, include_in_schema=False, **options)(endpoint)
        return router.get(path, **options)(endpoint)

    return register


def public_base(request: Request, settings: Settings) -> str:
    """The base URL links are built on: the setting, or what a trusted proxy forwarded."""
    configured = settings.base_url.rstrip("/")
    host = _first(request.headers.get("x-forwarded-host"))
    if not settings.trust_forwarded_headers or not host or not _HOST.match(host):
        return configured
    parts = urlsplit(configured)
    proto = _first(request.headers.get("x-forwarded-proto")) or parts.scheme
    prefix = (request.headers.get("x-forwarded-prefix") or parts.path).strip().rstrip("/")
    if proto not in ("http", "https") or not _PREFIX.match(prefix):
        return configured
    return f"{proto}://{host}{prefix}"


def catalogue_info(request: Request, settings: SettingsDep) -> dcat.CatalogueInfo:
    return dcat.CatalogueInfo(
        base_url=public_base(request, settings),
        title=settings.catalog_title,
        title_en=settings.catalog_title_en,
        description=settings.catalog_description,
        description_en=settings.catalog_description_en,
        publisher=settings.catalog_publisher,
        publisher_en=settings.catalog_publisher_en,
    )


InfoDep = Annotated[dcat.CatalogueInfo, Depends(catalogue_info)]


@get_and_head(
    "/catalog",
    summary="The DCAT-AP 3 catalogue in the format the Accept header asks for",
    response_class=Response,
    responses=problem_responses(404, 406),
)
def negotiated_catalog(
    request: Request,
    index: IndexDep,
    info: InfoDep,
    settings: SettingsDep,
    page: Annotated[int, Query(ge=1)] = 1,
    q: str = "",
    fq: str = "",
    modified_since: str = "",
) -> Response:
    """Turtle, JSON-LD or RDF/XML by `Accept` (Turtle for `*/*`); 406 for anything else."""
    extension = negotiate(request.headers.get("accept", "*/*"))
    response = catalog(request, extension, index, info, settings, page, q, fq, modified_since)
    response.headers["Vary"] = "Accept"
    response.headers["Content-Location"] = f"{info.base_url}/catalog.{extension}"
    return response


@get_and_head(
    "/catalog.{extension}",
    summary="One page of the DCAT-AP 3 catalogue (hydra paging)",
    response_class=Response,
    responses=problem_responses(404),
)
def catalog(
    request: Request,
    extension: RdfFormat,
    index: IndexDep,
    info: InfoDep,
    settings: SettingsDep,
    page: Annotated[int, Query(ge=1, description="1-based page number.")] = 1,
    q: Annotated[str, Query(description="Words to find, as in /api/v1/datasets.")] = "",
    fq: Annotated[str, Query(description='Filters: `groups:employment tags:"工资"`.')] = "",
    modified_since: Annotated[
        str, Query(description="Only datasets published at or after this ISO 8601 time.")
    ] = "",
) -> Response:
    since = change_feed.parse_time(modified_since, "modified_since") if modified_since else None
    size = settings.catalog_page_size
    result = index.search(
        SearchQuery(
            q=q,
            filters=dcat.parse_fq(fq),
            sort="name",  # stable order, so following `next` sees every dataset once
            limit=size,
            offset=(page - 1) * size,
            modified_since=since,
        )
    )
    filters = {"q": q, "fq": fq, "modified_since": modified_since}
    paging = dcat.PageInfo(
        number=page,
        size=size,
        total=result.count,
        url=lambda n: _page_url(info.base_url, f"/catalog.{extension}", filters, n),
    )
    if page > paging.last:
        raise NotFound(f"page {page} is past the last page, {paging.last}")
    everything = index.descriptors()
    graph = dcat.catalogue_graph(
        info,
        [everything[slug] for slug in result.slugs if slug in everything],
        page=paging,
        modified=max((dcat_modified(d) for d in everything.values()), default=""),
        issued=min((str(d.get("issued", "")) for d in everything.values()), default=""),
    )
    return rdf_response(request, dcat.serialize(graph, extension), extension)


@get_and_head(
    "/dataset/{slug}.{extension}",
    summary="One dataset as DCAT-AP 3 (Turtle, JSON-LD or RDF/XML)",
    response_class=Response,
)
def dataset(
    request: Request, slug: str, extension: RdfFormat, store: StoreDep, info: InfoDep
) -> Response:
    graph = dcat.dataset_graph(info, served_descriptor(store, slug))
    return rdf_response(request, dcat.serialize(graph, extension), extension)


@get_and_head(
    "/api/v1/datasets/{slug}/schemaorg",
    summary="One dataset as schema.org/Dataset JSON-LD (what the HTML page embeds)",
    response_class=Response,
)
def schema_org(request: Request, slug: str, store: StoreDep, info: InfoDep) -> Response:
    document = schemaorg.dataset_jsonld(info, served_descriptor(store, slug))
    return _json(request, document, "application/ld+json")


@get_and_head(
    "/data.json",
    summary="The catalogue as DCAT-US 1.1 (Project Open Data) data.json",
    response_class=Response,
    responses=problem_responses(404),
)
def data_json(
    request: Request,
    index: IndexDep,
    info: InfoDep,
    settings: SettingsDep,
    page: Annotated[
        int | None, Query(ge=1, description="1-based page; without it, every dataset.")
    ] = None,
) -> Response:
    """Without `page`, the whole catalogue (what data.json harvesters read); with it, one page
    of `catalog_page_size` datasets and `Link` headers to the first, last, next, previous."""
    everything = index.descriptors()
    slugs = sorted(everything)
    self_url = f"{info.base_url}/data.json"
    headers: dict[str, str] = {}
    if page is not None:
        size = settings.catalog_page_size
        paging = dcat.PageInfo(
            number=page, size=size, total=len(slugs), url=lambda n: f"{self_url}?page={n}"
        )
        if page > paging.last:
            raise NotFound(f"page {page} is past the last page, {paging.last}")
        slugs = slugs[(page - 1) * size : page * size]
        headers["Link"] = _link_header(paging)
        self_url = paging.url(page)
    document = datajson.catalog(info, [everything[s] for s in slugs], self_url)
    return _json(request, document, "application/json", headers)


@router.get("/api/v1/changes", summary="Every publish, update and withdrawal since a time")
def list_changes(
    store: StoreDep,
    info: InfoDep,
    since: Annotated[
        str, Query(description="ISO 8601 time; changes at or after it (inclusive).")
    ] = "",
) -> dict[str, Any]:
    """Oldest first. Ask again with `since` = the `time` of the last change you applied."""
    after = change_feed.parse_time(since, "since") if since else None
    found = change_feed.changes(store, after)
    return {
        "since": since or None,
        "count": len(found),
        "changes": [_change_json(info, change) for change in found],
    }


@get_and_head(
    "/feeds/changes.atom",
    summary="The change feed as Atom (newest first)",
    response_class=Response,
)
def atom_feed(
    request: Request,
    store: StoreDep,
    info: InfoDep,
    since: Annotated[str, Query(description="ISO 8601 time; default: the latest 200.")] = "",
) -> Response:
    after = change_feed.parse_time(since, "since") if since else None
    found = list(reversed(change_feed.changes(store, after)))
    body = atom(info, found if after else found[:200])
    return _cached(request, body, "application/atom+xml; charset=utf-8")


def served_descriptor(store: Store, slug: str) -> dict[str, Any]:
    """The current descriptor; 410 Gone for a withdrawn dataset."""
    if store.current(slug) is None and store.withdrawals(slug):
        raise Gone(f"dataset {slug!r} was withdrawn")
    return store.descriptor(slug)


def dcat_modified(descriptor: dict[str, Any]) -> str:
    return str(descriptor.get("build", {}).get("published", ""))


def negotiate(accept: str) -> RdfFormat:
    """The RDF extension for an Accept header, by q-value; NotAcceptable if none fits."""
    by_type: dict[str, RdfFormat] = {
        "text/turtle": "ttl",
        "application/ld+json": "jsonld",
        "application/json": "jsonld",
        "application/rdf+xml": "rdf",
        "application/xml": "rdf",
    }
    best: tuple[float, int, RdfFormat] | None = None
    for position, item in enumerate(accept.split(",")):
        media, _, params = item.strip().partition(";")
        quality = _quality(params)
        media = media.strip().lower()
        extension: RdfFormat | None = "ttl" if media in ("*/*", "text/*") else by_type.get(media)
        if extension and quality > 0 and (best is None or (quality, -position) > best[:2]):
            best = (quality, -position, extension)
    if best is None:
        offered = ", ".join(media for _, media in dcat.FORMATS.values())
        raise NotAcceptable(f"the catalogue is offered as {offered}")
    return best[2]


def rdf_response(request: Request, body: bytes, extension: str) -> Response:
    media_type = dcat.FORMATS[extension][1]
    return _cached(request, body, f"{media_type}; charset=utf-8")


def atom(info: dcat.CatalogueInfo, found: list[change_feed.Change]) -> bytes:
    """An Atom 1.0 feed (RFC 4287) of `found`, which is newest first."""
    ElementTree.register_namespace("", ATOM)
    feed = ElementTree.Element(f"{{{ATOM}}}feed")
    feed_url = f"{info.base_url}/feeds/changes.atom"
    _sub(feed, "id", feed_url)
    _sub(feed, "title", f"{info.title_en}: changes")
    _sub(feed, "updated", found[0].time if found else "1970-01-01T00:00:00Z")
    author = ElementTree.SubElement(feed, f"{{{ATOM}}}author")
    _sub(author, "name", info.publisher_en)
    ElementTree.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=feed_url)
    for change in found:
        entry = ElementTree.SubElement(feed, f"{{{ATOM}}}entry")
        details = _change_json(info, change)
        _sub(entry, "id", details["id"])
        _sub(entry, "title", f"{change.dataset} {change.kind} (version {change.version})")
        _sub(entry, "updated", change.time)
        _sub(entry, "summary", json.dumps(details, ensure_ascii=False))
        ElementTree.SubElement(entry, f"{{{ATOM}}}category", term=change.kind)
        ElementTree.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", href=details["page"])
        ElementTree.SubElement(
            entry, f"{{{ATOM}}}link", rel="describedby", href=details["dcat"], type="text/turtle"
        )
    text: bytes = ElementTree.tostring(feed, encoding="utf-8", xml_declaration=True)
    return text


def _change_json(info: dcat.CatalogueInfo, change: change_feed.Change) -> dict[str, Any]:
    links = dcat.Links(info.base_url)
    return {
        "id": f"{info.base_url}/api/v1/changes#{change.dataset}/{change.version}/{change.kind}",
        "type": change.kind,
        "dataset": change.dataset,
        "version": change.version,
        "time": change.time,
        "page": links.dataset(change.dataset),
        "dcat": f"{links.dataset(change.dataset)}.ttl",
        "api": links.api(change.dataset),
    }


def _sub(parent: ElementTree.Element, tag: str, text: str) -> None:
    ElementTree.SubElement(parent, f"{{{ATOM}}}{tag}").text = text


def _json(
    request: Request, document: Any, media_type: str, headers: dict[str, str] | None = None
) -> Response:
    body = json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")
    return _cached(request, body, f"{media_type}; charset=utf-8", headers)


def _cached(
    request: Request, body: bytes, media_type: str, headers: dict[str, str] | None = None
) -> Response:
    """The body with a strong ETag; 304 when the client already has it."""
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    all_headers = {"ETag": etag, **(headers or {})}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=all_headers)
    return Response(content=body, media_type=media_type, headers=all_headers)


def _page_url(base: str, path: str, filters: dict[str, str], number: int) -> str:
    params = {key: value for key, value in filters.items() if value}
    params["page"] = str(number)
    return f"{base}{path}?{urlencode(params)}"


def _link_header(page: dcat.PageInfo) -> str:
    targets = {"first": 1, "last": page.last}
    if page.number < page.last:
        targets["next"] = page.number + 1
    if page.number > 1:
        targets["prev"] = page.number - 1
    return ", ".join(f'<{page.url(n)}>; rel="{rel}"' for rel, n in targets.items())


def _first(value: str | None) -> str:
    return (value or "").split(",")[0].strip()


def _quality(params: str) -> float:
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                return float(value)
            except ValueError:
                return 0.0
    return 1.0
