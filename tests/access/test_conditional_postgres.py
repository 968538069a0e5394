"""The grant of a conditional dataset with the state in PostgreSQL (`OPENDATA_DATABASE_URL`):
the same refusals, the same audit entries, the same last use as on SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from catalog.state import TokenStore, open_state
from tests.access.conftest import (
    SECRET,
    write_secret_indicators,
    write_secret_wages,
)
from tests.conftest import build_all, write_regions, write_wages
from tests.postgres import postgres_server
from tests.servers import serving

pytestmark = pytest.mark.slow

ROWS = f"/api/v1/datasets/{SECRET}/resources/wages/rows"


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    with postgres_server() as server:
        yield server.new_database()


def test_grants_refusals_and_last_use_live_in_postgresql(
    tmp_path_factory: pytest.TempPathFactory, database: str
) -> None:
    root = tmp_path_factory.mktemp("conditional-pg")
    datasets, store = root / "datasets", root / "store"
    write_regions(datasets)
    write_wages(datasets)
    write_secret_wages(datasets)
    write_secret_indicators(datasets)
    build_all(store, datasets)
    state = open_state(database)
    try:
        record, granted = state.tokens.create("researcher", [f"read-dataset:{SECRET}"])
        past = TokenStore(state.database, clock=lambda: datetime.now(UTC) - timedelta(days=2))
        expired = past.create("expired", [f"read-dataset:{SECRET}"], timedelta(days=1))[1]
        with serving(store, env={"OPENDATA_DATABASE_URL": database}) as server:
            statuses = [_status(server.url, token) for token in (None, expired, granted)]
        assert statuses == [403, 403, 200]
        refused = list(state.audit.read(action="read data", outcome="refused"))
        assert [e.token for e in refused] == ["anonymous", "invalid"]
        used = {t.id: t.last_used for t in state.tokens.all()}
        assert used[record.id] is not None
    finally:
        state.close()


def _status(url: str, token: str | None) -> int:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    with httpx.Client(base_url=url, headers=headers, timeout=60) as client:
        return client.get(ROWS).status_code
