"""The web catalogue's page models, templates, charts and static assets."""

from pathlib import Path

from web.charts import PALETTE
from web.pages import (
    PageData,
    highlight,
    human_size,
    markdown_html,
    search_catalogue,
    snippet,
    terms,
    years_covered,
)

TEMPLATES = Path(__file__).with_name("templates")
STATIC = Path(__file__).with_name("static")

__all__ = [
    "PALETTE",
    "STATIC",
    "TEMPLATES",
    "PageData",
    "highlight",
    "human_size",
    "markdown_html",
    "search_catalogue",
    "snippet",
    "terms",
    "years_covered",
]
