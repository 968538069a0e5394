"""A forged X-Forwarded-For neither buys a fresh rate bucket nor names another client in the
audit log, unless the server is told it sits behind a proxy that sets the header."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.attacks.conftest import assert_healthy
from tests.servers import Server, serving, state_database

pytestmark = pytest.mark.slow

LIMITED = {"OPENDATA_RATE_SQL_PER_SECOND": "0.01", "OPENDATA_RATE_SQL_BURST": "2"}


@pytest.fixture(scope="module")
def limited(attack_store: Path) -> Iterator[Server]:
    with serving(attack_store, env=LIMITED) as running:
        yield running


def test_forged_forwarded_for_does_not_reset_the_rate_limit(limited: Server) -> None:
    sql = {"sql": "SELECT 1"}
    statuses = [httpx.get(limited.url + "/api/v1/sql", params=sql).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    for forged in ("10.9.9.9", "10.9.9.10", "1.2.3.4, 5.6.7.8"):
        answer = httpx.get(
            limited.url + "/api/v1/sql", params=sql, headers={"X-Forwarded-For": forged}
        )
        assert answer.status_code == 429, forged
        assert int(answer.headers["retry-after"]) >= 1
    assert_healthy(limited)


def test_forged_forwarded_for_is_not_the_audited_client(
    limited: Server, attack_store: Path
) -> None:
    answer = httpx.post(
        limited.url + "/api/3/action/package_create",
        json={"name": "x"},
        headers={"X-Forwarded-For": "6.6.6.6"},
    )
    assert answer.status_code == 403
    with state_database(attack_store) as state:
        entries = list(state.audit.read())
    assert entries and entries[-1].client == "127.0.0.1"
    assert all(entry.client != "6.6.6.6" for entry in entries)
    assert_healthy(limited)
