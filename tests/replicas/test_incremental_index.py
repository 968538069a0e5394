"""The catalogue index kept current incrementally equals one built afresh, whatever happened."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.search import CatalogueIndex, SearchQuery
from catalog.store import FolderStore
from tests.replicas.published import REGIONS, publish, publish_regions

SLUGS = ("alpha", "beta", "gamma", "delta")
TITLES = ("标题甲", "标题乙", "")
QUERIES = ("", "贵阳", "标题甲", "遵义 2020", "Guizhou", "六盘水市", "alpha")
RENAMED = {**REGIONS, "520100": "筑城", "520300": "遵义"}

step = st.one_of(
    st.tuples(
        st.just("publish"),
        st.sampled_from(SLUGS),
        st.sampled_from(TITLES),
        st.sets(st.sampled_from(sorted(REGIONS)), max_size=3).map(lambda s: tuple(sorted(s))),
    ),
    st.tuples(st.just("withdraw"), st.sampled_from(SLUGS)),
    st.tuples(st.just("withdraw-version"), st.sampled_from(SLUGS)),
    st.tuples(st.just("regions"), st.booleans()),
    st.tuples(st.just("look")),
)


def apply(store: FolderStore, index: CatalogueIndex, action: tuple[Any, ...], n: int) -> None:
    """One step: a publish, a withdrawal (of a dataset or of a superseded version), a new
    version of the region code list, or a look of the index (an incremental refresh)."""
    kind, *rest = action
    if kind == "publish":
        publish(store, rest[0], f"v{n}", title=rest[1], regions=rest[2])
    elif kind == "withdraw" and store.current(rest[0]):
        store.withdraw(rest[0], "synthetic")
    elif kind == "withdraw-version" and store.current(rest[0]):
        superseded = [v.version for v in store.versions(rest[0]) if not v.withdrawn]
        superseded = [v for v in superseded if v != store.current(rest[0])]
        if superseded:
            store.withdraw(rest[0], "synthetic", superseded[0])
    elif kind == "regions":
        publish_regions(store, f"r{n}", RENAMED if rest[0] else REGIONS)
    else:
        index.packages()


def answers(index: CatalogueIndex) -> list[Any]:
    """Everything a reader of the index sees: the package list, each search's page, counts,
    facets and matches, the names and the lexicon."""
    found = [index.search(SearchQuery(q=q, limit=1000)) for q in QUERIES]
    return [index.packages(), found, index.names(), index.lexicon()]


@pytest.mark.slow  # a long property run: about a minute
@settings(max_examples=30)
@given(st.lists(step, max_size=10))
def test_an_incremental_index_equals_a_fresh_one_after_any_changes(
    steps: list[tuple[Any, ...]],
) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        store = FolderStore(Path(scratch) / "store")
        publish_regions(store, "r0")
        publish(store, "alpha", "v0", title="标题甲", regions=("520100",))
        index = CatalogueIndex(store, refresh_seconds=0)
        index.packages()
        for n, action in enumerate(steps, start=1):
            apply(store, index, action, n)
        assert answers(index) == answers(CatalogueIndex(store, refresh_seconds=0))


def test_one_publish_reads_only_that_dataset_again(tmp_path: Path) -> None:
    store = FolderStore(tmp_path / "store")
    publish_regions(store, "r0")
    for slug in SLUGS:
        publish(store, slug, "v1", regions=("520000",))
    index = CatalogueIndex(store, refresh_seconds=0)
    assert sorted(index.packages()) == sorted([*SLUGS, "region-codes"])
    publish(store, "beta", "v2", title="标题乙")
    assert index.search(SearchQuery(q="标题乙")).slugs == ["beta"]
    assert index.reread == ["beta"]
    store.withdraw("gamma", "synthetic")
    assert "gamma" not in index.packages()
    assert index.reread == ["gamma"]


def test_a_new_code_list_renames_what_every_dataset_holds(tmp_path: Path) -> None:
    store = FolderStore(tmp_path / "store")
    publish_regions(store, "r0")
    publish(store, "alpha", "v1", regions=("520100",))
    index = CatalogueIndex(store, refresh_seconds=0)
    assert index.search(SearchQuery(q="筑城")).slugs == []
    publish_regions(store, "r1", RENAMED)
    assert index.search(SearchQuery(q="筑城")).slugs == ["alpha"]
