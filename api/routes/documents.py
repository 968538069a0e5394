"""What the metadata routes (`dcat`, `changes`) and the pages share: the public base URL,
the catalogue's description of itself, bodies tagged for conditional requests, routes
that answer GET and HEAD alike, and the reading of `Accept` for RDF (`negotiate` for the
catalogue, `page_format` for a dataset's page).

Absolute links come from `base_url`, or from X-Forwarded-Proto/-Host/-Prefix when the
`trust_forwarded_headers` setting says a reverse proxy sets them; an answer whose links were
built so says those headers in its `Vary` (`vary`, the one place a `Vary` is composed).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Request, Response

from api.deps import SettingsDep
from api.preconditions import precondition
from catalog.errors import InvalidParameter, OpenDataError
from catalog.metadata import RDF_FORMATS, CatalogueInfo
from catalog.settings import Settings

RdfFormat = Literal["ttl", "n3", "jsonld", "rdf", "xml"]
Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])
_HOST = re.compile(r"^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$")
_PREFIX = re.compile(r"^(/[A-Za-z0-9._~\-]+)*$")
# The request headers `public_base` builds links from, when it trusts them.
FORWARDED = ("X-Forwarded-Host", "X-Forwarded-Proto", "X-Forwarded-Prefix")


def get_and_head(router: APIRouter, path: str, **options: Any) -> Callable[[Endpoint], Endpoint]:
    """Route GET and HEAD to one endpoint; HEAD stays out of the OpenAPI document."""

    def register(endpoint: Endpoint) -> Endpoint:
        router.head(path, include_in_schema=False, **options)(endpoint)
        return router.get(path, **options)(endpoint)

    return register


def public_base(request: Request, settings: Settings) -> str:
    """The base URL links are built on: the setting, or what a trusted proxy forwarded."""
    configured = settings.base_url.rstrip("/")
    if settings.trust_forwarded_headers:
        # Even without them: the same request with them would be answered other links.
        request.state.forwarded_links = True
    host = _first(request.headers.get("x-forwarded-host"))
    if not settings.trust_forwarded_headers or not host or not _HOST.match(host):
        return configured
    parts = urlsplit(configured)
    proto = _first(request.headers.get("x-forwarded-proto")) or parts.scheme
    prefix = (request.headers.get("x-forwarded-prefix") or parts.path).strip().rstrip("/")
    if proto not in ("http", "https") or not _PREFIX.match(prefix):
        return configured
    return f"{proto}://{host}{prefix}"


def vary(request: Request, *names: str) -> str:
    """The `Vary` of an answer: Accept-Encoding (bodies are gzipped), `names`, and the
    forwarded headers when `public_base` built its links from them."""
    forwarded = FORWARDED if getattr(request.state, "forwarded_links", False) else ()
    return ", ".join(dict.fromkeys(("Accept-Encoding", *names, *forwarded)))


def refuse_version_pin(request: Request, why: str) -> None:
    """400 for `version=` on a route about one dataset that does not read it: the caching
    (and the shipped nginx site) take a URL with `version=` for a pinned, immutable one, so
    it must never be answered as if it had been applied (as /api/v1/series refuses it)."""
    if "version" in request.query_params:
        raise InvalidParameter("version", f"this route reads no version= ({why})")


def _first(value: str | None) -> str:
    return (value or "").split(",")[0].strip()


def catalogue_info(request: Request, settings: SettingsDep) -> CatalogueInfo:
    return site_info(settings, public_base(request, settings))


def site_info(settings: Settings, base_url: str) -> CatalogueInfo:
    """The catalogue's description of itself, its links built on `base_url`."""
    return CatalogueInfo(
        base_url=base_url,
        title=settings.catalog_title,
        title_en=settings.catalog_title_en,
        description=settings.catalog_description,
        description_en=settings.catalog_description_en,
        publisher=settings.catalog_publisher,
        publisher_en=settings.catalog_publisher_en,
    )


InfoDep = Annotated[CatalogueInfo, Depends(catalogue_info)]


def json_document(
    request: Request, document: Any, media_type: str, headers: dict[str, str] | None = None
) -> Response:
    body = json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")
    return tagged(request, body, f"{media_type}; charset=utf-8", headers)


def tagged(
    request: Request,
    body: bytes,
    media_type: str,
    headers: dict[str, str] | None = None,
    varies: tuple[str, ...] = (),
) -> Response:
    """The body with a strong ETag; 304 when the client already has it, 412 when it asked
    for another (`api.caching.precondition`). `Vary` is said on every answer, the 304 too:
    gzip varies the 200's body by `Accept-Encoding`, a negotiated one by `varies`."""
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    all_headers = {"ETag": etag, "Vary": vary(request, *varies), **(headers or {})}
    status = precondition(request.headers, etag)
    if status == 412:
        return Response(status_code=412, headers={"ETag": etag})
    if status == 304:
        return Response(status_code=304, headers=all_headers)
    return Response(content=body, media_type=media_type, headers=all_headers)


# Accept's media types the catalogue answers (`*/*` and `text/*` with Turtle).
BY_TYPE: dict[str, RdfFormat] = {
    "text/turtle": "ttl",
    "text/n3": "n3",
    "application/ld+json": "jsonld",
    "application/json": "jsonld",
    "application/rdf+xml": "rdf",
    "application/xml": "rdf",
}
# What ckanext-dcat's negotiation on a dataset page answers (utils.parse_accept_header): its
# four RDF media types, and for a type's wildcard the first of them with that type.
PAGE_TYPES: dict[str, RdfFormat] = {
    "application/rdf+xml": "rdf",
    "text/n3": "n3",
    "text/turtle": "ttl",
    "application/ld+json": "jsonld",
    "application/*": "rdf",
    "text/*": "n3",
}
QVALUE = re.compile(r"0(\.[0-9]{0,3})?|1(\.0{0,3})?")
MAX_ACCEPT_ITEMS = 100  # a header of thousands of items is read no further


class NotAcceptable(OpenDataError):
    status = 406
    ckan_type = "Validation Error"
    slug = "not-acceptable"
    title = "Not Acceptable"


def negotiate(accept: str) -> RdfFormat:
    """The RDF extension for an Accept header, by q-value; NotAcceptable if none fits."""
    best: tuple[float, int, RdfFormat] | None = None
    for position, (media, quality) in enumerate(accepted(accept)):
        extension: RdfFormat | None = "ttl" if media in ("*/*", "text/*") else BY_TYPE.get(media)
        if extension and quality > 0 and (best is None or (quality, -position) > best[:2]):
            best = (quality, -position, extension)
    if best is None:
        offered = ", ".join(dict.fromkeys(media for _, media in RDF_FORMATS.values()))
        read = ""
        if accept.count(",") >= MAX_ACCEPT_ITEMS:
            read = f" (only the first {MAX_ACCEPT_ITEMS} items of Accept are read)"
        raise NotAcceptable(f"the catalogue is offered as {offered}{read}")
    return best[2]


def page_format(accept: str) -> RdfFormat | None:
    """The DCAT serialisation the Accept header asks of a dataset's HTML page, as
    ckanext-dcat's content negotiation picks it: the media types by q-value (stable), the
    first that is text/html (None: the page), an RDF type, or `text/*` / `application/*`
    (N3, RDF/XML there). None when nothing fits: browsers and `*/*` keep the page."""
    ranked = sorted(((m, q) for m, q in accepted(accept) if q > 0), key=lambda item: -item[1])
    for media, _quality in ranked:
        if media == "text/html":
            return None
        if media in PAGE_TYPES:
            return PAGE_TYPES[media]
    return None


def accepted(accept: str) -> list[tuple[str, float]]:
    """(media type, q) of each item of an Accept header, lower-cased; an item whose q is not
    an RFC 9110 qvalue (`q=abc`, `q=2`) is dropped, as ckanext-dcat drops it."""
    items = []
    for item in accept.split(",")[:MAX_ACCEPT_ITEMS]:
        media, _, params = item.strip().partition(";")
        quality = _quality(params)
        if quality is not None and media.strip():
            items.append((media.strip().lower(), quality))
    return items


def _quality(params: str) -> float | None:
    """The q of an item's parameters: 1 without one, None when it is not a qvalue."""
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name.strip().lower() == "q":
            value = value.strip()
            return float(value) if QVALUE.fullmatch(value) else None
    return 1.0
