"""/api/v1/series: one indicator in one region across every dataset that prints it."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any, Literal
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response
from typing_extensions import TypedDict

from api.deps import IndexDep, SeriesDep
from api.openapi import (
    REFUSED,
    UNKNOWN,
    cached,
    example,
    json_example,
    problem_responses,
    responses,
)
from catalog.errors import BadRequest
from catalog.search import Named
from catalog.series import FIGURE_FIELDS, Series, figure_rows, point_record

router = APIRouter(prefix="/api/v1", tags=["series"])

Code = Annotated[str, Query(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")]
Year = Annotated[int | None, Query(ge=1, le=9999)]


class CodeName(TypedDict):
    code: str
    name_zh: str
    name_en: str


class Printing(TypedDict):
    name: str
    title: str | None
    title_en: str | None
    version: str


class Latest(TypedDict):
    period: str
    period_type: str
    value: float | None
    value_text: str
    unit: str
    source_id: str


class SeriesSummary(TypedDict):
    """A series a search found: its names, its latest preferred figure, where to read it."""

    indicator: CodeName
    region: CodeName
    periods: int
    latest: Latest | None
    url: str  # /api/v1/series
    page: str  # the web page


SERIES_FOUND = 5  # series a search answer lists beside the datasets


def series_summary(series: Series) -> SeriesSummary:
    latest = series.latest
    record = point_record(latest) if latest is not None else None
    codes = {"indicator": series.indicator.code, "region": series.region.code}
    return SeriesSummary(
        indicator=code_name(series.indicator),
        region=code_name(series.region),
        periods=len(series.points),
        latest=None
        if record is None
        else Latest(
            period=record["period"],
            period_type=record["period_type"],
            value=record["value"],
            value_text=record["value_text"],
            unit=record["unit"],
            source_id=record["source_id"],
        ),
        url="/api/v1/series?" + urlencode(codes),
        page=f"/series/{quote(series.indicator.code)}/{quote(series.region.code)}",
    )


def code_name(named: Named) -> CodeName:
    return CodeName(code=named.code, name_zh=named.name_zh, name_en=named.name_en)


def series_answer(series: Series, index: IndexDep) -> dict[str, Any]:
    """The JSON of a series: names, the datasets that print it, and one record per period."""
    packages = index.packages()
    printing = [
        Printing(
            name=slug,
            title=packages[slug].title if slug in packages else None,
            title_en=packages[slug].title_en if slug in packages else None,
            version=version,
        )
        for slug, version in series.datasets
    ]
    return {
        "indicator": code_name(series.indicator),
        "region": code_name(series.region),
        "count": len(series.points),
        "datasets": printing,
        "points": [point_record(point) for point in series.points],
    }


def series_csv(series: Series) -> bytes:
    """Every printed figure of the series, preferred first in each period, as UTF-8 CSV."""
    out = io.StringIO()
    writer = csv.DictWriter(out, FIGURE_FIELDS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(figure_rows(series))
    return out.getvalue().encode("utf-8")


@router.get(
    "/series",
    summary="One indicator in one region, across every dataset that prints it",
    response_model=None,
    responses=responses(
        json_example(
            {
                "indicator": {
                    "code": "avg_wage_urban_nonprivate",
                    "name_zh": "城镇非私营单位就业人员年平均工资",
                    "name_en": "Average annual wage of persons employed in urban non-private units",
                },
                "region": {"code": "520000", "name_zh": "贵州省", "name_en": "Guizhou"},
                "count": 1,
                "datasets": [{"name": "guizhou-hrss-indicators", "version": "20261201T0000Z"}],
                "points": [
                    {
                        "period_type": "annual",
                        "period": "2016",
                        "year": 2016,
                        "value": 66279,
                        "value_text": "66279",
                        "unit": "元",
                        "source_id": "S018",
                        "alternatives": [],
                    },
                ],
            }
        ),
        {200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},  # format=csv
        cached(200),
        problem_responses(*REFUSED, *UNKNOWN),
    ),
)
def show_series(
    series: SeriesDep,
    index: IndexDep,
    indicator: Annotated[Code, Query(openapi_examples=example("avg_wage_urban_nonprivate"))],
    region: Annotated[Code, Query(openapi_examples=example("520000"))],
    start: Annotated[Year, Query(alias="from", description="First year kept.")] = None,
    end: Annotated[Year, Query(alias="to", description="Last year kept.")] = None,
    format: Annotated[Literal["json", "csv"], Query(description="json or csv.")] = "json",
) -> Response:
    """The preferred figure of each period (the preference rule of the curated datasets,
    applied across every table that prints the series) and every other figure printed for
    it, with its source, its datasets and why it was not preferred. Periods of different
    types (annual, year_end, month_end …) are separate points. `format=csv` gives one line
    per printed figure."""
    if start is not None and end is not None and start > end:
        raise BadRequest(f"from ({start}) is after to ({end})")
    found = series.series(indicator, region).between(start, end)
    if format == "csv":
        name = f"{indicator}-{region}.csv"
        return Response(
            series_csv(found),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    return JSONResponse(series_answer(found, index))
