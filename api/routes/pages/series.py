"""A series' page: one indicator in one region across the datasets that print it; 410 with
the tombstone when every dataset that printed it was withdrawn."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from api.deps import IndexDep, SeriesDep, SettingsDep, StoreDep
from api.routes.pages.view import View, ViewDep, not_found
from api.routes.series import series_citation, series_path
from catalog.errors import Gone, NotFound
from catalog.series import Series, SeriesCatalogue, point_record, researcher_order
from catalog.store import Store
from web import reason_text, series_chart, shown_figures

router = APIRouter(include_in_schema=False)

CODE = re.compile(r"[A-Za-z0-9_.\-]{1,64}")


LISTED = 100  # series per page of a list


@router.get("/series", response_class=HTMLResponse)
def series_list(
    view: ViewDep,
    series: SeriesDep,
    index: IndexDep,
    dataset: str = "",
    indicator: str = "",
    region: str = "",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> HTMLResponse:
    """Every series of a dataset (in the dataset page's order), of an indicator or of a
    region (in code order), LISTED to a page, with the latest preferred figure."""
    asked = {"dataset": dataset, "indicator": indicator, "region": region}
    if not any(asked.values()) or not all(CODE.fullmatch(v) for v in asked.values() if v):
        return not_found(view)
    try:
        found = series.selected(indicator or None, region or None, dataset or None)
    except NotFound:
        return not_found(view)
    if dataset:
        found = researcher_order(found)
    shown = []
    for printed in found[(page - 1) * LISTED : page * LISTED]:
        try:
            one = series.series(printed.indicator, printed.region)
        except NotFound:  # withdrawn since the list was read
            continue
        latest = one.latest
        record = shown_figures(point_record(latest)) if latest is not None else None
        shown.append((one, series_path(printed.indicator, printed.region), record))
    packages = index.packages()
    query = {k: v for k, v in asked.items() if v}
    return view.render(
        "series_list.html",
        listed=shown,
        total=len(found),
        page=page,
        pages=max(1, -(-len(found) // LISTED)),
        first=(page - 1) * LISTED + 1,
        link=lambda number: "/series?" + urlencode({**query, "page": number}),
        dataset=view.title_of(packages[dataset]) if dataset in packages else dataset,
        names=index.names(),
        asked=asked,
        api="/api/v1/series?" + urlencode(query),
    )


@router.get("/series/{indicator}/{region}", response_class=HTMLResponse)
def series_page(
    indicator: str,
    region: str,
    view: ViewDep,
    series: SeriesDep,
    index: IndexDep,
    settings: SettingsDep,
    store: StoreDep,
) -> HTMLResponse:
    if not (CODE.fullmatch(indicator) and CODE.fullmatch(region)):
        return not_found(view)
    try:
        found = series.series(indicator, region)
    except Gone:
        return withdrawn(view, series, store, indicator, region)
    except NotFound:
        return not_found(view)
    points = [shown_figures(point_record(point)) for point in found.points]
    for record in points:
        for alternative in record["alternatives"]:
            alternative["reason"] = reason_text(alternative["reason"], view.lang)
    title = str(view.pick(found.indicator.name_zh, found.indicator.name_en) or indicator)
    packages = index.packages()
    titles = {slug: view.title_of(packages[slug]) for slug, _ in found.datasets if slug in packages}
    latest = found.latest
    return view.render(
        "series.html",
        s=found,
        points=points,
        latest=shown_figures(point_record(latest)) if latest is not None else None,
        chart=series_chart(found, title, view.period_type, view.lang),
        titles=titles,
        url=view.absolute(series_path(indicator, region)),
        api="/api/v1/series?" + urlencode({"indicator": indicator, "region": region}),
        example=example_range(found),
        citation=series_citation(found, view.request, settings, index, datetime.now(UTC).date()),
    )


def example_range(found: Series) -> str:
    """`&from=…&to=…` for the page's curl example: the series' own last years (up to five),
    so that the example answers figures whatever years the series has."""
    years = sorted({p.year for p in found.points})
    if not years:
        return ""
    return "&" + urlencode({"from": years[max(0, len(years) - 5)], "to": years[-1]})


def withdrawn(
    view: View, series: SeriesCatalogue, store: Store, indicator: str, region: str
) -> HTMLResponse:
    """410 with the latest withdrawal among the datasets that printed the series."""
    taken = [store.withdrawal(slug) for slug in series.withdrawn_by(indicator, region)]
    last = max((w for w in taken if w is not None), key=lambda w: w.withdrawn, default=None)
    if last is None:  # served again since
        return not_found(view)
    return view.render("410.html", status=410, withdrawal=last)
