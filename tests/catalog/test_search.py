"""The one catalogue search: words, facets, DCAT's fq and CKAN's Selection over a real index."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from catalog.errors import BadRequest
from catalog.search import CatalogueIndex, Facet, SearchQuery, Selection
from catalog.store import FolderStore, Package, Publisher
from tests.conftest import write_regions, write_wages
from web import Featured, search_catalogue
from web.headline import featured, figures


def described(slug: str, **extra: Any) -> dict[str, Any]:
    return {
        "name": slug,
        "title": extra.pop("title", slug),
        "keywords": extra.pop("keywords", []),
        "keywords_en": extra.pop("keywords_en", []),
        "themes": extra.pop("themes", []),
        "organization": {"name": extra.pop("organization", "org")},
        "build": {"published": "2026-01-01T00:00:00Z"},
        "resources": [],
        **extra,
    }


@pytest.fixture
def index(tmp_path: Path) -> CatalogueIndex:
    catalogue = CatalogueIndex(FolderStore(tmp_path), refresh_seconds=3600)
    # The store is empty and stays so: the index keeps what `load` put in.
    documents = [
            described(
                "a",
                keywords=["GB-T 2260", "工资"],
                keywords_en=["GB-T 2260"],
                themes=["wages"],
                temporal={"start": "2019", "end": "2021"},
            ),
            described(
                "b",
                keywords=["工资"],
                themes=["wages", "employment"],
                organization="o2",
                temporal={"start": "2021"},
            ),
            described("c", title="Jobs", themes=["employment"], organization="o2"),
    ]  # fmt: skip
    catalogue.load([Package.of(document) for document in documents])
    return catalogue


def test_search_counts_a_dataset_once_per_facet_value(index: CatalogueIndex) -> None:
    # `a` lists GB-T 2260 among its zh and its en keywords: one dataset, counted once.
    result = index.search(SearchQuery())
    assert dict(result.facets["keyword"]) == {"GB-T 2260": 1, "工资": 2}
    assert result.facets["theme"] == [("employment", 2), ("wages", 2)]
    assert result.slugs == ["a", "b", "c"]


def test_search_facets_narrow_lists_and_widen_single_values(index: CatalogueIndex) -> None:
    both = index.search(SearchQuery(filters={"theme": ["wages", "employment"]}))
    assert both.slugs == ["b"]
    either = index.search(SearchQuery(filters={"organization": ["org", "o2"]}))
    assert either.count == 3
    years = index.search(SearchQuery(filters={"year": ["2021"]}, facets=("year",)))
    assert years.slugs == ["a", "b"]
    assert dict(years.facets["year"]) == {"2019": 1, "2020": 1, "2021": 2}


def test_search_by_facets_and_by_ckan_selection_agree(index: CatalogueIndex) -> None:
    by_facets = index.search(SearchQuery(filters={"theme": ["wages"], "organization": ["org"]}))
    selection = Selection(
        where="list_contains(themes, ?) AND organization <> ?",
        params=["wages", "o2"],
        facets={"groups": Facet("themes", listed=True)},
    )
    by_selection = index.select(selection)
    assert by_facets.slugs == by_selection.slugs == ["a"]
    assert by_selection.facets == {"groups": [("wages", 1)]}


@pytest.mark.parametrize(
    ("query", "error"),
    [
        (SearchQuery(limit=1001), BadRequest),
        (SearchQuery(sort="colour"), BadRequest),
        (SearchQuery(filters={"colour": ["blue"]}), BadRequest),
    ],
)
def test_search_refuses_what_it_cannot_read(
    index: CatalogueIndex, query: SearchQuery, error: type[Exception]
) -> None:
    with pytest.raises(error):
        index.search(query)


def test_web_search_pages_past_the_last_show_the_last(index: CatalogueIndex) -> None:
    page = search_catalogue(index, "", {}, ["2021"], "name", page=9, size=1)
    assert (page.page, page.pages, page.count) == (2, 2, 2)
    assert [package.name for package in page.packages] == ["b"]
    assert dict(page.facets["year"])["2019"] == 1


def test_featured_figures_come_from_the_descriptor_that_offers_them() -> None:
    offer = {"indicators": ["jobs", "wage"], "title": "要闻", "title_en": "Key figures"}
    packages = {"z": Package.of(described("z", featured=offer)), "a": Package.of(described("a"))}
    chosen = featured(packages)
    assert chosen == Featured("z", "observations", ["jobs", "wage"], "要闻", "Key figures")
    assert featured({"a": Package.of(described("a"))}) is None
    rows = [
        {"indicator_code": "wage", "year": 2024, "value": 5.2, "unit": "%", "source_id": "S1"},
        {"indicator_code": "wage", "year": 2023, "value": 5.0, "unit": "%", "source_id": "S1"},
    ]
    shown = figures(chosen, rows, {"wage": "工资"}, {"S1": {"title_zh": "公报"}}, {"S1": "A"}, "zh")
    assert [(f.code, f.name, f.year, f.value, f.source_title, f.tier) for f in shown] == [
        ("wage", "工资", 2024, "5.2%", "公报", "A")
    ]


class SlowReads(FolderStore):
    """A real folder store whose descriptors take a while to read, as a big catalogue's do."""

    def package(self, slug: str, version: str | None = None) -> Package:
        time.sleep(0.05)
        return super().package(slug, version)


def test_searches_racing_the_first_load_wait_for_it(tmp_path: Path) -> None:
    # Found with 100 clients at once on a fresh server: a search that found the refresh
    # under way queried before the table existed and answered 500.
    datasets = tmp_path / "datasets"
    write_regions(datasets)
    write_wages(datasets)
    store = SlowReads(tmp_path / "store")
    publisher = Publisher(store, datasets)
    for source in publisher.plan(list(publisher.sources().values())):
        publisher.build(source)
    catalogue = CatalogueIndex(store, refresh_seconds=3600)
    with ThreadPoolExecutor(max_workers=16) as pool:
        counts = list(pool.map(lambda _: catalogue.search(SearchQuery()).count, range(32)))
    assert counts == [2] * 32
