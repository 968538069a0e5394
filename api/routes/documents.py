"""What the metadata routes (`dcat`, `changes`) and the pages share: the public base URL,
the catalogue's description of itself, bodies tagged for conditional requests, and routes
that answer GET and HEAD alike.

Absolute links come from `base_url`, or from X-Forwarded-Proto/-Host/-Prefix when the
`trust_forwarded_headers` setting says a reverse proxy sets them; an answer whose links were
built so says those headers in its `Vary` (`vary`, the one place a `Vary` is composed).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from typing import Annotated, Any, TypeVar
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Request, Response

from api.deps import SettingsDep
from api.preconditions import precondition
from catalog.metadata import CatalogueInfo
from catalog.settings import Settings

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
