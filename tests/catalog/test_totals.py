"""Totals decide between a count and an estimate by the file alone, never by the clock."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from catalog.errors import QueryTimeout, ServiceUnavailable
from catalog.query.totals import Totals
from catalog.settings import Settings


def timing_out(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    raise QueryTimeout("the query ran longer than the 2 s limit")


@pytest.mark.parametrize("rows", [100, 500_000, None])
def test_totals_auto_count_past_the_time_limit_is_busy_not_an_estimate(rows: int | None) -> None:
    # An estimate here would give the same URL (and ETag) another body under load.
    totals = Totals(Settings(), timing_out)
    with pytest.raises(ServiceUnavailable, match="total=estimate or total=none") as busy:
        totals.count("f.parquet", rows, (" WHERE x = ?", [1]), "auto")
    assert busy.value.retry_after == 1


def test_totals_exact_count_past_the_time_limit_is_a_timeout() -> None:
    totals = Totals(Settings(), timing_out)
    with pytest.raises(QueryTimeout):
        totals.count("f.parquet", 500_000, (" WHERE x = ?", [1]), "exact")
