"""Rows and aggregates of one resource: `/api/v1/datasets/{slug}/resources/{resource}/...`.

Every query parameter that is not one of the endpoint's own names is a column filter
(`col=v`, `col__gt=v`, ... see `catalog.sql.filters`); a filter on an unknown column is a 400.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from api.deps import EngineDep, SettingsDep
from api.openapi import (
    REFUSED,
    RESOURCE,
    SLUG,
    UNKNOWN,
    VERSION,
    Resource,
    Slug,
    cached,
    example,
    json_example,
    problem_responses,
    responses,
)
from api.render import json_with_rows
from catalog.query import (
    DEFAULT_LIMIT,
    MAX_GROUPS,
    MAX_ROWS_LIMIT,
    AggregateRequest,
    Mode,
    RowsRequest,
)

router = APIRouter(prefix="/api/v1/datasets/{slug}/resources/{resource}", tags=["rows"])

ROWS_PARAMETERS = frozenset({"sort", "fields", "limit", "offset", "next", "version", "total"})
AGGREGATE_PARAMETERS = frozenset(
    {"group_by", "count", "sum", "avg", "min", "max", "sort", "limit", "version"}
)
FILTERS_HELP = (
    "Any other parameter filters by a column: `col=v`, `col__gt`, `col__gte`, `col__lt`, "
    "`col__lte`, `col__ne`, `col__in=a,b`, `col__contains`, `col__startswith`, "
    "`col__isnull=true|false`; values are read as the column's Table Schema type. A column "
    "named like one of this endpoint's own parameters (a table's `total`, `sort` or `limit`) "
    "is filtered as `col__eq=v`."
)

Limit = Annotated[
    int,
    Query(
        ge=0,
        le=MAX_ROWS_LIMIT,
        description=f"Rows per page, at most {MAX_ROWS_LIMIT}; 0 for the fields and the total"
        " alone.",
        openapi_examples=example(100),
    ),
]
Sort = Annotated[
    str | None,
    Query(
        description="Columns to sort by, `-` for descending: `year,-workers`.",
        openapi_examples=example("-year"),
    ),
]
Version = Annotated[
    str | None,
    Query(
        description="A published version to read instead of the current one.",
        openapi_examples=example(VERSION),
    ),
]
# The example column of the /aggregate measures.
MEASURED = "monthly_wage"


class RowsPage(BaseModel):
    """A page of rows; `next` resumes after its last row."""

    dataset: str = Field(examples=["wages"])
    resource: str = Field(examples=["wages"])
    version: str = Field(examples=["20260101T000000Z-0123456789"])
    fields: list[dict[str, Any]] = Field(examples=[[{"name": "year", "type": "integer"}]])
    total: int | None = Field(
        description="Matching rows; an estimate when total_exact is false, null for total=none."
    )
    total_exact: bool
    next: str | None = Field(description="Opaque cursor of the next page; null on the last.")
    next_url: str | None = Field(description="The next page's URL, also in the `Link` header.")
    rows: list[dict[str, Any]] = Field(examples=[[{"year": 2021, "avg_wage": 88000.5}]])


class AggregateTable(BaseModel):
    """Groups with their measures: every group up to `limit` (by default and at most
    10,000); `truncated` when more exist."""

    dataset: str
    resource: str
    version: str
    fields: list[dict[str, Any]] = Field(examples=[[{"name": "sum_workers", "type": "integer"}]])
    truncated: bool
    rows: list[dict[str, Any]] = Field(examples=[[{"year": 2021, "sum_workers": 1700}]])


def filter_params(request: Request, reserved: frozenset[str]) -> list[tuple[str, str]]:
    return [(k, v) for k, v in request.query_params.multi_items() if k not in reserved]


def next_url(base_url: str, request: Request, cursor: str) -> str:
    kept = [(k, v) for k, v in request.query_params.multi_items() if k not in ("next", "offset")]
    query = urlencode([*kept, ("next", cursor)])
    return f"{base_url.rstrip('/')}{request.url.path}?{query}"


@router.get(
    "/rows",
    summary="Rows of a resource, filtered, sorted and paged",
    response_model=None,
    responses=responses(
        {200: {"model": RowsPage}},
        json_example(
            {
                "dataset": SLUG,
                "resource": RESOURCE,
                "version": VERSION,
                "fields": [
                    {"name": "region_code", "type": "string"},
                    {"name": "tier", "type": "integer"},
                ],
                "total": 88,
                "total_exact": True,
                "next": None,
                "next_url": None,
                "rows": [{"region_code": "520100", "tier": 1}],
            }
        ),
        cached(200),
        problem_responses(*REFUSED, *UNKNOWN, 504),
    ),
    description=FILTERS_HELP,
)
def rows(
    slug: Slug,
    resource: Resource,
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    sort: Sort = None,
    fields: Annotated[
        str | None,
        Query(
            description="Columns to return, comma-separated; all by default.",
            openapi_examples=example("region_code,tier,monthly_wage"),
        ),
    ] = None,
    limit: Limit = DEFAULT_LIMIT,
    offset: Annotated[
        int,
        Query(
            ge=0,
            description=(
                "Rows to skip, at any depth: in the file's own order (or sorted by a column"
                " its row groups are stored by) the page is located from the Parquet footer;"
                " in another order the row before the page is found by its sort keys alone."
                " `next` is the cheapest way to walk every page."
            ),
            openapi_examples=example(0),
        ),
    ] = 0,
    cursor: Annotated[
        str | None,
        Query(
            alias="next",
            description="The `next` cursor of the previous page.",
            openapi_examples=example(
                "eyJ2IjoiMjAyNjAxMDFUMDkwMDAwWiIsInMiOiJ5ZWFyIiwiayI6WyIyMDIxIl19"
            ),
        ),
    ] = None,
    version: Version = None,
    total: Annotated[
        Mode,
        Query(
            description=(
                "How to count the matching rows. `auto`: exactly when at most "
                "`OPENDATA_EXACT_TOTAL_ROWS` rows need scanning (row groups the Parquet "
                "statistics decide are counted from the footer), estimated past that; "
                "`exact`: always count; "
                "`estimate`: from a sample of spread runs of rows; `none`: no total. "
                "Unfiltered totals, and a first page holding every match, are always exact; "
                "`next` carries the first page's total to the pages after it."
            ),
        ),
    ] = "auto",
) -> Response:
    asked = RowsRequest(
        filters=filter_params(request, ROWS_PARAMETERS),
        sort=sort,
        fields=fields,
        limit=limit,
        offset=offset,
        cursor=cursor,
        version=version,
        total=total,
    )
    page = engine.rows(slug, resource, asked)
    following = next_url(settings.base_url, request, page.next) if page.next else None
    head = {
        "dataset": page.dataset,
        "resource": page.resource,
        "version": page.version,
        "fields": page.fields,
        "total": page.total,
        "total_exact": page.total_exact,
        "next": page.next,
        "next_url": following,
    }
    headers = {"Link": f'<{following}>; rel="next"'} if following else {}
    return json_with_rows(head, page.rows, headers=headers)


def _names(description: str, value: str, alias: str | None = None) -> Any:
    return Query(alias=alias, description=description, openapi_examples=example(value))


@router.get(
    "/aggregate",
    summary="Group and aggregate a resource",
    response_model=None,
    responses=responses(
        {200: {"model": AggregateTable}},
        json_example(
            {
                "dataset": SLUG,
                "resource": RESOURCE,
                "version": VERSION,
                "fields": [
                    {"name": "tier", "type": "integer"},
                    {"name": "count", "type": "integer"},
                ],
                "truncated": False,
                "rows": [{"tier": 1, "count": 30}],
            }
        ),
        cached(200),
        problem_responses(*REFUSED, *UNKNOWN, 504),
    ),
    description="`?group_by=year,region_code&sum=workers&count=*&avg=avg_wage`: outputs are "
    "named `<function>_<column>` (`count` for `count=*`); `sort` orders the groups. "
    + FILTERS_HELP,
)
def aggregate(
    slug: Slug,
    resource: Resource,
    request: Request,
    engine: EngineDep,
    group_by: Annotated[str | None, _names("Columns to group by, comma-separated.", "year")] = None,
    count: Annotated[
        str | None, _names("`*` to count rows, or columns to count values.", "*")
    ] = None,
    sums: Annotated[str | None, _names("Numeric columns to sum.", "workers", "sum")] = None,
    avgs: Annotated[str | None, _names("Numeric columns to average.", MEASURED, "avg")] = None,
    mins: Annotated[str | None, _names("Columns to take the least of.", MEASURED, "min")] = None,
    maxs: Annotated[str | None, _names("Columns to take the most of.", MEASURED, "max")] = None,
    sort: Sort = None,
    limit: Annotated[
        int,
        Query(
            ge=1,
            le=MAX_GROUPS,
            description=f"Groups to return: every group by default, at most {MAX_GROUPS:,};"
            " `truncated` says when more exist.",
            openapi_examples=example(MAX_GROUPS),
        ),
    ] = MAX_GROUPS,
    version: Version = None,
) -> Response:
    given = {"count": count, "sum": sums, "avg": avgs, "min": mins, "max": maxs}
    asked = AggregateRequest(
        filters=filter_params(request, AGGREGATE_PARAMETERS),
        group_by=group_by,
        measures={name: value for name, value in given.items() if value},
        sort=sort,
        limit=limit,
        version=version,
    )
    table = engine.aggregate(slug, resource, asked)
    head = {
        "dataset": table.dataset,
        "resource": table.resource,
        "version": table.version,
        "fields": table.fields,
        "truncated": table.truncated,
    }
    return json_with_rows(head, table.rows)
