"""The stores the engines read, built by the real pipeline: the shipped datasets
(`real_store`) and a synthetic one holding one column of every Table Schema type."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.analytics.published import Resource, published
from tests.conftest import REPO, build_all, descriptor, write_dataset

# Synthetic test data: every field type the pipeline publishes, a decimal with `decimals`,
# and a row of nothing but missing values (every column but the key nullable).
TYPED_FIELDS = [
    {"name": "code", "type": "string", "constraints": {"required": True}},
    {"name": "count", "type": "integer"},
    {"name": "share", "type": "number"},
    {"name": "amount", "type": "number", "decimals": 2},
    {"name": "active", "type": "boolean"},
    {"name": "day", "type": "date"},
    {"name": "moment", "type": "datetime"},
    {"name": "year", "type": "year"},
    {"name": "month", "type": "yearmonth"},
]
TYPED_CSV = (
    "code,count,share,amount,active,day,moment,year,month\n"
    "a,1,0.5,100.25,true,2022-06-01,2022-06-01T08:30:00,2021,2021-06\n"
    "b,2,1.25,-3.10,false,2023-01-31,2023-01-31T23:59:59,2022,2022-12\n"
    "c,,,,,,,,\n"
)
TYPED_SLUG = "analytics-typed-test"


@pytest.fixture(scope="session")
def typed_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("typed")
    resource = {
        "name": "typed",
        "path": "data/typed.csv",
        "format": "csv",
        "schema": {"fields": TYPED_FIELDS, "primaryKey": ["code"]},
    }
    write_dataset(
        root / "datasets", TYPED_SLUG, {"typed.csv": TYPED_CSV}, descriptor(TYPED_SLUG, [resource])
    )
    publisher = build_all(root / "store", root / "datasets")
    assert publisher.broken == {}
    return root / "store"


@pytest.fixture(scope="session")
def resources(real_store: Path, typed_store: Path) -> list[Resource]:
    """Every published resource of both stores; every shipped dataset is among them."""
    found = published(real_store) + published(typed_store)
    shipped = {p.parent.name for p in (REPO / "datasets").glob("*/datapackage.yaml")}
    assert shipped <= {r.slug for r in found}
    return found


@pytest.fixture(scope="session")
def typed_server(typed_store: Path) -> Iterator[str]:
    from tests.servers import serving

    with serving(typed_store) as running:
        yield running.url


def api_sums(url: str, resource: Resource) -> dict[str, Any]:
    """The sums of the resource's numeric columns as /api/v1's aggregate answers them."""
    answer = httpx.get(
        f"{url}/api/v1/datasets/{resource.slug}/resources/{resource.name}/aggregate",
        params={"sum": ",".join(resource.numeric)},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["version"] == resource.version
    # Decimals exactly as written: a float would round the sum of a decimal column.
    row = json.loads(answer.text, parse_float=Decimal)["rows"][0]
    return {name: row[f"sum_{name}"] for name in resource.numeric}
