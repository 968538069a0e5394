"""Search that knows what each dataset holds: indicators, regions and synonyms over the
shipped datasets, published by the real Publisher into a temporary store.

The query set below is a specification: for each question a researcher asks, the datasets
whose rows hold the figure (read off their published Parquet), which must be found and
ranked above those that only mention the words.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from api import create_app
from catalog.errors import InvalidParameter
from catalog.search import MAX_TERMS, CatalogueIndex, Lexicon, SearchQuery, read_holding
from catalog.settings import Settings
from catalog.store import FolderStore, Publisher
from tests.conftest import REPO, descriptor, publish_real_datasets, write_dataset

BULLETIN = "national-hrss-bulletin"
PROVINCE = "guizhou-hrss-indicators"
PREFECTURES = "guizhou-prefecture-indicators"
PREFECTURE_WAGES = "guizhou-prefecture-average-wage-2016"
YEARBOOK = "provincial-social-insurance-yearbook"
MATERNITY = "maternity-insurance-by-province-2010"
MINIMUM = "minimum-wage-standards"
OWNERSHIP = "average-wage-by-province-and-ownership-2002"
SOE = "soe-employment-and-wages-by-province-2008"
DISCLOSURE = "guizhou-hrss-disclosure-2018"

# question → the datasets holding the figure it asks for
QUERIES: dict[str, set[str]] = {
    "失业率": {BULLETIN, PROVINCE, PREFECTURES},
    "基金支出": {BULLETIN, YEARBOOK, MATERNITY},
    "average wage": {BULLETIN, PROVINCE, PREFECTURES, PREFECTURE_WAGES, OWNERSHIP, SOE},
    "社保": {BULLETIN, PROVINCE, PREFECTURES, YEARBOOK, MATERNITY, DISCLOSURE},
    "医保": {BULLETIN, PROVINCE, PREFECTURES},
    "贵阳": {PREFECTURES, PREFECTURE_WAGES, MINIMUM},
    "遵义": {PREFECTURES, PREFECTURE_WAGES, MINIMUM},
    "贵阳失业率": {PREFECTURES},
    "养老金": {BULLETIN, PROVINCE, PREFECTURES, YEARBOOK},
    "低保": {PREFECTURES},
    "最低工资": {MINIMUM, BULLETIN},
    "生育保险 基金支出": {MATERNITY},
    "wages": {BULLETIN, PROVINCE, PREFECTURES, PREFECTURE_WAGES, OWNERSHIP, SOE, MINIMUM},
}


@pytest.fixture(scope="module")
def store_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return publish_real_datasets(tmp_path_factory.mktemp("holdings") / "store")


@pytest.fixture(scope="module")
def index(store_root: Path) -> CatalogueIndex:
    return CatalogueIndex(FolderStore(store_root))


@pytest.mark.parametrize("q", sorted(QUERIES))
def test_search_finds_the_datasets_holding_the_figure_first(index: CatalogueIndex, q: str) -> None:
    holders = QUERIES[q]
    result = index.search(SearchQuery(q=q, limit=10))
    assert set(result.slugs[: len(holders)]) == holders, result.slugs


def test_search_recall_and_precision_over_the_query_set(index: CatalogueIndex) -> None:
    found = relevant = hits = 0
    for q, holders in QUERIES.items():
        top = index.search(SearchQuery(q=q, limit=10)).slugs
        found += len(top)
        relevant += len(holders)
        hits += len(holders & set(top))
    recall, precision = hits / relevant, hits / found
    print(f"recall {recall:.1%} precision@10 {precision:.1%} over {len(QUERIES)} questions")
    assert recall >= 0.95
    assert precision >= 0.80


def test_search_says_which_indicators_and_regions_matched(index: CatalogueIndex) -> None:
    result = index.search(SearchQuery(q="贵阳失业率"))
    matched = result.matches[PREFECTURES]
    assert [code.code for code in matched.indicators] == ["registered_unemployment_rate"]
    assert [(code.code, code.name_zh) for code in matched.regions] == [("520100", "贵阳市")]


def test_search_of_a_synonym_matches_the_words_the_data_uses(index: CatalogueIndex) -> None:
    matched = index.search(SearchQuery(q="医保")).matches[PREFECTURES]
    assert matched.indicators
    assert all("医疗保险" in code.name_zh for code in matched.indicators)


def test_a_dataset_only_mentioning_the_words_ranks_below_the_holders(
    index: CatalogueIndex,
) -> None:
    # region-codes mentions the minimum-wage tier list in its description; it holds no wages
    slugs = index.search(SearchQuery(q="wages", limit=20)).slugs
    assert "region-codes" in slugs
    assert slugs.index("region-codes") >= len(QUERIES["wages"])


def test_holding_is_read_from_the_published_parquet(store_root: Path) -> None:
    store = FolderStore(store_root)
    slug = PREFECTURE_WAGES
    holding = read_holding(store, store.package(slug), store.current(slug) or "")
    assert holding.indicators == ("avg_wage_urban_nonprivate", "avg_wage_urban_nonprivate_growth")
    assert "520100" in holding.regions and "520300" in holding.regions
    assert holding.years == (2016,)
    # a printed table's layout names the indicators it defines itself: its data dictionary
    own = read_holding(store, store.package(MATERNITY), store.current(MATERNITY) or "")
    assert own.own_names["maternity_insurance_fund_expenditure"].name_zh == "生育保险基金支出"


def test_lexicon_splits_place_names_and_expands_synonyms() -> None:
    lexicon = Lexicon.of([("社保", "社会保险"), ("养老金", "养老保险/基本养老金")], ["贵阳市"])
    assert lexicon.terms(["贵阳社保基金"]) == [("贵阳",), ("社保基金", "社会保险基金")]
    assert lexicon.variants("养老金") == ("养老金", "养老保险", "基本养老金")
    assert lexicon.terms(["贵阳市"]) == [("贵阳市",)]


def test_the_synonym_list_is_published_with_the_indicator_codes(store_root: Path) -> None:
    store = FolderStore(store_root)
    names = [r.name for r in store.package("indicator-codes").resources]
    assert "synonyms" in names
    index = CatalogueIndex(store)
    assert index.lexicon().variants("医保") == ("医保", "医疗保险")


def test_a_query_past_the_word_cap_is_refused(index: CatalogueIndex) -> None:
    with pytest.raises(InvalidParameter):
        index.search(SearchQuery(q=" ".join(["贵阳失业率"] * (MAX_TERMS + 1))))


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def client(store_root: Path) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Settings(store=store_root, datasets=store_root / "none"))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


@pytest.mark.anyio
async def test_package_search_lists_matched_indicators_as_extra_keys(
    client: httpx.AsyncClient,
) -> None:
    answer = (await client.get("/api/3/action/package_search", params={"q": "遵义"})).json()
    results = answer["result"]["results"]
    assert {r["name"] for r in results[:3]} == QUERIES["遵义"]
    first = results[0]
    assert first["matched_regions"][0]["name_zh"] == "遵义市"
    assert first["matched_indicators"] == []


@pytest.mark.anyio
async def test_package_search_ranks_holders_of_an_english_indicator_first(
    client: httpx.AsyncClient,
) -> None:
    answer = await client.get("/api/3/action/package_search", params={"q": "average wage"})
    results = answer.json()["result"]["results"]
    holders = QUERIES["average wage"]
    assert {r["name"] for r in results[: len(holders)]} == holders
    assert all(r["matched_indicators"] for r in results[: len(holders)])


@pytest.mark.anyio
async def test_api_search_lists_matched_indicators(client: httpx.AsyncClient) -> None:
    answer = (await client.get("/api/v1/datasets", params={"q": "基金支出"})).json()
    first = answer["results"][0]
    assert {r["name"] for r in answer["results"][:3]} == QUERIES["基金支出"]
    assert all("基金支出" in code["name_zh"] for code in first["matched_indicators"])
    assert first["matched_regions"] == []


def test_a_damaged_parquet_holds_nothing_and_search_still_answers(tmp_path: Path) -> None:
    root = tmp_path / "store"
    publisher = Publisher(FolderStore(root), REPO / "datasets")
    for source in publisher.plan([publisher.sources()[PREFECTURE_WAGES]]):
        publisher.build(source)
    store = FolderStore(root)
    version = store.current(PREFECTURE_WAGES) or ""
    store.local_path(PREFECTURE_WAGES, version, "observations.parquet").write_bytes(b"PAR1 no")
    assert read_holding(store, store.package(PREFECTURE_WAGES), version).indicators == ()
    # found by its title alone, holding nothing
    found = CatalogueIndex(store).search(SearchQuery(q="平均工资"))
    assert found.slugs == [PREFECTURE_WAGES]
    assert found.matches[PREFECTURE_WAGES].indicators == []


def test_the_years_of_a_date_column_are_held_and_found(tmp_path: Path) -> None:
    # Synthetic: a table dated by day, not by a `year` column.
    resource = {
        "name": "notices",
        "path": "data/notices.csv",
        "format": "csv",
        "schema": {
            "fields": [
                {"name": "notice_id", "type": "integer"},
                {"name": "published_on", "type": "date"},
            ],
            "primaryKey": ["notice_id"],
        },
    }
    csv = "notice_id,published_on\n1,2019-03-01\n2,2021-12-31\n3,\n"
    write_dataset(
        tmp_path / "datasets", "dated", {"notices.csv": csv}, descriptor("dated", [resource])
    )
    store = FolderStore(tmp_path / "store")
    publisher = Publisher(store, tmp_path / "datasets")
    for source in publisher.plan([publisher.sources()["dated"]]):
        publisher.build(source)
    holding = read_holding(store, store.package("dated"), store.current("dated") or "")
    assert holding.years == (2019, 2021)
    assert CatalogueIndex(store).search(SearchQuery(q="2019")).slugs == ["dated"]


def test_a_word_without_spaces_is_cut_into_the_parts_the_names_hold() -> None:
    lexicon = Lexicon.of(
        [("养老金", "养老保险")],
        ["贵州省", "全国"],
        ["城镇职工基本养老保险参保人数", "生育保险基金收入", "全国公务员人数"],
    )
    assert lexicon.split("城镇职工养老保险") == ["城镇职工", "养老保险"]
    assert lexicon.split("2010年贵州生育保险基金收入") == ["2010", "贵州", "生育保险基金收入"]
    assert lexicon.split("全国公务员人数") == ["全国公务员人数"]  # held whole: stays whole
    assert lexicon.split("贵州的养老金") == ["贵州", "养老金"]  # 的 joins; a synonym is held
    assert lexicon.split("火星殖民") == ["火星殖民"]  # nothing holds it: left as typed
