"""A store with conditional datasets (有条件开放, synthetic) beside open ones, a real server
on it, and tokens of every kind: granted, of another dataset, expired, revoked, admin."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from catalog.state import TokenStore
from tests.conftest import (
    WAGE_FIELDS,
    build_all,
    descriptor,
    write_dataset,
    write_regions,
    write_wages,
)
from tests.servers import serving, state_database

SECRET = "secret-wages"  # conditional, a wide table
INDICATORS = "secret-indicators"  # conditional, an indicator table (series, SDMX)
OPEN = "wages-test"  # unconditional
# Figures that appear nowhere but in the conditional datasets' rows.
SECRET_WORKERS = "918273"
SECRET_WAGE = "77777.77"
SECRET_FIGURE = "6543.21"
SECRET_VALUES = (SECRET_WORKERS, SECRET_WAGE, SECRET_FIGURE)
CONDITIONS = "仅限学术研究使用，不得再分发。"
CONDITIONS_EN = "For academic research only; no redistribution."
SECRET_CSV = (
    "region_code,year,workers,avg_wage,published\n"
    f"520000,2021,{SECRET_WORKERS},{SECRET_WAGE},2022-06-01\n"
    "520100,2021,400,95000.25,2022-06-01\n"
)
FIGURE_FIELDS = [
    {"name": "indicator_code", "type": "string"},
    {"name": "region_code", "type": "string"},
    {"name": "year", "type": "integer"},
    {"name": "period_type", "type": "string"},
    {"name": "period", "type": "string"},
    {"name": "value", "type": "number"},
    {"name": "unit", "type": "string"},
    {"name": "source_id", "type": "string"},
]
FIGURES_CSV = (
    "indicator_code,region_code,year,period_type,period,value,unit,source_id\n"
    f"secret_indicator,520000,2021,year_end,2021,{SECRET_FIGURE},万人,S1\n"
    "secret_indicator,520000,2020,year_end,2020,6000.5,万人,S1\n"
)
CONDITIONAL = {
    "access_level": "conditional",
    "access_conditions": CONDITIONS,
    "access_conditions_en": CONDITIONS_EN,
}


def write_secret_wages(root: Path) -> None:
    resource = {
        "name": "wages",
        "path": "data/wages.csv",
        "format": "csv",
        "schema": {"fields": WAGE_FIELDS, "primaryKey": ["region_code", "year"]},
    }
    meta = descriptor(SECRET, [resource], **CONDITIONAL)
    write_dataset(root, SECRET, {"wages.csv": SECRET_CSV}, meta)


def write_secret_indicators(root: Path) -> None:
    resource = {
        "name": "observations",
        "path": "data/observations.csv",
        "format": "csv",
        "schema": {
            "fields": FIGURE_FIELDS,
            "primaryKey": ["indicator_code", "region_code", "period"],
        },
    }
    meta = descriptor(
        INDICATORS,
        [resource],
        sources=[{"id": "S1", "title": "synthetic", "path": "https://example.org/synthetic"}],
        **CONDITIONAL,
    )
    write_dataset(root, INDICATORS, {"observations.csv": FIGURES_CSV}, meta)


@dataclass(frozen=True)
class Tokens:
    granted: str  # read-dataset:secret-wages and read-dataset:secret-indicators
    other: str  # read-dataset:wages-test only
    expired: str  # read-dataset:secret-wages, expired
    revoked: str  # read-dataset:secret-wages, revoked
    admin: str
    granted_id: str


@dataclass(frozen=True)
class Site:
    url: str
    store: Path
    tokens: Tokens

    def client(self, token: str | None = None, header: str = "Authorization") -> httpx.Client:
        headers = {}
        if token is not None:
            headers[header] = f"Bearer {token}" if header == "Authorization" else token
        return httpx.Client(base_url=self.url, headers=headers, timeout=60)


def make_tokens(store: Path) -> Tokens:
    with state_database(store) as state:
        made = state.tokens
        scopes = [f"read-dataset:{SECRET}", f"read-dataset:{INDICATORS}"]
        granted = made.create("researcher", scopes)
        other = made.create("other researcher", [f"read-dataset:{OPEN}"])[1]
        past = TokenStore(state.database, clock=lambda: datetime.now(UTC) - timedelta(days=2))
        expired = past.create("expired", [f"read-dataset:{SECRET}"], timedelta(days=1))[1]
        revoked = made.create("revoked", [f"read-dataset:{SECRET}"])[1]
        made.revoke("revoked")
        admin = made.create("operator", ["admin"])[1]
    return Tokens(granted[1], other, expired, revoked, admin, granted[0].id)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    root = tmp_path_factory.mktemp("conditional")
    datasets, store = root / "datasets", root / "store"
    write_regions(datasets)
    write_wages(datasets)
    write_secret_wages(datasets)
    write_secret_indicators(datasets)
    publisher = build_all(store, datasets)
    assert publisher.broken == {}
    tokens = make_tokens(store)
    with serving(store) as running:
        yield Site(running.url, store, tokens)


def has_secret(body: bytes | str) -> bool:
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    return any(value in text for value in SECRET_VALUES)


def audit_entries(store: Path, **filters: Any) -> list[Any]:
    with state_database(store) as state:
        return list(state.audit.read(**filters))
