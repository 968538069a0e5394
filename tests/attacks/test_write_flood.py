"""A flood of write attempts is rate-limited, and its refusals cannot fill the disk: a run of
429s is audited once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.attacks.conftest import assert_healthy
from tests.servers import Server, serving, state_database

pytestmark = pytest.mark.slow

FLOOD = {"OPENDATA_RATE_WRITES_PER_SECOND": "0.01", "OPENDATA_RATE_WRITES_BURST": "3"}


@pytest.fixture(scope="module")
def flooded(attack_store: Path) -> Iterator[Server]:
    with serving(attack_store, env=FLOOD) as running:
        yield running


def test_write_flood_is_429_and_audited_once_per_run(flooded: Server, attack_store: Path) -> None:
    with state_database(attack_store) as state:
        before = len(list(state.audit.read()))
    answers = [
        httpx.post(flooded.url + "/api/3/action/package_create", json={"name": f"x{i}"})
        for i in range(40)
    ]
    assert [a.status_code for a in answers] == [403] * 3 + [429] * 37
    refused = answers[-1]
    assert refused.json()["error"]["__type"] == "Rate Limit Error"
    assert int(refused.headers["retry-after"]) >= 1
    with state_database(attack_store) as state:
        entries = list(state.audit.read())[before:]
    assert len(entries) == 4  # three 403s, then one line for the whole run of 429s
    assert "later refusals of this run are not logged" in entries[-1].detail
    assert httpx.get(flooded.url + "/api/3/action/package_list").status_code == 200
    assert_healthy(flooded)
