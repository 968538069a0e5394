"""/api/v1/series, the series page and the series in search answers, on a real server over
the real datasets: what a researcher reads, and what a hostile caller gets."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

from catalog.series import FIGURE_FIELDS

URBAN = {"indicator": "employed_persons_urban", "region": "000000"}


@pytest.fixture(scope="module")
def client(real_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=real_server, timeout=30) as session:
        yield session


def point(answer: dict[str, object], period: str) -> dict[str, object]:
    points = answer["points"]
    assert isinstance(points, list)
    (found,) = [p for p in points if p["period"] == period]
    return dict(found)


def test_a_series_names_its_preferred_figures_and_why_others_lost(client: httpx.Client) -> None:
    answer = client.get("/api/v1/series", params=URBAN).json()
    assert answer["indicator"]["name_zh"] == "城镇就业人员"
    assert answer["region"]["code"] == "000000"
    assert [d["name"] for d in answer["datasets"]] == ["national-hrss-bulletin"]
    revised = point(answer, "2012")
    assert (revised["value_text"], revised["source_id"], revised["flags"]) == (
        "372870000", "S065", ["revised"]
    )  # fmt: skip
    assert str(revised["source_url"]).startswith("http") and revised["source_title"]
    (original,) = revised["alternatives"]  # type: ignore[misc]
    assert original["value_text"] == "371020000" and original["source_id"] == "S021"
    assert original["reason"] == "original figure, superseded by the revised figure"
    typo = point(answer, "2019")["alternatives"][0]  # type: ignore[index]
    assert typo["value_as_printed"] == "440.47" and "typo on the page" in typo["reason"]
    years = [p["year"] for p in answer["points"]]
    assert years == sorted(years) and answer["count"] == len(years)


def test_from_and_to_keep_the_years_between(client: httpx.Client) -> None:
    answer = client.get("/api/v1/series", params={**URBAN, "from": 2013, "to": 2016}).json()
    assert [p["period"] for p in answer["points"]] == ["2013", "2014", "2015", "2016"]
    assert client.get("/api/v1/series", params={**URBAN, "from": 2030}).json()["points"] == []


def test_the_csv_has_one_line_per_printed_value_preferred_first(client: httpx.Client) -> None:
    response = client.get("/api/v1/series", params={**URBAN, "format": "csv"})
    assert response.headers["content-type"].startswith("text/csv")
    assert "employed_persons_urban-000000.csv" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert tuple(rows[0]) == FIGURE_FIELDS
    answer = client.get("/api/v1/series", params=URBAN).json()
    assert len(rows) == sum(1 + len(p["alternatives"]) for p in answer["points"])
    of_2012 = [r for r in rows if r["period"] == "2012"]
    assert [(r["preferred"], r["value"], r["reason"] != "") for r in of_2012] == [
        ("true", "372870000", False),
        ("false", "371020000", True),
    ]
    assert of_2012[1]["unit_as_printed"] == "万人" and of_2012[1]["value_as_printed"] == "37102"
    names = {(r["indicator_name_zh"], r["indicator_name_en"], r["region_name_zh"]) for r in rows}
    assert names == {("城镇就业人员", "Urban employed persons", "全国")}


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"indicator": "no_such_indicator", "region": "000000"}, 404),
        ({"indicator": "employed_persons_urban", "region": "999999"}, 404),
        ({"indicator": "../../etc/passwd", "region": "000000"}, 400),
        ({"indicator": "x" * 65, "region": "000000"}, 400),
        ({"indicator": "a'; DROP TABLE x; --", "region": "000000"}, 400),
        ({}, 400),  # a region alone lists its series (tests/series/test_lists.py)
        ({**URBAN, "from": 2020, "to": 2010}, 400),
        ({**URBAN, "from": -5}, 400),
        ({**URBAN, "from": 10**30}, 400),
        ({**URBAN, "format": "xml"}, 400),
    ],
)
def test_bad_questions_get_a_problem_without_internals(
    client: httpx.Client, params: dict[str, object], status: int
) -> None:
    response = client.get("/api/v1/series", params=params)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.text
    assert "/tmp" not in body and "duckdb" not in body.lower() and "Traceback" not in body


def test_a_series_answer_is_cached_and_revalidated(client: httpx.Client) -> None:
    first = client.get("/api/v1/series", params=URBAN)
    tag = first.headers["etag"]
    again = client.get("/api/v1/series", params=URBAN, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""


def test_a_search_lists_the_series_its_words_found_with_the_latest_figure(
    client: httpx.Client,
) -> None:
    answer = client.get("/api/v1/datasets", params={"q": "城镇登记失业率"}).json()
    found = answer["series"]
    assert found[0]["indicator"]["code"] == "registered_unemployment_rate"
    assert all("城镇登记失业率" in s["indicator"]["name_zh"] for s in found)
    for one in found:
        series = client.get(one["url"]).json()
        last = series["points"][-1]
        assert one["latest"]["value_text"] == last["value_text"]
        assert one["latest"]["period"] == last["period"]
        assert client.get(one["page"]).status_code == 200
    places = client.get("/api/v1/datasets", params={"q": "贵阳"}).json()["series"]
    assert places and all(s["region"]["code"] == "520100" for s in places)
    assert "series" not in client.get("/api/v1/datasets").json()  # no words, no series


def test_the_series_page_shows_values_reasons_and_links(client: httpx.Client) -> None:
    page = client.get("/series/employed_persons_urban/000000")
    assert page.status_code == 200
    html = page.text
    for text in ("城镇就业人员", "372870000", "371020000", "已被修订后的数值取代"):
        assert text in html
    assert 'href="/dataset/national-hrss-bulletin"' in html
    assert "format=csv" in html and '<svg class="chart"' in html
    assert 'rel="noopener external"' in html  # each source links to where it was printed
    english = client.get("/series/employed_persons_urban/000000", params={"lang": "en"}).text
    assert "Urban employed persons" in english and "Why not preferred" in english
    assert "superseded by the revised figure" in english


def test_a_ratio_reads_as_a_chinese_word_on_the_chinese_page(client: httpx.Client) -> None:
    """The `ratio` unit code is no word a Chinese reader reads: 比值 there, ratio in English."""
    path = "/series/avg_wage_industry_max_min_ratio/520000"
    zh = client.get(path, params={"lang": "zh"}).text
    en = client.get(path, params={"lang": "en"}).text
    assert "比值" in zh and "<td>ratio</td>" not in zh and "（ratio）" not in zh
    assert "<td>ratio</td>" in en


@pytest.mark.parametrize(
    "path",
    [
        "/series/no_such_indicator/000000",
        "/series/employed_persons_urban/..%2F..%2Fetc",
        "/series/%3Cscript%3E/000000",
        "/series/" + "x" * 200 + "/000000",
    ],
)
def test_an_unknown_series_page_is_a_404_page(client: httpx.Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert "<script>" not in response.text


def test_the_web_search_shows_matching_series(client: httpx.Client) -> None:
    html = client.get("/dataset", params={"q": "贵阳"}).text
    assert 'class="series-found"' in html and "/series/" in html and "520100" in html
    plain = client.get("/dataset").text
    assert 'class="series-found"' not in plain


def test_unknown_parameters_are_refused_by_name(client: httpx.Client) -> None:
    typo = client.get("/api/v1/series", params={**URBAN, "frm": 2015})
    assert typo.status_code == 400 and "frm" in typo.json()["detail"]
    pinned = client.get("/api/v1/series", params={**URBAN, "version": "20200101T0000Z"})
    assert pinned.status_code == 400
    assert "current version" in pinned.json()["detail"]
    assert "/api/v1/datasets/{slug}/versions/{version}" in pinned.json()["detail"]


@pytest.mark.parametrize(
    "query",
    [
        "from=2010&from=2020",  # which one?
        "indicator=employed_persons_urban&indicator=x",
        "from=2016.0",
        "from=2_016",
        "from=%2B2016",
        "to=%EF%BC%92%EF%BC%90%EF%BC%91%EF%BC%96",  # full-width ２０１６
    ],
)
def test_a_repeated_or_loosely_written_parameter_is_refused(
    client: httpx.Client, query: str
) -> None:
    answer = client.get(f"/api/v1/series?indicator=employed_persons_urban&region=000000&{query}")
    if query.startswith("indicator="):  # the route's own indicator plus one more
        answer = client.get(f"/api/v1/series?region=000000&{query}")
    assert answer.status_code == 400, answer.text


def test_the_answer_names_each_dataset_version_it_was_read_from(client: httpx.Client) -> None:
    answer = client.get("/api/v1/series", params=URBAN).json()
    (read,) = answer["datasets"]
    current = client.get("/api/v1/datasets/national-hrss-bulletin").json()["version"]
    assert read["version"] == current
    assert read["url"].endswith(f"/api/v1/datasets/national-hrss-bulletin/versions/{current}")
    assert client.get(read["url"]).status_code == 200


def test_the_answer_and_the_page_cite_the_series_and_its_datasets(client: httpx.Client) -> None:
    cited = client.get("/api/v1/series", params=URBAN).json()["citation"]
    assert cited["url"].endswith("/series/employed_persons_urban/000000")
    version = client.get("/api/v1/datasets/national-hrss-bulletin").json()["version"]
    for text in (cited["gbt7714"], cited["apa"]):
        assert cited["url"] in text and version in text
    assert cited["accessed"] in cited["gbt7714"] and "城镇就业人员" in cited["gbt7714"]
    # dated by its data, not by the clock: the same ETag keeps the same bytes past midnight
    assert cited["accessed"] == cited["as_of"] and cited["as_of"][:4] in cited["apa"]
    (dataset,) = cited["datasets"]
    assert dataset["version"] == version and version in dataset["gbt7714"]
    page = client.get("/series/employed_persons_urban/000000").text
    today = datetime.now(UTC).date().isoformat()
    assert 'id="cite-gbt"' in page and today in page


def test_a_range_outside_every_period_answers_no_points_and_says_so(client: httpx.Client) -> None:
    answer = client.get("/api/v1/series", params={**URBAN, "from": 2030}).json()
    assert answer["points"] == [] and answer["count"] == 0 and answer["datasets"] == []
    assert "no period" in answer["note"] and "2030" in answer["note"]
    assert client.get("/api/v1/series", params=URBAN).json()["note"] is None


def test_the_latest_is_the_complete_year_not_the_year_to_date(client: httpx.Client) -> None:
    """guizhou-hrss-indicators prints 2020 and 2020-YTD for this series."""
    params = {"indicator": "entrepreneurship_driven_employment", "region": "520000"}
    periods = [p["period"] for p in client.get("/api/v1/series", params=params).json()["points"]]
    assert periods[-2:] == ["2020", "2020-YTD"]
    page = client.get("/series/entrepreneurship_driven_employment/520000?lang=zh").text
    assert '<p class="latest">最新 (2020,' in page


def test_series_pages_are_in_the_sitemap_and_linked_from_their_datasets(
    client: httpx.Client,
) -> None:
    sitemap = client.get("/sitemap.xml").text
    assert "/series/employed_persons_urban/000000</loc>" in sitemap
    assert sitemap.count("<url>") <= 50_000
    page = client.get("/dataset/national-hrss-bulletin").text
    assert 'id="series"' in page and 'href="/series/' in page
    developers = client.get("/api", headers={"Accept": "text/html"}).text
    assert (
        "/api/v1/series?indicator=" in developers and "/sdmx/dataflow/all/all/latest" in developers
    )
