"""The search index is shared by every caller: of a conditional dataset it holds only what the
descriptor says (metadata and data dictionary), nothing read from its rows: which region
codes or years its rows hold is its data."""

from __future__ import annotations

import pytest

from catalog.search import read_holding
from catalog.store import FolderStore
from tests.access.conftest import OPEN, SECRET, Site

pytestmark = pytest.mark.slow

ROWS_ONLY = "520100"  # a region in the rows of both datasets, in neither descriptor's spatial


def test_a_conditional_datasets_holding_reads_nothing_from_its_rows(site: Site) -> None:
    store = FolderStore(site.store)
    secret = read_holding(store, store.package(SECRET), store.current(SECRET) or "")
    shown = read_holding(store, store.package(OPEN), store.current(OPEN) or "")
    assert (secret.regions, secret.years, secret.indicators) == ((), (), ())
    assert "avg_wage" in secret.field_text  # its data dictionary stays searchable
    assert ROWS_ONLY in shown.regions and 2021 in shown.years


def test_search_matches_no_code_from_a_conditional_datasets_rows(site: Site) -> None:
    with site.client(site.tokens.granted) as client:  # the same index for every caller
        found = client.get("/api/v1/datasets", params={"q": ROWS_ONLY}).json()
    by_name = {d["name"]: d for d in found["results"]}
    assert OPEN in by_name
    codes = [c["code"] for c in by_name.get(SECRET, {}).get("matched_regions", [])]
    assert ROWS_ONLY not in codes
