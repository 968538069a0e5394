"""/api/v1/series: one indicator in one region across every dataset that prints it, or the
list of the series of an indicator, a region or a dataset."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from api.deps import IndexDep, SeriesDep, SettingsDep
from api.openapi import REFUSED, UNKNOWN, cached, example, problem_responses
from api.openapi import responses as documented
from api.routes.series.answers import (
    code_name,
    listed_summary,
    series_answer,
    series_csv,
)
from catalog.errors import BadRequest, NotFound
from catalog.series import FIGURE_FIELDS, SUGGESTED, Series, SeriesCatalogue

router = APIRouter(prefix="/api/v1", tags=["series"])

CODE = r"^[A-Za-z0-9_.\-]+$"
Year = Annotated[int | None, Query(ge=1, le=9999)]
LISTED = 50  # series a list answers by default
MAX_LISTED = 100  # and at most: each listed series is read for its latest figure
MAX_OFFSET = 1_000_000

INDICATOR = (
    "Indicator code (the `indicator_code` of the indicator datasets, e.g."
    " `avg_wage_urban_nonprivate`, `registered_unemployment_rate`; the list is the dataset"
    " `indicator-codes`). With `region`: that one series. Alone: the list of its series, one"
    " per region."
)
REGION = (
    "Region code, GB/T 2260 (`000000` the nation, `520000` Guizhou, `520100` Guiyang). With"
    " `indicator`: that one series. Alone: the list of the indicators printed for the region."
)
DATASET = "Dataset slug: lists the series the dataset prints (not with both indicator and region)."
FROM = (
    "First year of the range. A period is kept when it overlaps the years from–to (as SDMX"
    " startPeriod/endPeriod): `2012..2016` is kept by from=2016, `2020-YTD` by to=2020."
    " One series only."
)
TO = "Last year of the range (see from). One series only."
FORMAT = (
    "json, or csv (one series only): one line per value printed for a period — agreeing copies"
    " of a value are one line, their other sources in `also_source_ids` (columns in the"
    " description)."
)
LIMIT = f"Series per page of a list (1–{MAX_LISTED}; default {LISTED})."
OFFSET = "Series of the list to skip (the `next` link carries it)."
PARAMETERS = frozenset(
    {"indicator", "region", "dataset", "from", "to", "format", "limit", "offset"}
)  # fmt: skip
NUMBERS = frozenset({"from", "to", "limit", "offset"})
PLAIN_NUMBER = re.compile(r"[0-9]{1,12}")
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

**Lists**: with only `indicator`, only `region` or only `dataset` (or `dataset` with one of
them), the answer lists the series that match, in code order (indicator, then region), paged
by `limit` (at most %d) and `offset`: `total`, `limit`, `offset`, `next` (the URL of the next
page, null on the last) and `series`, each with its indicator and region (code, names), the
number of periods, the latest preferred figure, the datasets that print it, and the URLs of its
answer and page. An indicator or region that no dataset prints is 404, naming up to %d valid
codes nearest to it (a code or name it begins or contains, then by edit distance).
`from`, `to` and `format=csv` are refused in a list (they read one series).

`format=csv` gives one line per value printed for a period, preferred first: figures printing
the same value in the same unit are one line (the copy of the best source stands for them;
the other sources are in `also_source_ids`, their datasets in `datasets`), with the columns """
    + ", ".join(FIGURE_FIELDS)
    + "."
) % (MAX_LISTED, SUGGESTED)


LIST_EXAMPLE = {
    "indicator": {"code": "avg_wage_urban_nonprivate", "name_zh": "城镇非私营单位平均工资",
                  "name_en": "Average wage (urban non-private units)"},
    "region": None,
    "dataset": None,
    "total": 40,
    "limit": 2,
    "offset": 0,
    "next": "/api/v1/series?indicator=avg_wage_urban_nonprivate&limit=2&offset=2",
    "series": [
        {
            "indicator": {"code": "avg_wage_urban_nonprivate", "name_zh": "…", "name_en": "…"},
            "region": {"code": "000000", "name_zh": "全国", "name_en": "National"},
            "periods": 14,
            "latest": {"period": "2021", "period_type": "annual", "value": 106837,
                       "value_text": "106837", "unit": "元", "source_id": "S001"},
            "url": "/api/v1/series?indicator=avg_wage_urban_nonprivate&region=000000",
            "page": "/series/avg_wage_urban_nonprivate/000000",
            "datasets": ["national-hrss-bulletin"],
        }
    ],
}  # fmt: skip
ONE_EXAMPLE = {
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


@router.get(
    "/series",
    description=DESCRIPTION,
    summary="One indicator in one region across every dataset that prints it; or a list of series",
    response_model=None,
    responses=documented(
        {
            200: {
                "content": {
                    "application/json": {
                        "examples": {
                            "series": {
                                "summary": "indicator and region: one series",
                                "value": ONE_EXAMPLE,
                            },
                            "list": {
                                "summary": "indicator, region or dataset alone",
                                "value": LIST_EXAMPLE,
                            },
                        }
                    }
                }
            }
        },
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
    indicator: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=64,
            pattern=CODE,
            description=INDICATOR,
            openapi_examples=example("avg_wage_urban_nonprivate"),
        ),
    ] = None,
    region: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=64,
            pattern=CODE,
            description=REGION,
            openapi_examples=example("520000"),
        ),
    ] = None,
    dataset: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=100,
            pattern=r"^[A-Za-z0-9][A-Za-z0-9._\-]*$",
            description=DATASET,
            openapi_examples=example("guizhou-hrss-indicators"),
        ),
    ] = None,
    start: Annotated[Year, Query(alias="from", description=FROM)] = None,
    end: Annotated[Year, Query(alias="to", description=TO)] = None,
    format: Annotated[Literal["json", "csv"], Query(description=FORMAT)] = "json",
    limit: Annotated[int, Query(ge=1, le=MAX_LISTED, description=LIMIT)] = LISTED,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description=OFFSET)] = 0,
) -> Response:
    refuse_unknown(request)
    refuse_ambiguous(request)
    if indicator is None or region is None:
        refuse_in_list(request)
        found = series.selected(indicator, region, dataset)
        return JSONResponse(
            list_answer(series, found, (indicator, region, dataset), limit, offset, index)
        )
    if {"dataset", "limit", "offset"} & set(request.query_params):
        raise BadRequest("dataset, limit and offset page a list: leave out indicator or region")
    if start is not None and end is not None and start > end:
        raise BadRequest(f"from ({start}) is after to ({end})")
    whole = series.series(indicator, region)
    found_series = whole.between(start, end)
    if format == "csv":
        name = f"{indicator}-{region}.csv"
        return Response(
            series_csv(found_series),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    note = None if found_series.points else nothing_between(whole, start, end)
    return JSONResponse(series_answer(found_series, request, settings, index, note))


def refuse_in_list(request: Request) -> None:
    """400 for what reads one series only, and for a list of nothing in particular."""
    asked = request.query_params
    if not {"indicator", "region", "dataset"} & set(asked):
        raise BadRequest("give indicator, region or dataset (indicator and region: one series)")
    one_only = sorted(p for p in ("from", "to") if p in asked)
    if asked.get("format") == "csv":
        one_only.append("format=csv")
    if one_only:
        raise BadRequest(
            f"{', '.join(one_only)} read(s) one series: give both indicator and region"
        )


def list_answer(
    catalogue: SeriesCatalogue,
    found: list[Any],
    asked: tuple[str | None, str | None, str | None],
    limit: int,
    offset: int,
    index: IndexDep,
) -> dict[str, Any]:
    """One page of a list of series, each read for its latest figure."""
    indicator, region, dataset = asked
    page = []
    for printed in found[offset : offset + limit]:
        try:
            page.append(listed_summary(catalogue.series(printed.indicator, printed.region)))
        except NotFound:  # withdrawn since the list was read
            continue
    names = index.names()
    more = offset + limit < len(found)
    kept = {k: v for k, v in (("indicator", indicator), ("region", region), ("dataset", dataset))
            if v is not None}  # fmt: skip
    return {
        "indicator": _named(names.indicators, indicator),
        "region": _named(names.regions, region),
        "dataset": dataset,
        "total": len(found),
        "limit": limit,
        "offset": offset,
        "next": "/api/v1/series?" + urlencode({**kept, "limit": limit, "offset": offset + limit})
        if more
        else None,
        "series": page,
    }


def _named(names: Any, code: str | None) -> Any:
    if code is None:
        return None
    named = names.get(code)
    return code_name(named) if named is not None else {"code": code, "name_zh": "", "name_en": ""}


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


def refuse_ambiguous(request: Request) -> None:
    """400 for a parameter given twice (which one was meant?) or a number not written as
    plain digits (`from=2016.0`, `2_016`, `+2016`, full-width digits): read only as written."""
    for name in PARAMETERS:
        given = request.query_params.getlist(name)
        if len(given) > 1:
            raise BadRequest(f"{name} is given {len(given)} times; give it once")
        if given and name in NUMBERS and not PLAIN_NUMBER.fullmatch(given[0]):
            raise BadRequest(f"{name} must be written as plain digits 0-9, got {given[0]!r}")


def nothing_between(whole: Series, start: int | None, end: int | None) -> str:
    """What an empty answer says: no period overlaps the range, and the years that exist."""
    asked = f"{start or '…'}–{end or '…'}"
    if not whole.points:
        return f"no period of this series overlaps {asked}"
    first, last = min(p.year for p in whole.points), max(p.year for p in whole.points)
    return f"no period of this series overlaps {asked}; its periods run from {first} to {last}"
