"""What a researcher needs to find every series: the lists of an indicator, a region and a
dataset, the nearest codes to a wrong one, a dataset page ordered for reading, and a series
page whose example, figures and citation hold for that series."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from catalog.series import edit_distance, researcher_order


@pytest.fixture(scope="module")
def client(real_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=real_server, timeout=60) as session:
        yield session


def test_an_indicator_alone_lists_its_regions_with_the_latest_figure(client: httpx.Client) -> None:
    answer = client.get("/api/v1/series", params={"indicator": "avg_wage_urban_nonprivate"}).json()
    regions = [s["region"]["code"] for s in answer["series"]]
    assert "000000" in regions and "520000" in regions and regions == sorted(regions)
    assert answer["total"] == len(regions) and answer["next"] is None
    one = next(s for s in answer["series"] if s["region"]["code"] == "520000")
    full = client.get(one["url"]).json()
    assert one["periods"] == full["count"] and one["region"]["name_zh"] == "贵州省"
    assert one["datasets"] == sorted({d["name"] for d in full["datasets"]})
    assert one["latest"]["value_text"] in {p["value_text"] for p in full["points"]}


def test_a_region_alone_lists_its_indicators_paged_to_the_end(client: httpx.Client) -> None:
    first = client.get("/api/v1/series", params={"region": "520000", "limit": 100}).json()
    assert first["total"] > 100 and len(first["series"]) == 100
    second = client.get(first["next"]).json()
    seen = [s["indicator"]["code"] for s in first["series"] + second["series"]]
    assert len(seen) == first["total"] and len(set(seen)) == len(seen)
    assert {s["region"]["code"] for s in first["series"]} == {"520000"}


def test_one_series_is_answered_as_before_when_both_codes_are_given(client: httpx.Client) -> None:
    answer = client.get("/api/v1/series", params={"indicator": "employed_persons_urban",
                                                  "region": "000000"}).json()  # fmt: skip
    assert "points" in answer and "series" not in answer


@pytest.mark.parametrize(
    ("params", "nearest"),
    [
        ({"indicator": "avg_wage_urbn"}, "avg_wage_urban_nonprivate"),
        ({"region": "guizhou"}, "520000"),
        ({"indicator": "employed_persons_urban", "region": "52000"}, None),
    ],
)
def test_an_unknown_code_is_404_naming_the_nearest_valid_codes(
    client: httpx.Client, params: dict[str, str], nearest: str | None
) -> None:
    response = client.get("/api/v1/series", params=params)
    assert response.status_code == 404
    detail = response.json()["detail"]
    if nearest is not None:
        named = detail.split("codes: ")[1].split(", ")
        assert named[0] == nearest and len(named) <= 5


@pytest.mark.parametrize(
    "params",
    [
        {"indicator": "avg_wage_urban_nonprivate", "limit": 101},
        {"indicator": "avg_wage_urban_nonprivate", "offset": -1},
        {"indicator": "avg_wage_urban_nonprivate", "from": 2015},
        {"region": "520000", "format": "csv"},
        {"limit": 10},
        {"indicator": "employed_persons_urban", "region": "000000", "limit": 5},
    ],
)
def test_a_list_refuses_what_only_one_series_reads_and_too_long_pages(
    client: httpx.Client, params: dict[str, object]
) -> None:
    assert client.get("/api/v1/series", params=params).status_code == 400


def test_the_nearest_codes_cost_bounded_work(client: httpx.Client) -> None:
    response = client.get("/api/v1/series", params={"indicator": "x" * 64})
    assert response.status_code == 404 and response.elapsed.total_seconds() < 5


def test_the_openapi_documents_indicator_and_region_with_examples(client: httpx.Client) -> None:
    operation = client.get("/openapi.json").json()["paths"]["/api/v1/series"]["get"]
    parameters = {p["name"]: p for p in operation["parameters"]}
    for name in ("indicator", "region", "dataset", "limit", "offset"):
        assert parameters[name].get("description"), name
    assert parameters["indicator"]["examples"] and parameters["region"]["examples"]
    assert not parameters["region"].get("required")


def test_the_curl_example_asks_for_years_the_series_has(client: httpx.Client) -> None:
    page = client.get("/series/maternity_insurance_fund_income/520000").text
    (command,) = re.findall(r"curl '([^']+)'", page)
    url = command.replace("&amp;", "&")
    assert "from=2010" in url and "to=2010" in url
    path = url[url.index("/api/v1/") :]
    assert client.get(path).json()["count"] > 0


def test_page_figures_are_grouped_and_show_the_printed_form(client: httpx.Client) -> None:
    page = client.get("/series/maternity_insurance_fund_income/520000").text
    assert '<data value="130000000">130,000,000</data>' in page
    assert "原文 1.3 亿元" in page
    api = client.get("/api/v1/series", params={"indicator": "maternity_insurance_fund_income",
                                               "region": "520000"}).json()  # fmt: skip
    assert api["points"][0]["value_text"] == "130000000"


def test_the_apa_citation_is_dated_by_the_latest_publish(client: httpx.Client) -> None:
    params = {"indicator": "employed_persons_urban", "region": "000000"}
    cited = client.get("/api/v1/series", params=params).json()["citation"]
    (dataset,) = cited["datasets"]
    year = re.search(r"\((\d{4})\)", dataset["apa"])[1]  # type: ignore[index]
    assert "(n.d.)" not in cited["apa"] and f"({year})" in cited["apa"]


def test_a_dataset_page_lists_national_and_guizhou_first_and_links_every_series(
    client: httpx.Client,
) -> None:
    slug = "provincial-social-insurance-yearbook"
    page = client.get(f"/dataset/{slug}").text
    links = re.findall(r'<li><a href="/series/([^/"]+)/(\d{6})">', page)
    total = int(re.search(r'id="series-title">[^<(]*\((\d+)\)', page)[1])  # type: ignore[index]
    assert f'href="/series?dataset={slug}"' in page
    every, url = [], f"/api/v1/series?dataset={slug}&limit=100"
    while url:
        listed = client.get(url).json()
        every += [s["indicator"]["code"] for s in listed["series"]]
        url = listed["next"]
    assert len(every) == listed["total"] == total
    indicators = [i for i, _ in links]
    first_turn = min(len(set(every)), len(links))
    assert len(set(indicators[:first_turn])) == first_turn  # each indicator once, then a second
    assert all(region in {"000000", "520000"} for _, region in links[:5])
    seen, url = 0, f"/series?dataset={slug}"
    first = client.get(url).text
    pages = int(re.search(r"/ (\d+) 页", first)[1])  # type: ignore[index]
    for number in range(1, pages + 1):
        listed_page = client.get("/series", params={"dataset": slug, "page": number}).text
        seen += listed_page.count('<th scope="row"><a href="/series/')
    assert seen == total


def test_researcher_order_shows_each_indicator_once_national_first() -> None:
    class One:
        def __init__(self, indicator: str, region: str, count: int) -> None:
            self.indicator, self.region, self.count = indicator, region, count

    listed: list[Any] = [One("a", "110000", 9), One("a", "000000", 9), One("a", "520000", 9),
                         One("b", "110000", 3), One("b", "520100", 3)]  # fmt: skip
    order = [(o.indicator, o.region) for o in researcher_order(listed)]
    assert order == [("a", "000000"), ("b", "520100"), ("a", "520000"), ("b", "110000"),
                     ("a", "110000")]  # fmt: skip
    assert edit_distance("kitten", "sitting") == 3
