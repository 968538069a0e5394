"""The web catalogue's page models, interface strings, templates, charts and static assets."""

from pathlib import Path

from web.applications import REQUEST_TEXT, beijing_time, fault_words, request_text
from web.charts import PALETTE, Chart, build_chart, chart_resource
from web.headline import Featured, Figure, Headline, figure_text
from web.pages import Download, PageData
from web.search import PAGE_FACETS, SearchPage, search_catalogue
from web.series import (
    SeriesChart,
    grouped,
    reason_text,
    series_chart,
    series_unit,
    shown_figures,
)
from web.strings import DEFAULT_LANGUAGE, LANGUAGES, interface_text
from web.text import highlight, human_size, markdown_html, safe_link, snippet, terms
from web.versions import ResourceChange, ValidationSummary, VersionEntry

TEMPLATES = Path(__file__).with_name("templates")
STATIC = Path(__file__).with_name("static")

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "PAGE_FACETS",
    "PALETTE",
    "REQUEST_TEXT",
    "STATIC",
    "TEMPLATES",
    "Chart",
    "Download",
    "Featured",
    "Figure",
    "Headline",
    "PageData",
    "ResourceChange",
    "SearchPage",
    "SeriesChart",
    "ValidationSummary",
    "VersionEntry",
    "beijing_time",
    "build_chart",
    "chart_resource",
    "fault_words",
    "figure_text",
    "grouped",
    "highlight",
    "human_size",
    "interface_text",
    "markdown_html",
    "reason_text",
    "request_text",
    "safe_link",
    "search_catalogue",
    "series_chart",
    "series_unit",
    "shown_figures",
    "snippet",
    "terms",
]
