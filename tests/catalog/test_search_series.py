"""Which indicators, places and series a search finds, on the real datasets: a place name in the
query finds regions, not indicators named after it; the series listed do not depend on the page
asked for; of two datasets holding the figure, the one about the place asked ranks first."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def client(real_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=real_server, timeout=60) as session:
        yield session


def search(client: httpx.Client, q: str, **params: Any) -> dict[str, Any]:
    answer = client.get("/api/v1/datasets", params={"q": q, **params})
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


def series_keys(answer: dict[str, Any]) -> list[tuple[str, str]]:
    return [(s["indicator"]["code"], s["region"]["code"]) for s in answer["series"]]


def test_a_place_word_does_not_find_indicators_named_after_the_place(client: httpx.Client) -> None:
    # 全国公务员人数 contains 全国, but 全国 in this query names the place.
    answer = search(client, "全国城镇登记失业率")
    (result,) = answer["results"]
    assert [m["code"] for m in result["matched_indicators"]] == ["registered_unemployment_rate"]
    assert [m["code"] for m in result["matched_regions"]] == ["000000"]
    assert series_keys(answer) == [("registered_unemployment_rate", "000000")]


def test_an_indicator_named_after_a_place_is_still_found_by_its_name(client: httpx.Client) -> None:
    answer = search(client, "全国公务员人数")
    assert series_keys(answer)[0] == ("civil_servants", "000000")


def test_the_dataset_about_the_place_asked_ranks_first(client: httpx.Client) -> None:
    answer = search(client, "贵州城镇登记失业率")
    names = [result["name"] for result in answer["results"]]
    # Both hold the rate in Guizhou; the prefectures' table holds ten regions besides.
    assert names[:2] == ["guizhou-hrss-indicators", "guizhou-prefecture-indicators"]
    assert series_keys(answer)[0] == ("registered_unemployment_rate", "520000")


@pytest.mark.parametrize("q", ["失业率", "养老金", "贵阳", "average wage"])
def test_the_series_listed_do_not_depend_on_the_page(client: httpx.Client, q: str) -> None:
    whole = search(client, q, limit=1000)
    assert whole["count"] >= 2
    pages = [search(client, q, limit=1, offset=offset) for offset in range(whole["count"] + 1)]
    assert all(series_keys(page) == series_keys(whole) for page in pages)
    assert series_keys(whole)


@pytest.mark.parametrize(
    ("q", "holder"),
    [
        ("城镇职工养老保险", "provincial-social-insurance-yearbook"),  # 城镇职工基本养老保险
        ("职工养老保险", "national-hrss-bulletin"),
        ("国有企业", "soe-employment-and-wages-by-province-2008"),  # 国有及国有控股企业
        ("退休金", "guizhou-hrss-indicators"),  # a synonym of 养老金
        ("2010年贵州生育保险基金收入", "maternity-insurance-by-province-2010"),
    ],
)
def test_a_phrase_without_spaces_finds_the_datasets_holding_it(
    client: httpx.Client, q: str, holder: str
) -> None:
    assert holder in [result["name"] for result in search(client, q, limit=20)["results"]]


def test_a_year_is_a_period_not_a_word_of_an_indicator_name(client: httpx.Client) -> None:
    # 2010年人口普查… indicators hold "2010" in their names: not what this asks for.
    answer = search(client, "2010年全国失业保险参保人数")
    matched = {m["code"] for r in answer["results"] for m in r["matched_indicators"]}
    assert matched == {"unemployment_insurance_participants"}
    # the dataset holding the period asked ranks above one holding the words only
    ranked = search(client, "贵州 养老保险参保人数 2010")["results"]
    assert ranked[0]["name"] == "provincial-social-insurance-yearbook"


def test_no_series_is_listed_for_a_figure_no_indicator_holds(client: httpx.Client) -> None:
    # Minimum wages are a table by region, not an indicator series: Guiyang's average wages
    # are not an answer to 贵阳最低工资.
    answer = search(client, "贵阳最低工资")
    assert answer["count"] >= 1 and answer["series"] == []


def test_series_of_the_regions_most_printed_come_first(client: httpx.Client) -> None:
    first_two = {region for _, region in series_keys(search(client, "失业金"))[:2]}
    assert first_two == {"000000", "520000"}
    indicator, _ = series_keys(search(client, "五险"))[0]
    assert indicator.startswith("five_si_")


@pytest.mark.parametrize("q", ["全国养老保险参保人数", "全国", "2010年全国失业保险参保人数"])
def test_ckan_and_the_api_say_the_same_indicators_matched(client: httpx.Client, q: str) -> None:
    ckan = client.get("/api/3/action/package_search", params={"q": q, "rows": 50}).json()
    found = {
        r["name"]: sorted(m["code"] for m in r["matched_indicators"])
        for r in ckan["result"]["results"]
    }
    ours = {
        r["name"]: sorted(m["code"] for m in r["matched_indicators"])
        for r in search(client, q, limit=50)["results"]
    }
    # CKAN's dismax may find more datasets (its words are optional past `mm`); on the ones
    # both find, both name the same indicators.
    both = found.keys() & ours.keys()
    assert both and {n: found[n] for n in both} == {n: ours[n] for n in both}
