"""/api/v1/series: one indicator in one region across every dataset that prints it."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from typing_extensions import TypedDict

from api.deps import IndexDep, SeriesDep, SettingsDep
from api.openapi import (
    REFUSED,
    UNKNOWN,
    cached,
    example,
    json_example,
    problem_responses,
    responses,
)
from api.routes.documents import catalogue_info
from catalog.errors import BadRequest, OpenDataError
from catalog.metadata import SeriesCited, cite, cite_series
from catalog.search import CatalogueIndex, Named
from catalog.series import FIGURE_FIELDS, Series, figure_rows, point_record
from catalog.store import Package

router = APIRouter(prefix="/api/v1", tags=["series"])

Code = Annotated[str, Query(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")]
Year = Annotated[int | None, Query(ge=1, le=9999)]


class CodeName(TypedDict):
    code: str
    name_zh: str
    name_en: str


class Printing(TypedDict):
    """A dataset the series was read from, at the version read (its current one then)."""

    name: str
    title: str | None
    title_en: str | None
    version: str
    url: str  # that version's descriptor: /api/v1/datasets/{name}/versions/{version}
    page: str  # the dataset's page


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


def series_path(indicator: str, region: str) -> str:
    return f"/series/{quote(indicator)}/{quote(region)}"


def series_answer(series: Series, request: Request, settings: SettingsDep, index: IndexDep,
                  note: str | None) -> dict[str, Any]:  # fmt: skip
    """The JSON of a series: names, the datasets (and versions) it was read from, one record
    per period, and how to cite it."""
    base = catalogue_info(request, settings).base_url
    packages = index.packages()
    printing = [
        Printing(
            name=slug,
            title=packages[slug].title if slug in packages else None,
            title_en=packages[slug].title_en if slug in packages else None,
            version=version,
            url=f"{base}/api/v1/datasets/{quote(slug)}/versions/{quote(version)}",
            page=f"{base}/dataset/{quote(slug)}",
        )
        for slug, version in series.datasets
    ]
    return {
        "indicator": code_name(series.indicator),
        "region": code_name(series.region),
        "count": len(series.points),
        "note": note,
        "datasets": printing,
        "points": [point_record(point) for point in series.points],
        "citation": series_citation(series, request, settings, index),
    }


def series_citation(
    series: Series, request: Request, settings: SettingsDep, index: CatalogueIndex
) -> dict[str, Any]:
    """How to cite the series (GB/T 7714 and APA), and each dataset it was read from."""
    info = catalogue_info(request, settings)
    url = info.base_url + series_path(series.indicator.code, series.region.code)
    read = _read_packages(series, index)
    today = datetime.now(UTC).date()
    ind, reg = series.indicator, series.region
    cited = SeriesCited(
        f"{ind.name_zh or ind.code}·{reg.name_zh or reg.code}",
        f"{ind.name_en or ind.name_zh or ind.code}, {reg.name_en or reg.name_zh or reg.code}",
        url,
        read,
    )
    whole = cite_series(cited, today, info.publisher, info.publisher_en)
    datasets = []
    for package in read:
        one = cite(package, f"{info.base_url}/dataset/{quote(package.name)}", today,
                   info.publisher_en)  # fmt: skip
        datasets.append({"name": package.name, "version": package.version,
                         "gbt7714": one.gbt7714, "apa": one.apa})  # fmt: skip
    return {"url": url, "accessed": today.isoformat(), "gbt7714": whole.gbt7714,
            "apa": whole.apa, "datasets": datasets}  # fmt: skip


def _read_packages(series: Series, index: CatalogueIndex) -> list[Package]:
    """The descriptor of each dataset at the version the series was read from."""
    packages = index.packages()
    read = []
    for slug, version in series.datasets:
        package = packages.get(slug)
        if package is not None and package.version == version:
            read.append(package)
        else:  # republished since: cite the version read
            try:
                read.append(index.store.package(slug, version))
            except OpenDataError:
                continue
    return read


def series_csv(series: Series) -> bytes:
    """Every printed figure of the series, preferred first in each period, as UTF-8 CSV."""
    out = io.StringIO()
    writer = csv.DictWriter(out, FIGURE_FIELDS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(figure_rows(series))
    return out.getvalue().encode("utf-8")


FROM = (
    "First year of the range. A period is kept when it overlaps the years from–to (as SDMX"
    " startPeriod/endPeriod): `2012..2016` is kept by from=2016, `2020-YTD` by to=2020."
)
TO = "Last year of the range (see from)."
FORMAT = "json, or csv: one line per printed figure (columns in the description)."
DESCRIPTION = (
    """The preferred figure of each period (the preference rule of the curated
datasets, applied across every table that prints the series) and every other figure printed
for it, with its source, its datasets and why it was not preferred. Periods of different types
(annual, year_end, month_end …) are separate points.

**Versions**: a series is read from each dataset's current version; `datasets` names each
version read, with its URL. There is no `version=` parameter (a past version is read whole
from `/api/v1/datasets/{slug}/versions/{version}`), and any parameter this route does not read
is refused with 400, naming it.

**Range**: `from`/`to` keep the periods that overlap the years from–to (the meaning of SDMX
startPeriod/endPeriod). An answer with no period in the range has `count` 0, no `points`, no
`datasets`, and a `note` saying so.

**Values**: `value_text` is the exact figure with its printed precision (always present; empty
only when the page was unreadable); `value` is the same as a JSON number, which may round very
large or very precise figures.

**Latest** (in search answers and on the page): the point whose period ends last; on the same
last day a period with a known end beats a year-to-date figure, then the period type listed
first (annual, year_end, cumulative, year_to_date, half_year, quarter, month_end, target,
multi_year, point_in_time); a planned figure (`target`) is latest only when there is nothing
else.

**Citation**: `citation` gives GB/T 7714 and APA texts naming the series, its page, the date
read and every dataset with its version.

A series whose every dataset was withdrawn answers 410.

`format=csv` gives one line per printed figure, preferred first in each period, with the
columns """
    + ", ".join(FIGURE_FIELDS)
    + "."
)


@router.get(
    "/series",
    description=DESCRIPTION,
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
                "note": None,
                "datasets": [
                    {
                        "name": "guizhou-hrss-indicators",
                        "version": "20261201T0000Z",
                        "url": "https://data.example.cn/api/v1/datasets/guizhou-hrss-indicators/versions/20261201T0000Z",
                    }
                ],
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
    request: Request,
    series: SeriesDep,
    index: IndexDep,
    settings: SettingsDep,
    indicator: Annotated[Code, Query(openapi_examples=example("avg_wage_urban_nonprivate"))],
    region: Annotated[Code, Query(openapi_examples=example("520000"))],
    start: Annotated[Year, Query(alias="from", description=FROM)] = None,
    end: Annotated[Year, Query(alias="to", description=TO)] = None,
    format: Annotated[Literal["json", "csv"], Query(description=FORMAT)] = "json",
) -> Response:
    refuse_unknown(request)
    if start is not None and end is not None and start > end:
        raise BadRequest(f"from ({start}) is after to ({end})")
    whole = series.series(indicator, region)
    found = whole.between(start, end)
    if format == "csv":
        name = f"{indicator}-{region}.csv"
        return Response(
            series_csv(found),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    note = None if found.points else nothing_between(whole, start, end)
    return JSONResponse(series_answer(found, request, settings, index, note))


PARAMETERS = frozenset({"indicator", "region", "from", "to", "format"})


def refuse_unknown(request: Request) -> None:
    """400 naming every parameter this route does not read: a typo (`frm=`) or a version pin
    must not be answered as if it had been applied."""
    unknown = sorted(set(request.query_params) - PARAMETERS)
    if not unknown:
        return
    message = f"unknown parameter(s): {', '.join(unknown)}; this route reads " + ", ".join(
        sorted(PARAMETERS)
    )
    if "version" in unknown:
        message += (
            ". A series is read from each dataset's current version, and the answer names"
            " it (datasets[].version, datasets[].url); a past version is read whole from"
            " /api/v1/datasets/{slug}/versions/{version}"
        )
    raise BadRequest(message)


def nothing_between(whole: Series, start: int | None, end: int | None) -> str:
    """What an empty answer says: no period overlaps the range, and the years that exist."""
    asked = f"{start or '…'}–{end or '…'}"
    if not whole.points:
        return f"no period of this series overlaps {asked}"
    first, last = min(p.year for p in whole.points), max(p.year for p in whole.points)
    return f"no period of this series overlaps {asked}; its periods run from {first} to {last}"
