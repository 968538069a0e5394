"""The catalogue pages: the home page, the search with its facets, a publisher's and a
theme's datasets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from api.deps import IndexDep, SeriesDep
from api.routes.pages.view import PagesDep, View, ViewDep, not_found
from api.routes.series import SERIES_FOUND, series_summary
from catalog.metadata import THEMES
from catalog.search import FACETS, Matched
from catalog.series import SeriesCatalogue
from catalog.store import Package
from web import highlight, search_catalogue, snippet, terms

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class Heading:
    """What a publisher's or a theme's page says above its datasets (a publisher's page: its
    name and 统一社会信用代码 too)."""

    kind: str
    title: str
    organization: str = ""
    credit_code: str | None = None


PAGE_SIZE = 10
SEARCH_FACETS = (*FACETS, "year")


@router.get("/", response_class=HTMLResponse)
def home(view: ViewDep, index: IndexDep, pages: PagesDep) -> HTMLResponse:
    packages = index.packages()
    themes: dict[str, int] = dict.fromkeys(THEMES, 0)
    for package in packages.values():
        for theme in package.themes:
            themes[theme] = themes.get(theme, 0) + 1
    latest = sorted(packages.values(), key=Package.modified, reverse=True)[:6]
    return view.render(
        "home.html", themes=themes, recent=latest, headline=pages.headline(packages, view.lang)
    )


@router.get("/dataset", response_class=HTMLResponse)
def search(
    view: ViewDep,
    index: IndexDep,
    series: SeriesDep,
    q: str = "",
    sort: str = "",
    page: Annotated[int, Query(ge=1)] = 1,
    size: Annotated[int, Query(ge=1, le=100)] = PAGE_SIZE,
) -> HTMLResponse:
    return _search_page(view, index, q, sort, page, size, heading=None, series=series)


@router.get("/organization/{name}", response_class=HTMLResponse)
def organization(name: str, view: ViewDep, index: IndexDep) -> HTMLResponse:
    for package in index.packages().values():
        found = package.organization
        if found is not None and found.name == name:
            title = view.pick(found.title, found.title_en)
            kind = view.t["organization"]
            heading = Heading(kind, str(title or ""), found.name, found.credit_code)
            return _search_page(view, index, "", "", 1, 100, heading, {"organization": [name]})
    return not_found(view)


@router.get("/group/{theme}", response_class=HTMLResponse)
def group(theme: str, view: ViewDep, index: IndexDep) -> HTMLResponse:
    if theme not in THEMES:
        return not_found(view)
    heading = Heading(view.t["theme"], view.theme(theme))
    return _search_page(view, index, "", "", 1, 100, heading, {"theme": [theme]})


def _search_page(
    view: View,
    index: IndexDep,
    q: str,
    sort: str,
    page: int,
    size: int,
    heading: Heading | None,
    fixed: dict[str, list[str]] | None = None,
    series: SeriesCatalogue | None = None,
) -> HTMLResponse:
    params = view.request.query_params
    chosen = {name: params.getlist(name) for name in SEARCH_FACETS if params.getlist(name)}
    filters = {k: v for k, v in {**chosen, **(fixed or {})}.items() if k != "year"}
    result = search_catalogue(index, q, filters, chosen.get("year", []), sort, page, size)
    for package in index.packages().values():
        found = package.organization
        title = view.pick(found.title, found.title_en) if found is not None else None
        view.organizations[found.name if found is not None else ""] = str(title or "")
    words = terms(q)
    items = []
    for package in result.packages:
        text = view.pick(package.description, package.description_en)
        items.append(
            {
                "d": package,
                "title": Markup(highlight(view.title_of(package), words)),
                "snippet": Markup(highlight(snippet(str(text or ""), words), words)),
                "held": _held(view, result.matches.get(package.name)),
            }
        )
    # The series the words found (an indicator, a place), with their latest figure.
    shown = series.found_by(result.found, SERIES_FOUND) if series else []
    return view.render(
        "search.html",
        series=[series_summary(one) for one in shown],
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


def _held(view: View, matches: Matched | None) -> str:
    """The indicators and places of a result that the query found in its rows, named."""
    if matches is None:
        return ""
    codes = [*matches.indicators, *matches.regions][:HELD_SHOWN]
    return "、".join(str(view.pick(c.name_zh, c.name_en) or c.code) for c in codes)


HELD_SHOWN = 6  # names a result card lists; `/api/v1/datasets` gives them all
