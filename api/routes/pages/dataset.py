"""A dataset's page: metadata, resources, downloads, validation, history, a chart, a
citation, a preview of its rows; 410 with the tombstone once withdrawn."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import UTC, datetime
from functools import partial
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Response
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from api.deps import SeriesDep, SettingsDep, StoreDep
from api.routes.dcat import DatasetFormat
from api.routes.documents import catalogue_info, vary
from api.routes.pages.view import PagesDep, View, ViewDep, not_found
from api.routes.series import series_path
from catalog.errors import NotFound
from catalog.metadata import cite, dataset_jsonld
from catalog.search import covered_years
from catalog.series import SeriesCatalogue, researcher_order
from catalog.settings import Settings
from catalog.state import CONDITIONAL, reading_as
from catalog.store import DATASET, Package, Store
from web import PALETTE, PageData

router = APIRouter(include_in_schema=False)

SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@router.get("/dataset/{slug}", response_class=HTMLResponse)
def dataset(
    slug: str,
    view: ViewDep,
    store: StoreDep,
    pages: PagesDep,
    settings: SettingsDep,
    series: SeriesDep,
    rdf: DatasetFormat,
    chart: str = "",
) -> Response:
    if rdf is not None:  # `?format=ttl` or `Accept`: the DCAT document, as ckanext-dcat serves it
        return rdf
    response = _page(slug, view, store, pages, settings, series, chart)
    response.headers["Vary"] = vary(view.request, "Cookie", "Accept")  # `Accept` may ask for RDF
    return response


def _page(
    slug: str,
    view: View,
    store: Store,
    pages: PageData,
    settings: Settings,
    series: SeriesCatalogue,
    chart: str,
) -> Response:
    version = store.current(slug) if SLUG.fullmatch(slug) else None
    if version is None:
        return withdrawn(view, store, slug)
    make = partial(_dataset_page, slug, view, store, pages, settings, series, chart)
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
    slug: str,
    view: View,
    store: Store,
    pages: PageData,
    settings: Settings,
    series: SeriesCatalogue,
    chart: str,
) -> str:
    package = store.package(slug)
    if package.access_level == CONDITIONAL:
        return _conditional_page(view, pages, settings, package)
    own = [r for r in package.resources if r.embedded_from is None] or package.resources
    return view.page(
        "dataset.html",
        **_metadata(view, pages, settings, package),
        example=own[0] if own else None,
        downloads={r.name: pages.downloads(package, r) for r in package.resources},
        validation=pages.validation(slug, package.version or ""),
        chart=pages.chart(package, chart, view.lang),
        regions=pages.code_names(package, "regions", view.lang),
        preview=_preview_config(view, package),
        series=_series_links(series, slug, view),
    )


def _conditional_page(view: View, pages: PageData, settings: Settings, package: Package) -> str:
    """The page of a conditional dataset (有条件开放): its metadata, data dictionary,
    validation counts and history, and where to apply; nothing read from its data (no
    preview, chart, code names, flagged cells or computed download digests). The page is
    kept rendered for everyone, so it is made as nobody, whoever asks."""
    with reading_as(None):
        validation = pages.validation(package.name, package.version or "")
        return view.page(
            "dataset.html",
            **_metadata(view, pages, settings, package),
            example=None,
            downloads={
                r.name: pages.downloads(package, r, computed=False) for r in package.resources
            },
            validation=dataclasses.replace(validation, flagged=[]),  # flagged cells are data
            chart=None,
            regions={},
            preview="",
            series=([], 0),
            conditions=package.conditions(view.lang),
            apply=f"/dataset/{quote(package.name)}/apply",
        )


def _metadata(view: View, pages: PageData, settings: Settings, package: Package) -> dict[str, Any]:
    """What every dataset page shows from its descriptor and history, none of its data."""
    url = view.absolute(f"/dataset/{quote(package.name)}")
    info = catalogue_info(view.request, settings)
    jsonld = json.dumps(dataset_jsonld(info, package), ensure_ascii=False)
    publisher = view.pick(info.publisher, info.publisher_en)
    return {
        "d": package,
        "modified": package.modified(),
        "url": url,
        "jsonld": Markup(jsonld.replace("<", "\\u003c")),
        "resources": package.resources,
        "history": pages.history(package.name),
        "citation": cite(package, url, datetime.now(UTC).date(), publisher),
        "years": covered_years(package),
        "palette": PALETTE,
    }


SERIES_LINKED = 24  # series a dataset page links to; the rest are counted


def _series_links(
    series: SeriesCatalogue, slug: str, view: View
) -> tuple[list[tuple[str, str]], int]:
    """(page, name) of the first SERIES_LINKED series this dataset prints, in the order a
    researcher looks for them (`catalog.series.researcher_order`), and how many it prints
    (all of them are listed, paged, at /series?dataset=…)."""
    printed = researcher_order(
        p for p in series.printed().values() if any(t.slug == slug for t in p.tables)
    )
    names = series.index.names()
    links = []
    for one in printed[:SERIES_LINKED]:
        indicator = names.indicators.get(one.indicator)
        region = names.regions.get(one.region)
        label = (
            f"{view.pick(indicator.name_zh, indicator.name_en) if indicator else ''}"
            or one.indicator
        )
        place = f"{view.pick(region.name_zh, region.name_en) if region else ''}" or one.region
        links.append((series_path(one.indicator, one.region), f"{label} · {place}"))
    return links, len(printed)


def _preview_config(view: View, package: Package) -> str:
    """What the preview script needs: the rows URL, the tables and their fields, the words."""
    slug = package.name
    tables = [
        {
            "name": r.name,
            "title": view.pick(r.title, r.title_en) or r.name,
            "rows": r.rows,
            "fields": [
                {"name": f.name, "title": view.pick(f.title, f.title_en)}
                for f in (r.table_schema.fields if r.table_schema is not None else [])
            ],
        }
        for r in package.resources
    ]
    words = {k: view.t[k] for k in ("preview_status", "preview_empty", "preview_sort")}
    return json.dumps(
        {"api": f"/api/v1/datasets/{quote(slug)}/resources/", "tables": tables, "t": words},
        ensure_ascii=False,
    )
