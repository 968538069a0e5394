"""/api/v1/series: one series across the datasets that print it (`route`), and what its
answers are made of (`answers`), which the pages and the search answers reuse."""

from api.routes.series.answers import (
    SERIES_FOUND,
    SeriesSummary,
    series_citation,
    series_path,
    series_summary,
)
from api.routes.series.route import router

__all__ = [
    "SERIES_FOUND",
    "SeriesSummary",
    "router",
    "series_citation",
    "series_path",
    "series_summary",
]
