"""A SYNTHETIC catalogue of N published descriptors, and a server that indexes it in memory.

The server runs as its own process (`python -m benchmarks.catalogue COUNT PORT`): the app
over an empty store, its catalogue index loaded once from the synthetic descriptors, as a
store of N folders would load it, and never re-scanned while the benchmark runs.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from catalog.store import Package

ORGANIZATIONS = 40
THEMES = ("employment", "wages", "social-insurance", "labour-relations", "talent")
TOPICS = ("养老保险", "失业保险", "工伤保险", "就业", "工资")
FIRST_PUBLISHED = datetime(2023, 1, 1, tzinfo=UTC)
# The publication times span the same 700,000 minutes whatever the count (7 minutes apart at
# 100,000 datasets), so that the search's "modified since 2024" finds some at any size.
SPAN_MINUTES = 700_000


def synthetic(number: int, count: int) -> Package:
    """The `number`th of `count` published descriptors of synthetic data (metadata only)."""
    published = FIRST_PUBLISHED + timedelta(minutes=number * SPAN_MINUTES // count)
    topic = TOPICS[number % len(TOPICS)]
    document = {
        "name": f"synthetic-{number:06d}",
        "title": f"合成数据 {topic} {number}",
        "title_en": f"Synthetic data {number}",
        "description": f"合成测试数据：{topic}，编号 {number}。",
        "description_en": "Synthetic data for the benchmark.",
        "keywords": ["合成", topic, f"批次{number % 50}"],
        "keywords_en": ["synthetic"],
        "licenses": [{"name": "CC-BY-4.0"}],
        "organization": {"name": f"org-{number % ORGANIZATIONS:02d}", "title": f"单位 {number}"},
        "themes": [THEMES[number % len(THEMES)]],
        "frequency": "annual",
        "access_level": "unconditional",
        "issued": "2023-01-01",
        "version": f"v{number}",
        "build": {"published": published.strftime("%Y-%m-%dT%H:%M:%S.%fZ")},
        "resources": [
            {
                "name": "values",
                "path": "values.parquet",
                "rows": number,
                "schema": {"fields": [{"name": "value", "type": "integer"}]},
            }
        ],
    }
    return Package.of(document)


def descriptors(count: int) -> list[Package]:
    return [synthetic(n, count) for n in range(count)]


def serve(count: int, port: int) -> None:
    """The app on 127.0.0.1:`port` with `count` synthetic descriptors indexed, until killed."""
    import uvicorn

    from api import create_app
    from catalog.settings import Settings

    with tempfile.TemporaryDirectory() as scratch:
        store, state = Path(scratch) / "store", Path(scratch) / "state"
        store.mkdir()
        app = create_app(Settings(store=str(store), state=state, port=port))
        index = app.state.index
        index.load(descriptors(count))
        # Never look at the (empty) store again: one look now, then none for ever after.
        index.refresh_seconds = float("inf")
        index.packages()
        uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    serve(int(sys.argv[1]), int(sys.argv[2]))
