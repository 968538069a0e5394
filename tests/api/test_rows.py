"""The rows endpoint: every filter operator, sort, fields, paging, totals, version pins."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from catalog.query import Cursor
from catalog.query.statistics import rising
from tests.api.conftest import AppFactory
from tests.querydata import wage_rows, write_version

pytestmark = pytest.mark.anyio
ROWS = "/api/v1/datasets/wages-test/resources/wages/rows"
ALL = wage_rows(250)
Key = tuple[str, int]


def keys(body: dict[str, Any]) -> list[Key]:
    return [(row["region_code"], row["year"]) for row in body["rows"]]


def expected(keep: Any) -> list[Key]:
    return sorted((r["region_code"], r["year"]) for r in ALL if keep(r))


async def get(api: httpx.AsyncClient, **params: Any) -> dict[str, Any]:
    response = await api.get(ROWS, params={"limit": 10_000, **params})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_rows_first_page_is_typed_and_sorted_by_primary_key(api: httpx.AsyncClient) -> None:
    response = await api.get(ROWS, params={"limit": 2})
    body = response.json()
    assert response.headers["content-type"] == "application/json"
    assert (body["dataset"], body["resource"], body["version"]) == ("wages-test", "wages", "v2")
    assert body["total"] == 250 and body["total_exact"] is True
    assert body["rows"][0] == {
        "region_code": "520000",
        "year": 1800,
        "name_zh": "贵州省",
        "workers": 0,
        "avg_wage": 50000.0,
        "ratio": 0.0,
        "published": "2020-01-01",
        "updated": "2021-03-04T05:06:07",
        "audited": None,
        "period": "2000-01",
        "fiscal_year": 2000,
    }
    assert {"name": "workers", "type": "integer", "unit": "人"} in body["fields"]
    assert keys(body) == [("520000", 1800), ("520000", 1801)]


async def test_rows_decimals_keep_their_digits(api: httpx.AsyncClient) -> None:
    response = await api.get(ROWS, params={"limit": 1, "offset": 1})
    assert '"avg_wage":89595.05,' in response.text
    assert response.json(parse_float=Decimal)["rows"][0]["avg_wage"] == Decimal("89595.05")


@pytest.mark.parametrize(
    ("params", "keep"),
    [
        ({"region_code": "520100"}, lambda r: r["region_code"] == "520100"),
        ({"workers__gt": "900"}, lambda r: r["workers"] is not None and r["workers"] > 900),
        ({"workers__gte": "990"}, lambda r: r["workers"] is not None and r["workers"] >= 990),
        ({"year__lt": "1803"}, lambda r: r["year"] < 1803),
        ({"year__lte": "1802"}, lambda r: r["year"] <= 1802),
        ({"fiscal_year__ne": "2000"}, lambda r: r["fiscal_year"] != 2000),
        ({"region_code__in": "520100,520300"}, lambda r: r["region_code"] in ("520100", "520300")),
        ({"name_zh__contains": "阳"}, lambda r: "阳" in r["name_zh"]),
        ({"period__startswith": "2019-"}, lambda r: r["period"].startswith("2019-")),
        ({"workers__isnull": "true"}, lambda r: r["workers"] is None),
        ({"ratio__isnull": "false"}, lambda r: r["ratio"] is not None),
        ({"avg_wage__gte": "89000.5"}, lambda r: r["avg_wage"] >= Decimal("89000.5")),
        ({"ratio__gt": "0.7"}, lambda r: r["ratio"] is not None and r["ratio"] > 0.7),
        ({"published": "2020-01-30"}, lambda r: str(r["published"]) == "2020-01-30"),
        (
            {"updated__lt": "2021-03-04T05:06:10"},
            lambda r: r["updated"].isoformat() < "2021-03-04T05:06:10",
        ),
        ({"audited": "true"}, lambda r: r["audited"] is True),
        ({"fiscal_year__in": "2001,2003"}, lambda r: r["fiscal_year"] in (2001, 2003)),
        (
            {"region_code": "520000", "workers__lt": "300"},
            lambda r: (
                r["region_code"] == "520000" and r["workers"] is not None and r["workers"] < 300
            ),
        ),
    ],
)
async def test_rows_filter_operator_matches_python(
    api: httpx.AsyncClient, params: dict[str, str], keep: Any
) -> None:
    body = await get(api, **params)
    wanted = expected(keep)
    assert wanted, "the case should match something"
    assert keys(body) == wanted
    assert body["total"] == len(wanted) and body["total_exact"] is True


async def test_rows_sort_descending_then_ascending_puts_nulls_last(api: httpx.AsyncClient) -> None:
    body = await get(api, sort="-workers,year", fields="workers,year,region_code")
    workers = [row["workers"] for row in body["rows"]]
    present = [w for w in workers if w is not None]
    assert present == sorted(present, reverse=True)
    assert workers[len(present) :] == [None] * (len(workers) - len(present))
    assert list(body["rows"][0]) == ["workers", "year", "region_code"]


async def test_rows_fields_choose_columns_in_order(api: httpx.AsyncClient) -> None:
    body = await get(api, fields="year,name_zh", limit=1)
    assert body["rows"] == [{"year": 1800, "name_zh": "贵州省"}]
    assert [f["name"] for f in body["fields"]] == ["year", "name_zh"]


async def test_rows_offset_gives_shallow_pages(api: httpx.AsyncClient) -> None:
    body = await get(api, limit=3, offset=10)
    assert keys(body) == expected(lambda r: True)[10:13]


async def test_rows_cursor_walks_every_row_once(api: httpx.AsyncClient) -> None:
    seen: list[Key] = []
    params: dict[str, Any] = {"limit": 17, "sort": "-ratio", "fiscal_year__ne": "2004"}
    while True:
        response = await api.get(ROWS, params=params)
        body = response.json()
        seen += keys(body)
        if body["next"] is None:
            assert "link" not in response.headers
            break
        assert response.headers["link"] == f'<{body["next_url"]}>; rel="next"'
        assert body["next_url"].startswith("http://127.0.0.1:8000" + ROWS + "?")
        params = {**params, "next": body["next"]}
    assert sorted(seen) == expected(lambda r: r["fiscal_year"] != 2004)
    assert len(seen) == len(set(seen))


async def test_rows_next_url_resumes_the_walk(api: httpx.AsyncClient) -> None:
    first = await get(api, limit=5, region_code="520200")
    url = first["next_url"].replace("http://127.0.0.1:8000", "")
    second = (await api.get(url)).json()
    assert keys(first) + keys(second) == expected(lambda r: r["region_code"] == "520200")[:10]


async def test_rows_without_primary_key_page_by_row_number(api: httpx.AsyncClient) -> None:
    url = "/api/v1/datasets/wages-test/resources/notes/rows"
    rows: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": 4, "sort": "topic"}
    while True:
        body = (await api.get(url, params=params)).json()
        rows += body["rows"]
        if not body["next"]:
            break
        params["next"] = body["next"]
    assert len(rows) == 30
    assert [r["topic"] for r in rows] == sorted(r["topic"] for r in rows)


async def test_rows_version_pin_reads_that_version(api: httpx.AsyncClient) -> None:
    body = await get(api, version="v1", limit=1)
    assert body["version"] == "v1" and body["total"] == 60
    missing = await api.get(ROWS, params={"version": "v9"})
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


async def test_rows_cursor_keeps_its_version(api: httpx.AsyncClient) -> None:
    first = await get(api, version="v1", limit=50)
    rest = (await api.get(ROWS, params={"next": first["next"]})).json()
    assert rest["version"] == "v1"
    assert len(first["rows"]) + len(rest["rows"]) == 60
    clash = await api.get(ROWS, params={"next": first["next"], "version": "v2"})
    assert clash.status_code == 400 and clash.json()["parameter"] == "next"


@pytest.fixture(autouse=True)
def proofs(monkeypatch: pytest.MonkeyPatch) -> list[Callable[[], None]]:
    """The proofs that a column rises, held back until a test runs them: years ascend through
    the file, and a proved `year` answers its range filters exactly, so a test of an estimate
    would otherwise pass or fail as the proof's thread won or lost the race (it failed in CI)."""
    held: list[Callable[[], None]] = []
    monkeypatch.setattr(rising, "on_a_thread", held.append)
    return held


async def big_file_client(make_app: AppFactory) -> httpx.AsyncClient:
    """A client of an app that treats the 250-row resource as large: estimates past 0 rows,
    from 8 runs of 5 rows (file rows 0–4, 35–39, 70–74, ... 245–249)."""
    app = make_app(exact_total_rows=0, total_sample_rows=40)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://t")


async def test_rows_total_of_a_large_resource_is_estimated_from_spread_runs(
    make_app: AppFactory,
) -> None:
    async with await big_file_client(make_app) as http:
        region = (await http.get(ROWS, params={"region_code": "520100", "limit": 1})).json()
        years = (await http.get(ROWS, params={"year__lt": "1810", "limit": 1})).json()
        unfiltered = (await http.get(ROWS, params={"limit": 1})).json()
    # The file cycles through the five regions, so each run of 5 rows holds one of 520100.
    assert region["total_exact"] is False and region["total"] == round(250 * 8 / 40)
    # Years ascend through the file: rows 0–49 match, of which runs 0–4 and 35–39 are seen.
    assert years["total_exact"] is False and years["total"] == round(250 * 10 / 40)
    assert unfiltered["total_exact"] is True and unfiltered["total"] == 250


async def test_rows_total_exact_counts_a_large_resource(make_app: AppFactory) -> None:
    async with await big_file_client(make_app) as http:
        body = (
            await http.get(ROWS, params={"year__lt": "1810", "limit": 1, "total": "exact"})
        ).json()
    assert body["total_exact"] is True and body["total"] == 50


async def test_rows_total_none_counts_nothing(api: httpx.AsyncClient) -> None:
    filtered = await get(api, region_code="520100", limit=1, total="none")
    unfiltered = await get(api, limit=1, total="none")
    for body in (filtered, unfiltered):
        assert body["total"] is None and body["total_exact"] is False
        assert len(body["rows"]) == 1 and body["next"]


async def test_rows_limit_zero_is_the_fields_and_the_total_alone(
    api: httpx.AsyncClient, make_app: AppFactory
) -> None:
    """As CKAN's `datastore_search` answers `limit=0`: no rows, no next page, the total."""
    body = await get(api, region_code="520100", limit=0, fields="year")
    assert body["rows"] == [] and body["next"] is None and body["next_url"] is None
    assert [field["name"] for field in body["fields"]] == ["year"]
    assert (body["total"], body["total_exact"]) == (
        len(expected(lambda r: r["region_code"] == "520100")),
        True,
    )
    assert (await get(api, limit=0, total="none"))["total"] is None
    async with await big_file_client(make_app) as http:
        asked = {"year__lt": "1810", "limit": 0}
        estimated = (await http.get(ROWS, params=asked)).json()
        counted = (await http.get(ROWS, params={**asked, "total": "exact"})).json()
        refused = await http.get(ROWS, params={"limit": -1})
    assert estimated["rows"] == [] and estimated["total_exact"] is False
    assert (counted["total"], counted["total_exact"]) == (50, True)
    assert refused.status_code == 400


async def test_rows_total_of_a_page_holding_every_match_is_exact(make_app: AppFactory) -> None:
    async with await big_file_client(make_app) as http:
        body = (
            await http.get(ROWS, params={"year__lt": "1810", "limit": 100, "total": "estimate"})
        ).json()
    assert len(body["rows"]) == 50 and body["next"] is None
    assert body["total_exact"] is True and body["total"] == 50


async def test_rows_estimate_is_never_below_the_rows_shown(make_app: AppFactory) -> None:
    # Year 1808 is file rows 40–44, between the runs: the sample sees none of them, but the
    # first page shows two and that a third exists.
    async with await big_file_client(make_app) as http:
        body = (await http.get(ROWS, params={"year": "1808", "limit": 2})).json()
    assert len(body["rows"]) == 2 and body["next"]
    assert body["total_exact"] is False and body["total"] == 3


async def test_rows_estimate_is_the_same_once_the_column_is_proved_to_rise(
    make_app: AppFactory, proofs: list[Callable[[], None]]
) -> None:
    """One URL, one body (its `ETag` hashes the URL and the version, not the body): the
    proof decides more groups, but an estimate is made from the footer's statistics alone."""
    async with await big_file_client(make_app) as http:
        asked = {"year__gte": "1803", "year__lt": "1841", "limit": 1}
        before = await http.get(ROWS, params=asked)
        assert len(proofs) == 1
        proofs.pop()()
        after = await http.get(ROWS, params=asked)
        counted = (await http.get(ROWS, params={**asked, "total": "exact"})).json()
    # Rows 15–204 match: of the runs of 5 rows at 0, 35, ... 245, those at 35–175 (25 rows).
    body = before.json()
    assert (body["total"], body["total_exact"]) == (round(250 * 25 / 40), False)
    assert after.content == before.content and after.headers["etag"] == before.headers["etag"]
    assert (counted["total"], counted["total_exact"]) == (5 * 38, True)


async def test_rows_cursor_carries_the_first_pages_total(make_app: AppFactory) -> None:
    async with await big_file_client(make_app) as http:
        first = (await http.get(ROWS, params={"region_code": "520100", "limit": 10})).json()
        second = (
            await http.get(
                ROWS, params={"region_code": "520100", "limit": 10, "next": first["next"]}
            )
        ).json()
        counted = (
            await http.get(
                ROWS,
                params={
                    "region_code": "520100",
                    "limit": 10,
                    "next": first["next"],
                    "total": "exact",
                },
            )
        ).json()
        refiltered = (
            await http.get(
                ROWS,
                params={"region_code__in": "520100,520200", "limit": 10, "next": first["next"]},
            )
        ).json()
    assert (second["total"], second["total_exact"]) == (first["total"], first["total_exact"])
    assert (counted["total"], counted["total_exact"]) == (50, True)
    # Other filters than the first page counted: the carried total is not theirs.
    assert refiltered["total"] != first["total"] and refiltered["total_exact"] is False


async def test_rows_cursor_carrying_an_impossible_total_is_refused_or_recounted(
    api: httpx.AsyncClient,
) -> None:
    """The carried total is the client's to forge: below zero or past any file it is no
    cursor this API made; past this file's rows it is counted again."""
    first = await get(api, region_code="520100", limit=10)
    made = Cursor.decode(first["next"])
    assert made.total is not None
    for rows, status in ((-5, 400), (10**30, 400), (251, 200)):
        forged = replace(made, total=replace(made.total, rows=rows)).encode()
        response = await api.get(
            ROWS, params={"region_code": "520100", "limit": 10, "next": forged}
        )
        assert response.status_code == status, response.text
        if status == 200:
            assert response.json()["total"] == first["total"] == 50


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"nonsense": "1"}, "nonsense"),
        ({"workers__gt": "many"}, "workers__gt"),
        ({"workers__between": "1"}, "workers__between"),
        ({"year__contains": "18"}, "year__contains"),
        ({"published": "2020-13-01"}, "published"),
        ({"audited__isnull": "maybe"}, "audited__isnull"),
        ({"ratio": "nan"}, "ratio"),
        ({"sort": "-nope"}, "sort"),
        ({"fields": "year,year"}, "fields"),
        ({"limit": "10001"}, "limit"),
        ({"limit": "abc"}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"next": "not-a-cursor"}, "next"),
        ({"total": "maybe"}, "total"),
    ],
)
async def test_rows_bad_parameter_is_a_problem_naming_it(
    api: httpx.AsyncClient, params: dict[str, str], parameter: str
) -> None:
    response = await api.get(ROWS, params=params)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "http://127.0.0.1:8000/problems/invalid-parameter"
    assert problem["title"] == "Invalid Parameter"
    assert problem["status"] == 400
    assert problem["parameter"] == parameter
    assert problem["detail"].startswith(parameter + ": ")
    assert problem["instance"] == ROWS


async def test_rows_cursor_of_another_sort_is_refused(api: httpx.AsyncClient) -> None:
    first = await get(api, limit=1)
    response = await api.get(ROWS, params={"next": first["next"], "sort": "-year"})
    assert response.status_code == 400 and "another sort" in response.json()["detail"]


async def test_rows_cursor_with_offset_is_refused(api: httpx.AsyncClient) -> None:
    first = await get(api, limit=1)
    response = await api.get(ROWS, params={"next": first["next"], "offset": 3})
    assert response.json()["parameter"] == "offset"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/datasets/nope/resources/wages/rows",
        "/api/v1/datasets/wages-test/resources/nope/rows",
        "/api/v1/datasets/..%2F..%2Fetc/resources/wages/rows",
    ],
)
async def test_rows_unknown_dataset_or_resource_is_not_found(
    api: httpx.AsyncClient, path: str
) -> None:
    response = await api.get(path)
    assert response.status_code == 404
    problem = response.json()
    assert problem["type"].endswith("/problems/not-found") and problem["status"] == 404


async def test_rows_unknown_route_is_a_problem_too(api: httpx.AsyncClient) -> None:
    response = await api.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["title"] == "Not Found"


async def test_rows_openapi_documents_rows_aggregate_and_sql(api: httpx.AsyncClient) -> None:
    spec = (await api.get("/openapi.json")).json()
    rows = spec["paths"]["/api/v1/datasets/{slug}/resources/{resource}/rows"]["get"]
    assert {p["name"] for p in rows["parameters"]} >= {"sort", "fields", "limit", "next"}
    assert "application/problem+json" in rows["responses"]["400"]["content"]
    assert set(spec["paths"]["/api/v1/sql"]) == {"get", "post"}


async def test_rows_offset_past_the_end_at_any_depth_is_an_empty_last_page(
    api: httpx.AsyncClient,
) -> None:
    for sort in ("", "-year"):
        for offset in ("250", "1000000", str(2**63 - 1)):
            response = await api.get(ROWS, params={"offset": offset, "sort": sort})
            body = response.json()
            assert response.status_code == 200, body
            assert (body["rows"], body["next"], body["total"]) == ([], None, 250)


async def test_rows_a_column_named_like_a_parameter_is_filtered_by_its_eq_form(
    make_app: AppFactory, query_store: Path
) -> None:
    # 合计 is often published as a column "total"; `total=` is the total mode, so a table's
    # own `total`, `sort` or `limit` column is filtered as `col__eq=v` (FILTERS_HELP).
    schema = {"fields": [{"name": n, "type": "string"} for n in ("total", "sort", "limit")]}
    rows = [{"total": str(n), "sort": str(n % 3), "limit": str(n % 2)} for n in range(12)]
    write_version(query_store, "named-test", "n1", {"sums": (schema, rows)})
    transport = httpx.ASGITransport(app=make_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as api:
        path = "/api/v1/datasets/named-test/resources/sums/rows"
        found = await api.get(path, params={"total__eq": 7, "sort__eq": 1, "limit__eq": 1})
        mode = await api.get(path, params={"total": 7})
    assert found.status_code == 200, found.text
    assert found.json()["rows"] == [{"total": "7", "sort": "1", "limit": "1"}]
    assert mode.status_code == 400 and "total" in mode.text  # the mode, named as such
