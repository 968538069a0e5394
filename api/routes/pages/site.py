"""What a site has besides its pages: the developers' page, the sitemap, robots.txt, the
static files."""

from __future__ import annotations

from urllib.parse import quote
from xml.sax.saxutils import escape as xml_escape

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import IndexDep, SeriesDep, SettingsDep
from api.routes.ckan import api_root
from api.routes.documents import public_base
from api.routes.pages.view import STATIC_TYPES, STATIC_VERSIONS, ViewDep
from api.routes.series import series_path
from catalog.errors import NotFound
from catalog.metadata import THEMES
from catalog.search import CatalogueIndex
from catalog.series import SeriesCatalogue
from web import STATIC

router = APIRouter(include_in_schema=False)


@router.get("/api", response_class=HTMLResponse)
@router.get("/api/", response_class=HTMLResponse)
def api_page(view: ViewDep) -> Response:
    """The developers' page for browsers; CKAN's `{"version": 1}` for every other client."""
    if "text/html" not in view.request.headers.get("accept", ""):
        return api_root()
    return view.render("api.html")


SITEMAP_URLS = 50_000  # the sitemaps.org limit of URLs in one file


@router.get("/sitemap.xml")
def sitemap(
    request: Request, index: IndexDep, series: SeriesDep, settings: SettingsDep
) -> Response:
    """Every page: one file while they fit the sitemaps.org limit, else an index of files."""
    base = public_base(request, settings)
    entries = _entries(base, index, series)
    if len(entries) <= SITEMAP_URLS:
        return _urlset(entries)
    parts = range(1, -(-len(entries) // SITEMAP_URLS) + 1)
    lines = ['<?xml version="1.0" encoding="UTF-8"?>']
    lines.append('<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">')
    lines += [
        f"<sitemap><loc>{xml_escape(f'{base}/sitemap-{n}.xml')}</loc></sitemap>" for n in parts
    ]
    lines.append("</sitemapindex>")
    return Response("\n".join(lines) + "\n", media_type="application/xml")


@router.get("/sitemap-{part}.xml")
def sitemap_part(
    part: int, request: Request, index: IndexDep, series: SeriesDep, settings: SettingsDep
) -> Response:
    """One file of a sitemap index: the `part`-th run of SITEMAP_URLS pages."""
    entries = _entries(public_base(request, settings), index, series)
    if len(entries) <= SITEMAP_URLS or not 1 <= part <= -(-len(entries) // SITEMAP_URLS):
        raise NotFound(f"no sitemap part {part}")
    return _urlset(entries[(part - 1) * SITEMAP_URLS : part * SITEMAP_URLS])


def _entries(base: str, index: CatalogueIndex, series: SeriesCatalogue) -> list[tuple[str, str]]:
    """(address, last modified day or "") of every page a crawler should visit."""
    packages = index.packages()
    entries = [(f"{base}/", ""), (f"{base}/dataset", ""), (f"{base}/api", "")]
    entries += [(f"{base}/group/{quote(theme)}", "") for theme in THEMES]
    organizations = {p.organization.name for p in packages.values() if p.organization}
    entries += [(f"{base}/organization/{quote(o)}", "") for o in sorted(organizations) if o]
    entries += [
        (f"{base}/dataset/{quote(slug)}", package.modified()[:10])
        for slug, package in sorted(packages.items())
    ]
    entries += [(base + series_path(*pair), "") for pair in sorted(series.printed())]
    return entries


def _urlset(entries: list[tuple[str, str]]) -> Response:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>']
    lines.append('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">')
    for loc, stamp in entries:
        lastmod = f"<lastmod>{stamp}</lastmod>" if stamp else ""
        lines.append(f"<url><loc>{xml_escape(loc)}</loc>{lastmod}</url>")
    lines.append("</urlset>")
    return Response("\n".join(lines) + "\n", media_type="application/xml")


@router.get("/robots.txt")
def robots(request: Request, settings: SettingsDep) -> Response:
    base = public_base(request, settings)
    text = (
        "User-agent: *\n"
        "Allow: /\n"
        # Downloads and row pages are for people and programs, not for crawlers to walk.
        "Disallow: /api/v1/\n"
        "Disallow: /api/3/\n"
        "Disallow: /api/action/\n"
        f"Sitemap: {base}/sitemap.xml\n"
    )
    return Response(text, media_type="text/plain; charset=utf-8")


@router.get("/static/{name}")
def static(name: str) -> Response:
    path = STATIC / name
    if name not in STATIC_VERSIONS or not path.is_file():
        raise NotFound(f"no static file {name!r}")
    return Response(
        path.read_bytes(),
        media_type=STATIC_TYPES[path.suffix],
        headers={"Cache-Control": "public, max-age=31536000, immutable"},
    )


@router.get("/favicon.ico")
def favicon() -> Response:
    # No icon file: an empty answer keeps browsers from logging a 404 on every page.
    return Response(status_code=204)
