"""The web catalogue: server-rendered HTML pages for researchers, Chinese first, English on request.

The language is `?lang=zh|en`, remembered in the `lang` cookie; Chinese otherwise. Pages load
nothing from other hosts: one stylesheet and one small script from `/static/`, charts as
inline SVG. `/dataset/{slug}.{jsonld,ttl,rdf}` belong to the DCAT router, included before
this one.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from datetime import UTC, datetime
from functools import partial
from typing import Annotated, Any
from urllib.parse import quote, urlencode
from xml.sax.saxutils import escape as xml_escape

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from api.deps import IndexDep, SettingsDep, StoreDep
from api.routes import ckan
from api.routes.dcat import catalogue_info, public_base
from catalog.errors import NotFound
from catalog.metadata import cite, schemaorg
from catalog.metadata import vocabularies as labels
from catalog.search import FACETS
from catalog.settings import Settings
from catalog.store import DATASET, Store
from web import (
    PALETTE,
    STATIC,
    TEMPLATES,
    PageData,
    highlight,
    human_size,
    markdown_html,
    search_catalogue,
    snippet,
    strings,
    terms,
    years_covered,
)

router = APIRouter(include_in_schema=False)

STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}
PAGE_SIZE = 10
COOKIE_AGE = 365 * 24 * 3600
SEARCH_FACETS = (*FACETS, "year")
SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")

_environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html", "xml"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
_environment.filters["size"] = human_size
_environment.filters["markdown"] = lambda text: Markup(markdown_html(str(text or "")))


def _static_versions() -> dict[str, str]:
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        for path in STATIC.iterdir()
        if path.suffix in STATIC_TYPES
    }


async def get_pages(request: Request) -> PageData:
    state = request.app.state
    if getattr(state, "pages", None) is None:
        state.pages = PageData(state.store, state.engine)
    pages: PageData = state.pages
    return pages


PagesDep = Annotated[PageData, Depends(get_pages)]


def language(request: Request) -> str:
    asked = request.query_params.get("lang") or request.cookies.get("lang") or ""
    return asked if asked in strings.LANGUAGES else strings.DEFAULT_LANGUAGE


class View:
    """What every template gets: the language, its strings, links and label lookups."""

    def __init__(self, request: Request, settings: Settings) -> None:
        self.request = request
        self.lang = language(request)
        self.t = strings.text(self.lang)
        self.base = public_base(request, settings)
        self.settings = settings
        self.started = time.perf_counter()
        self.organizations: dict[str, str] = {}

    def pick(self, zh: Any, en: Any) -> Any:
        """The English value on English pages when there is one, else the Chinese."""
        return en if self.lang == "en" and en else zh

    def title_of(self, descriptor: dict[str, Any]) -> str:
        return str(self.pick(descriptor.get("title"), descriptor.get("title_en")) or "")

    def theme(self, code: str) -> str:
        return labels.label(labels.THEMES, code, self.lang)

    def frequency(self, code: str) -> str:
        return labels.label(labels.FREQUENCIES, code, self.lang)

    def access(self, code: str) -> str:
        return labels.label(labels.ACCESS_LEVELS, code, self.lang)

    def tier(self, code: str) -> str:
        return labels.label(labels.TIERS, code, self.lang)

    def field_type(self, code: str) -> str:
        return labels.label(labels.FIELD_TYPES, code, self.lang)

    def facet_label(self, facet: str, value: str) -> str:
        """How a facet value reads: a label for codes, a publisher's title for its name."""
        if facet == "theme":
            return self.theme(value)
        if facet == "frequency":
            return self.frequency(value)
        if facet == "access_level":
            return self.access(value)
        if facet == "organization":
            return str(self.organizations.get(value) or value)
        return value

    def site_title(self) -> str:
        return str(self.pick(self.settings.catalog_title, self.settings.catalog_title_en))

    def switch_url(self) -> str:
        """This page in the other language."""
        other = self.t["switch_lang"]
        kept = [(k, v) for k, v in self.request.query_params.multi_items() if k != "lang"]
        return f"{self.request.url.path}?{urlencode([*kept, ('lang', other)])}"

    def absolute(self, path: str) -> str:
        return f"{self.base}{path}"

    def static(self, name: str) -> str:
        return f"/static/{name}?v={STATIC_VERSIONS.get(name, '0')}"

    def page(self, template: str, **context: Any) -> str:
        return _environment.get_template(template).render(v=self, t=self.t, **context)

    def render(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        return self.respond(self.page(template, **context), status)

    def respond(self, body: str, status: int = 200) -> HTMLResponse:
        elapsed = (time.perf_counter() - self.started) * 1000
        response = HTMLResponse(body, status_code=status)
        response.headers["Content-Language"] = "zh-CN" if self.lang == "zh" else "en"
        response.headers["Vary"] = "Cookie"
        response.headers["Cache-Control"] = "no-cache"
        response.headers["Server-Timing"] = f"render;dur={elapsed:.1f}"
        asked = self.request.query_params.get("lang")
        if asked in strings.LANGUAGES:
            response.set_cookie("lang", asked, max_age=COOKIE_AGE, samesite="lax")
        return response


async def get_view(request: Request, settings: SettingsDep) -> View:
    return View(request, settings)


ViewDep = Annotated[View, Depends(get_view)]


@router.get("/", response_class=HTMLResponse)
def home(view: ViewDep, index: IndexDep, pages: PagesDep) -> HTMLResponse:
    descriptors = index.descriptors()
    themes: dict[str, int] = dict.fromkeys(labels.THEMES, 0)
    for descriptor in descriptors.values():
        for theme in descriptor.get("themes", []):
            themes[theme] = themes.get(theme, 0) + 1
    recent = sorted(descriptors.values(), key=_modified, reverse=True)[:6]
    return view.render(
        "home.html", themes=themes, recent=recent, headline=pages.headline(descriptors, view.lang)
    )


@router.get("/dataset", response_class=HTMLResponse)
def search(
    view: ViewDep,
    index: IndexDep,
    q: str = "",
    sort: str = "",
    page: Annotated[int, Query(ge=1)] = 1,
    size: Annotated[int, Query(ge=1, le=100)] = PAGE_SIZE,
) -> HTMLResponse:
    return _search_page(view, index, q, sort, page, size, heading=None)


@router.get("/organization/{name}", response_class=HTMLResponse)
def organization(name: str, view: ViewDep, index: IndexDep) -> HTMLResponse:
    for descriptor in index.descriptors().values():
        found = descriptor.get("organization") or {}
        if found.get("name") == name:
            heading = {
                "kind": view.t["organization"],
                "title": view.pick(found.get("title"), found.get("title_en")),
                "organization": found,
            }
            return _search_page(view, index, "", "", 1, 100, heading, {"organization": [name]})
    return not_found(view)


@router.get("/group/{theme}", response_class=HTMLResponse)
def group(theme: str, view: ViewDep, index: IndexDep) -> HTMLResponse:
    if theme not in labels.THEMES:
        return not_found(view)
    heading = {"kind": view.t["theme"], "title": view.theme(theme)}
    return _search_page(view, index, "", "", 1, 100, heading, {"theme": [theme]})


def _search_page(
    view: View,
    index: IndexDep,
    q: str,
    sort: str,
    page: int,
    size: int,
    heading: dict[str, Any] | None,
    fixed: dict[str, list[str]] | None = None,
) -> HTMLResponse:
    params = view.request.query_params
    chosen = {name: params.getlist(name) for name in SEARCH_FACETS if params.getlist(name)}
    filters = {k: v for k, v in {**chosen, **(fixed or {})}.items() if k != "year"}
    result = search_catalogue(index, q, filters, chosen.get("year", []), sort, page, size)
    for descriptor in index.descriptors().values():
        found = descriptor.get("organization") or {}
        title = view.pick(found.get("title"), found.get("title_en"))
        view.organizations[str(found.get("name", ""))] = str(title or "")
    words = terms(q)
    items = []
    for descriptor in result.descriptors:
        text = view.pick(descriptor.get("description"), descriptor.get("description_en"))
        items.append(
            {
                "d": descriptor,
                "title": Markup(highlight(view.title_of(descriptor), words)),
                "snippet": Markup(highlight(snippet(str(text or ""), words), words)),
            }
        )
    return view.render(
        "search.html",
        q=q,
        sort=sort or ("relevance" if q.strip() else "name"),
        result=result,
        items=items,
        chosen=chosen,
        heading=heading,
        facet_names=[f for f in SEARCH_FACETS if f not in (fixed or {})],
        link=_search_links(view, fixed),
        size=size,
    )


def _search_links(view: View, fixed: dict[str, list[str]] | None) -> Any:
    """`link(set=..., toggle=(facet, value))`: this search with one thing changed, page 1."""
    path = view.request.url.path
    current = [(k, v) for k, v in view.request.query_params.multi_items() if k != "lang"]

    def link(toggle: tuple[str, str] | None = None, **changes: Any) -> str:
        query = [(k, v) for k, v in current if k not in changes and k != "page"]
        if toggle is not None:
            if toggle in query:
                query.remove(toggle)
            else:
                query.append(toggle)
        query += [(k, str(v)) for k, v in changes.items() if v not in (None, "")]
        return f"{path}?{urlencode(query)}" if query else path

    return link


@router.get("/dataset/{slug}", response_class=HTMLResponse)
def dataset(
    slug: str,
    view: ViewDep,
    store: StoreDep,
    pages: PagesDep,
    settings: SettingsDep,
    chart: str = "",
) -> HTMLResponse:
    version = store.current(slug) if SLUG.fullmatch(slug) else None
    if version is None:
        return withdrawn(view, store, slug)
    make = partial(_dataset_page, slug, view, store, pages, settings, chart)
    # A page is a function of the version, the language, the query, the base URL and the day
    # (the citation's access date): kept rendered, a warm view costs a dictionary look-up.
    query = tuple(sorted((k, v) for k, v in view.request.query_params.multi_items() if k != "lang"))
    # The withdrawals count too: withdrawing an older version changes the version history.
    withdrawals = len(store.withdrawals(slug))
    day = datetime.now(UTC).date()
    key = ("dataset", slug, version, withdrawals, view.lang, query, view.base, day)
    try:
        return view.respond(pages.rendered(key, make))
    except NotFound:  # withdrawn while the page was being made
        return withdrawn(view, store, slug)


def withdrawn(view: View, store: Store, slug: str) -> HTMLResponse:
    """410 with the tombstone (when and why) for a withdrawn dataset, else 404."""
    taken = [w for w in store.withdrawals(slug) if w.scope == DATASET]
    if not taken or store.current(slug) is not None:
        return not_found(view)
    return view.render("410.html", status=410, withdrawal=taken[-1])


def _dataset_page(
    slug: str, view: View, store: Store, pages: PageData, settings: Settings, chart: str
) -> str:
    descriptor = store.descriptor(slug)
    url = view.absolute(f"/dataset/{quote(slug)}")
    info = catalogue_info(view.request, settings)
    jsonld = json.dumps(schemaorg.dataset_jsonld(info, descriptor), ensure_ascii=False)
    resources = descriptor.get("resources", [])
    own = [r for r in resources if not r.get("embedded_from")] or resources
    citation = cite(
        descriptor, url, datetime.now(UTC).date(), view.pick(info.publisher, info.publisher_en)
    )
    return view.page(
        "dataset.html",
        d=descriptor,
        url=url,
        jsonld=Markup(jsonld.replace("<", "\\u003c")),
        resources=resources,
        example=own[0] if own else None,
        downloads={r["name"]: pages.downloads(descriptor, r) for r in resources},
        validation=pages.validation(slug, str(descriptor.get("version", ""))),
        history=pages.history(slug),
        chart=pages.chart(descriptor, chart, view.lang),
        citation=citation,
        regions=pages.code_names(descriptor, "regions", view.lang),
        preview=_preview_config(view, descriptor),
        years=years_covered(descriptor),
        palette=PALETTE,
    )


def _preview_config(view: View, descriptor: dict[str, Any]) -> str:
    """What the preview script needs: the rows URL, the tables and their fields, the words."""
    slug = str(descriptor["name"])
    tables = [
        {
            "name": r["name"],
            "title": view.pick(r.get("title"), r.get("title_en")) or r["name"],
            "rows": r.get("rows"),
            "fields": [
                {"name": f["name"], "title": view.pick(f.get("title"), f.get("title_en"))}
                for f in r.get("schema", {}).get("fields", [])
            ],
        }
        for r in descriptor.get("resources", [])
    ]
    words = {k: view.t[k] for k in ("preview_status", "preview_empty", "preview_sort")}
    return json.dumps(
        {"api": f"/api/v1/datasets/{quote(slug)}/resources/", "tables": tables, "t": words},
        ensure_ascii=False,
    )


@router.get("/api", response_class=HTMLResponse)
@router.get("/api/", response_class=HTMLResponse)
def api_page(view: ViewDep) -> Response:
    """The developers' page for browsers; CKAN's `{"version": 1}` for every other client."""
    if "text/html" not in view.request.headers.get("accept", ""):
        return ckan.api_root()
    return view.render("api.html")


@router.get("/sitemap.xml")
def sitemap(request: Request, index: IndexDep, settings: SettingsDep) -> Response:
    base = public_base(request, settings)
    descriptors = index.descriptors()
    entries = [(f"{base}/", ""), (f"{base}/dataset", ""), (f"{base}/api", "")]
    entries += [(f"{base}/group/{quote(theme)}", "") for theme in labels.THEMES]
    organizations = {
        str((d.get("organization") or {}).get("name", "")) for d in descriptors.values()
    }
    entries += [(f"{base}/organization/{quote(o)}", "") for o in sorted(organizations) if o]
    entries += [
        (f"{base}/dataset/{quote(slug)}", _modified(d)[:10])
        for slug, d in sorted(descriptors.items())
    ]
    lines = ['<?xml version="1.0" encoding="UTF-8"?>']
    lines.append('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">')
    for loc, modified in entries:
        stamp = f"<lastmod>{modified}</lastmod>" if modified else ""
        lines.append(f"<url><loc>{xml_escape(loc)}</loc>{stamp}</url>")
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


def not_found(view: View) -> HTMLResponse:
    return view.render("404.html", status=404)


def _modified(descriptor: dict[str, Any]) -> str:
    return str(descriptor.get("build", {}).get("published", ""))


STATIC_VERSIONS = _static_versions()
