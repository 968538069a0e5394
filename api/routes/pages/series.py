"""A series' page: one indicator in one region across the datasets that print it; 410 with
the tombstone when every dataset that printed it was withdrawn."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from api.deps import IndexDep, SeriesDep, SettingsDep, StoreDep
from api.routes.pages.view import View, ViewDep, not_found
from api.routes.series import series_citation, series_path
from catalog.errors import Gone, NotFound
from catalog.series import SeriesCatalogue, point_record
from catalog.store import Store
from web import reason_text, series_chart

router = APIRouter(include_in_schema=False)

CODE = re.compile(r"[A-Za-z0-9_.\-]{1,64}")


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
    points = [point_record(point) for point in found.points]
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
        latest=point_record(latest) if latest is not None else None,
        chart=series_chart(found, title, view.period_type, view.lang),
        titles=titles,
        url=view.absolute(series_path(indicator, region)),
        api="/api/v1/series?" + urlencode({"indicator": indicator, "region": region}),
        citation=series_citation(found, view.request, settings, index),
    )


def withdrawn(
    view: View, series: SeriesCatalogue, store: Store, indicator: str, region: str
) -> HTMLResponse:
    """410 with the latest withdrawal among the datasets that printed the series."""
    taken = [store.withdrawal(slug) for slug in series.withdrawn_by(indicator, region)]
    last = max((w for w in taken if w is not None), key=lambda w: w.withdrawn, default=None)
    if last is None:  # served again since
        return not_found(view)
    return view.render("410.html", status=410, withdrawal=last)
