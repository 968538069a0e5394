"""The aggregate endpoint: groups, measures, filters, sort, limit."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.querydata import wage_rows

pytestmark = pytest.mark.anyio
AGGREGATE = "/api/v1/datasets/wages-test/resources/wages/aggregate"
ALL = wage_rows(250)


async def test_rows_aggregate_groups_and_measures_match_python(api: httpx.AsyncClient) -> None:
    params = {"group_by": "region_code", "sum": "workers,avg_wage", "count": "*,workers"}
    response = await api.get(AGGREGATE, params={**params, "min": "published", "max": "year"})
    assert response.status_code == 200, response.text
    body = response.json(parse_float=Decimal)
    sums: dict[str, int] = defaultdict(int)
    wages: dict[str, Decimal] = defaultdict(Decimal)
    for row in ALL:
        sums[row["region_code"]] += row["workers"] or 0
        wages[row["region_code"]] += row["avg_wage"]
    first = body["rows"][0]
    assert first["region_code"] == "520000"
    assert first["sum_workers"] == sums["520000"]
    assert first["sum_avg_wage"] == wages["520000"]
    assert first["count"] == 50
    assert first["count_workers"] == sum(
        1 for r in ALL if r["region_code"] == "520000" and r["workers"] is not None
    )
    assert first["min_published"] == "2020-01-01"
    assert first["max_year"] == 1849
    assert [f["name"] for f in body["fields"]] == [
        "region_code",
        "count",
        "count_workers",
        "sum_workers",
        "sum_avg_wage",
        "min_published",
        "max_year",
    ]
    assert body["truncated"] is False and body["version"] == "v2"


async def test_rows_aggregate_filters_sorts_and_limits(api: httpx.AsyncClient) -> None:
    params: dict[str, Any] = {
        "group_by": "fiscal_year,audited",
        "avg": "ratio",
        "workers__isnull": "false",
        "sort": "-fiscal_year,audited",
        "limit": 4,
    }
    body = (await api.get(AGGREGATE, params=params)).json()
    assert [(r["fiscal_year"], r["audited"]) for r in body["rows"]] == [
        (2004, False),
        (2004, True),
        (2004, None),
        (2003, False),
    ]
    assert body["truncated"] is True
    ratios = [
        r["ratio"]
        for r in ALL
        if r["fiscal_year"] == 2004 and r["audited"] is False and r["workers"] is not None
    ]
    present = [x for x in ratios if x is not None]
    assert body["rows"][0]["avg_ratio"] == pytest.approx(sum(present) / len(present))


async def test_rows_aggregate_without_anything_counts_rows(api: httpx.AsyncClient) -> None:
    body = (await api.get(AGGREGATE, params={"region_code": "520100"})).json()
    assert body["rows"] == [{"count": 50}]


async def test_rows_aggregate_sorts_by_a_measure(api: httpx.AsyncClient) -> None:
    params = {"group_by": "region_code", "sum": "workers", "sort": "-sum_workers"}
    body = (await api.get(AGGREGATE, params=params)).json()
    totals = [r["sum_workers"] for r in body["rows"]]
    assert totals == sorted(totals, reverse=True) and len(totals) == 5


async def test_rows_aggregate_reads_a_pinned_version(api: httpx.AsyncClient) -> None:
    body = (await api.get(AGGREGATE, params={"count": "*", "version": "v1"})).json()
    assert body["rows"] == [{"count": 60}] and body["version"] == "v1"


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"sum": "name_zh"}, "sum"),
        ({"avg": "published"}, "avg"),
        ({"group_by": "nope"}, "group_by"),
        ({"max": "nope"}, "max"),
        ({"group_by": "year", "sort": "workers"}, "sort"),
        ({"workers__gt": "x"}, "workers__gt"),
    ],
)
async def test_rows_aggregate_bad_parameter_is_named(
    api: httpx.AsyncClient, params: dict[str, Any], parameter: str
) -> None:
    response = await api.get(AGGREGATE, params=params)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["parameter"] == parameter


async def test_rows_aggregate_returns_every_group_by_default(api: httpx.AsyncClient) -> None:
    groups = {(r["year"], r["region_code"]) for r in ALL}
    assert len(groups) > 100  # more than the old default page of groups
    body = (await api.get(AGGREGATE, params={"group_by": "year,region_code"})).json()
    assert len(body["rows"]) == len(groups) and body["truncated"] is False
    capped = (await api.get(AGGREGATE, params={"group_by": "year,region_code", "limit": 7})).json()
    assert len(capped["rows"]) == 7 and capped["truncated"] is True
    refused = await api.get(AGGREGATE, params={"group_by": "year", "limit": 10_001})
    assert refused.status_code == 400
