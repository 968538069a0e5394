"""A series whose every dataset was withdrawn is gone (410), as the datasets are, not unknown."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.servers import copy_test_store, open_test_store, serving

URBAN = {"indicator": "employed_persons_urban", "region": "000000"}


def test_a_series_of_withdrawn_datasets_answers_410(real_store: Path, tmp_path: Path) -> None:
    root = tmp_path / "store"
    copy_test_store(real_store, root, ["national-hrss-bulletin"])
    open_test_store(root).withdraw("national-hrss-bulletin", "a test withdrawal")
    with serving(root) as server, httpx.Client(base_url=server.url, timeout=30) as client:
        answer = client.get("/api/v1/series", params=URBAN)
        assert answer.status_code == 410, answer.text
        assert "withdrawn" in answer.json()["detail"]
        page = client.get("/series/employed_persons_urban/000000")
        assert page.status_code == 410 and "a test withdrawal" in page.text
        unknown = client.get("/api/v1/series", params={**URBAN, "indicator": "no_such"})
        assert unknown.status_code == 404
