"""A store with several pages of synthetic datasets (labelled synthetic) and a known history.

Built once per session with the real Publisher: every dataset is published, then, with the
store's clock moved on so that `since` falls strictly between the two rounds, two datasets
are updated, one is published for the first time and one is withdrawn.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from api import create_app
from catalog.metadata import FREQUENCIES, THEMES
from catalog.settings import Settings
from catalog.store import ManualClock, Publisher, Store, credit_check_character
from tests.conftest import descriptor, write_dataset, write_regions, write_wages
from tests.servers import open_test_store, store_location

BASE_URL = "https://data.example.org/opendata"
PAGE_SIZE = 5
SERIES = 10  # series-01 … series-10 in the first round, series-11 in the second


@dataclass(frozen=True)
class History:
    store: Path
    datasets: Path
    since: str  # between the two rounds
    updated: frozenset[str]
    added: frozenset[str]
    withdrawn: frozenset[str]
    served: frozenset[str]


def series(number: int) -> dict[str, Any]:
    """A synthetic dataset whose metadata varies with `number`, to cover every mapping."""
    slug = f"series-{number:02d}"
    resource = {
        "name": "values",
        "title": "合成数值",
        "title_en": "Synthetic values",
        "description": "合成测试数值（非真实统计）。",
        "path": "data/values.csv",
        "format": "csv",
        "schema": {
            "fields": [
                {"name": "year", "type": "integer", "title": "年份", "title_en": "Year"},
                {
                    "name": "value",
                    "type": "number",
                    "title": "数值",
                    "title_en": "Value",
                    "unit": "万人",
                },
            ],
            "primaryKey": ["year"],
        },
    }
    organization = {"name": f"org-{number % 3}", "title": f"合成单位{number % 3}"}
    organization["title_en"] = f"Synthetic unit {number % 3}"
    if number % 2:  # stated by the odd datasets only: the organisation's for all of them
        body = f"115200000000000{number % 3:02d}"  # a valid GB 32100 code: the check appended
        organization["credit_code"] = body + credit_check_character(body)
    return descriptor(
        slug,
        [resource],
        frequency=list(FREQUENCIES)[number % len(FREQUENCIES)],
        access_level=("unconditional", "conditional")[number % 2],
        themes=[list(THEMES)[number % len(THEMES)], "employment"][: 1 + number % 2],
        spatial=["000000"] if number % 3 == 0 else ["520000", "520100"],
        temporal={"start": "2020-01-01", "end": "2021-12"} if number % 2 else {"start": "2020"},
        organization=organization,
        # A conditional dataset states its conditions (有条件开放).
        **(
            {"access_conditions": "仅限研究使用。", "access_conditions_en": "For research only."}
            if number % 2
            else {}
        ),
        sources=[
            {
                "title": f"合成统计公报 {number}",
                "path": f"https://example.org/bulletins/{number}.html",
                "reliability_tier": "A",
                "id": "bulletin",
            },
            {"title": "Synthetic internal note", "path": "notes/synthetic.pdf", "id": "note"},
        ],
    )


def write_series(root: Path, number: int, years: int = 2) -> None:
    rows = "".join(f"{2020 + i},{1.5 + i}\n" for i in range(years))
    write_dataset(
        root, f"series-{number:02d}", {"values.csv": "year,value\n" + rows}, series(number)
    )


def publish_all(store: Store, datasets: Path) -> None:
    publisher = Publisher(store, datasets)
    for source in publisher.plan(list(publisher.sources().values())):
        publisher.build(source)
    # A descriptor that does not load is skipped by a build of everything: here it is a
    # broken fixture, which must not pass as a smaller catalogue.
    assert publisher.broken == {}


def stamp_of(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@pytest.fixture(scope="session")
def history(tmp_path_factory: pytest.TempPathFactory) -> History:
    root = tmp_path_factory.mktemp("dcat")
    datasets, store_dir = root / "datasets", root / "store"
    # Versions are stamped to the second: the clock, not a sleep, puts `since` between rounds.
    clock = ManualClock(datetime.now(UTC))
    store = open_test_store(store_dir, clock=clock)
    write_regions(datasets)
    write_wages(datasets)
    for number in range(1, SERIES + 1):
        write_series(datasets, number)
    publish_all(store, datasets)
    since = stamp_of(clock.next_second())
    clock.advance(timedelta(seconds=1))
    for number in (2, 5):
        write_series(datasets, number, years=3)
    write_series(datasets, SERIES + 1)
    publish_all(store, datasets)
    store.withdraw("series-07", reason="synthetic withdrawal")
    served = {"regions-test", "wages-test"} | {f"series-{n:02d}" for n in range(1, SERIES + 2)}
    return History(
        store=store_dir,
        datasets=datasets,
        since=since,
        updated=frozenset({"series-02", "series-05"}),
        added=frozenset({"series-11"}),
        withdrawn=frozenset({"series-07"}),
        served=frozenset(served - {"series-07"}),
    )


def settings_for(history: History, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "store": store_location(history.store),
        "datasets": history.datasets,
        "base_url": BASE_URL,
        "catalog_page_size": PAGE_SIZE,
        **overrides,
    }
    return Settings(**values)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def client(history: History) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(settings_for(history)))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http
