"""What every page shares: the language, the templates, links and labels (`View`).

The language is `?lang=zh|en`, remembered in the `lang` cookie; Chinese otherwise.
"""

from __future__ import annotations

import functools
import hashlib
import time
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from api.deps import SettingsDep
from api.errors import error_problem
from api.routes.documents import public_base
from catalog.errors import DataRefused
from catalog.metadata import (
    ACCESS_LEVELS,
    FIELD_TYPES,
    FREQUENCIES,
    PERIOD_TYPE_LABELS,
    THEMES,
    TIERS,
    UNIT_LABELS,
    label,
)
from catalog.settings import Settings
from catalog.store import Package
from web import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    STATIC,
    TEMPLATES,
    PageData,
    human_size,
    interface_text,
    markdown_html,
)

if TYPE_CHECKING:
    from jinja2 import Environment

# RFC 3986 `pchar` and `/`: what a path keeps as it is.
PATH_SAFE = "/:@!$&'()*+,;=-._~"
STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}
COOKIE_AGE = 365 * 24 * 3600


@functools.cache
def _templates() -> Environment:
    """The page templates, read at the first page drawn: Jinja (21 modules) is not in the
    memory of a server that has drawn no page (an API replica's, say)."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "xml"]),
        trim_blocks=True,
        lstrip_blocks=True,
        # The templates read the descriptor model, where a property the descriptor leaves out
        # is None: it shows as nothing, as the missing key of the document it was parsed from.
        finalize=lambda value: "" if value is None else value,
    )
    environment.filters["size"] = human_size
    environment.filters["markdown"] = lambda text: Markup(markdown_html(str(text or "")))
    return environment


def _static_versions() -> dict[str, str]:
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        for path in STATIC.iterdir()
        if path.suffix in STATIC_TYPES
    }


STATIC_VERSIONS = _static_versions()


async def get_pages(request: Request) -> PageData:
    state = request.app.state
    if getattr(state, "pages", None) is None:
        state.pages = PageData(state.store, state.engine)
    pages: PageData = state.pages
    return pages


PagesDep = Annotated[PageData, Depends(get_pages)]


def language(request: Request) -> str:
    asked = request.query_params.get("lang") or request.cookies.get("lang") or ""
    return asked if asked in LANGUAGES else DEFAULT_LANGUAGE


class View:
    """What every template gets: the language, its strings, links and label lookups."""

    def __init__(self, request: Request, settings: Settings) -> None:
        self.request = request
        self.lang = language(request)
        self.t = interface_text(self.lang)
        self.base = public_base(request, settings)
        self.settings = settings
        self.started = time.perf_counter()
        self.organizations: dict[str, str] = {}

    def pick(self, zh: Any, en: Any) -> Any:
        """The English value on English pages when there is one, else the Chinese."""
        return en if self.lang == "en" and en else zh

    def title_of(self, package: Package) -> str:
        return str(self.pick(package.title, package.title_en) or "")

    def theme(self, code: str) -> str:
        return label(THEMES, code, self.lang)

    def frequency(self, code: str) -> str:
        return label(FREQUENCIES, code, self.lang)

    def access(self, code: str) -> str:
        return label(ACCESS_LEVELS, code, self.lang)

    def period_type(self, code: str) -> str:
        return label(PERIOD_TYPE_LABELS, code, self.lang)

    def unit(self, code: str) -> str:
        return label(UNIT_LABELS, code, self.lang)

    def tier(self, code: str) -> str:
        return label(TIERS, code, self.lang)

    def field_type(self, code: str) -> str:
        return label(FIELD_TYPES, code, self.lang)

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
        return f"{self.path()}?{urlencode([*kept, ('lang', other)])}"

    def absolute(self, path: str) -> str:
        return f"{self.base}{path}"

    def path(self) -> str:
        """The path asked for, percent-encoded as a URL needs it: a 404 page's links repeat
        whatever was asked (`%00`, `%1B[31m`), and no raw control character may reach them."""
        return quote(self.request.url.path, safe=PATH_SAFE)

    def here(self) -> str:
        """This page's absolute URL: its canonical link, og:url and hreflang alternates."""
        return self.absolute(self.path())

    def static(self, name: str) -> str:
        return f"/static/{name}?v={STATIC_VERSIONS.get(name, '0')}"

    def page(self, template: str, **context: Any) -> str:
        return _templates().get_template(template).render(v=self, t=self.t, **context)

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
        if asked in LANGUAGES:
            response.set_cookie("lang", asked, max_age=COOKIE_AGE, samesite="lax")
        return response


async def get_view(request: Request, settings: SettingsDep) -> View:
    return View(request, settings)


ViewDep = Annotated[View, Depends(get_view)]


def not_found(view: View) -> HTMLResponse:
    return view.render("404.html", status=404)


# Where the CKAN and SDMX wires answer their own refusals: never an HTML page there.
OWN_ERRORS = ("/api/3/", "/api/action/", "/sdmx", "/datastore/")


async def data_refused(request: Request, exc: Exception) -> Response:
    """A conditional dataset's data refused: the HTML page for a browser that asked for a
    page (a download link followed), else the problem body every API client reads."""
    assert isinstance(exc, DataRefused)
    accept = request.headers.get("accept", "")
    if "text/html" in accept and not request.url.path.startswith(OWN_ERRORS):
        view = View(request, request.app.state.settings)
        package = request.app.state.index.packages().get(exc.dataset)
        title = (view.title_of(package) if package else "") or exc.dataset
        return view.render(
            "403.html", status=403, dataset=exc.dataset, title=title, apply=exc.apply
        )
    return error_problem(request, exc)
