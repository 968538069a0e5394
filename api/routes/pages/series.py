"""A series' page: one indicator in one region across the datasets that print it."""

from __future__ import annotations

import re
from urllib.parse import quote, urlencode

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from api.deps import IndexDep, SeriesDep
from api.routes.pages.view import ViewDep, not_found
from catalog.errors import NotFound
from catalog.series import point_record
from web import reason_text, series_chart

router = APIRouter(include_in_schema=False)

CODE = re.compile(r"[A-Za-z0-9_.\-]{1,64}")


@router.get("/series/{indicator}/{region}", response_class=HTMLResponse)
def series_page(
    indicator: str, region: str, view: ViewDep, series: SeriesDep, index: IndexDep
) -> HTMLResponse:
    if not (CODE.fullmatch(indicator) and CODE.fullmatch(region)):
        return not_found(view)
    try:
        found = series.series(indicator, region)
    except NotFound:
        return not_found(view)
    points = [point_record(point) for point in found.points]
    for record in points:
        for alternative in record["alternatives"]:
            alternative["reason"] = reason_text(alternative["reason"], view.lang)
    title = str(view.pick(found.indicator.name_zh, found.indicator.name_en) or indicator)
    packages = index.packages()
    titles = {slug: view.title_of(packages[slug]) for slug, _ in found.datasets if slug in packages}
    return view.render(
        "series.html",
        s=found,
        points=points,
        latest=points[-1] if points else None,
        chart=series_chart(found, title, view.period_type, view.lang),
        titles=titles,
        url=view.absolute(f"/series/{quote(indicator)}/{quote(region)}"),
        api="/api/v1/series?" + urlencode({"indicator": indicator, "region": region}),
    )
