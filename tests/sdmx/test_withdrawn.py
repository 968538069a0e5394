"""A withdrawn indicator dataset stops being a dataflow at once: no structure, no data."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from api import create_app
from catalog.settings import Settings
from tests.servers import copy_test_store, open_test_store, store_location

pytestmark = pytest.mark.anyio
FLOW = "guizhou-prefecture-average-wage-2016"


async def test_a_withdrawn_dataset_is_no_dataflow(real_store: Path, tmp_path: Path) -> None:
    root = tmp_path / "store"
    copy_test_store(real_store, root)
    # Read at every request: the withdrawal comes through another `Store` (the generation
    # poll of a server would show it within OPENDATA_REFRESH_SECONDS, docs/replicas.md).
    settings = Settings(store=store_location(root), datasets=root / "none", refresh_seconds=0)
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as web:
        assert (await web.get(f"/sdmx/data/{FLOW}/all")).status_code == 200
        open_test_store(root).withdraw(FLOW, reason="test")
        listed = await web.get("/sdmx/dataflow/all/all/latest")
        assert FLOW not in listed.text
        assert "national-hrss-bulletin" in listed.text
        for path in (f"/sdmx/data/{FLOW}/all", f"/sdmx/datastructure/GZHRSS/{FLOW}/latest"):
            answer = await web.get(path)
            assert answer.status_code == 404
            assert 'code="100"' in answer.text
